import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { EvidenceSources, AnyControlDefinition } from '../../controls/define-control.ts';
import type { InventorySource } from '../../controls/collectors/inventory-source.ts';
import { createEvidenceSources } from '../../controls/collectors/sources.ts';
import type { ReadOnlyQuery } from '../../controls/collectors/platform-db.ts';
import { runControl, type ControlResult } from '../../controls/runner.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import type { Authz } from '../authz/create-authz.ts';
import type { Entity } from '../authz/entity.ts';
import type { AccessCertificationFacts } from '../authz/access-certification.ts';
import type { Db } from '../db/database.ts';
import { InputError, NotFoundError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AttestationStore } from './attestation-store.ts';
import { ScanReports } from './scan-reports.ts';
import type { AbandonedRun, ControlRuns, StoredRun } from './control-runs.ts';
import type { LogScanService } from './log-scan.ts';
import type { IntegrationReadiness } from './readiness.ts';
import { incidentFacts } from '../incidents/incident-register.ts';

const SOURCE_NAMES: Record<keyof EvidenceSources, string> = {
  inventory: 'inventory',
  webhookProbes: 'http-probe',
  corsProbes: 'http-probe',
  tlsProbes: 'tls-probe',
  scanReports: 'scan-reports',
  orderProbe: 'http-probe',
  unredactedOrders: 'platform-sql',
  attestations: 'attestations',
  authorize: 'tenet-pdp',
  logScan: 'cloudwatch-logs',
  accessCertification: 'access-certification',
  self: 'tenet',
  incidents: 'incident-register',
};

/**
 * Runs controls: every run is a row in control_runs (ControlRuns) and a record in the evidence chain. After runs,
 * readiness is recomputed (`afterRuns`, the readiness service's `apply`).
 *
 * A running run holds a lease (`runLeaseMs`, in the database's clock), renewed every `runHeartbeatMs` while it
 * runs. A run whose lease lapsed (the replica running it died) is marked `abandoned`, with an evidence record
 * saying so, by the next claim of that control (`runScheduled`) or by the sweep (`abandonLapsed`); the control
 * then runs again. A run that finds itself abandoned when it finishes records nothing: its result is logged and
 * dropped, and the chain holds only the abandonment.
 */
export class ControlService {
  readonly catalogue: ReadonlyMap<string, AnyControlDefinition>;
  readonly evidence: EvidenceStore;
  /** imported scan reports (vulnerability.scan-reports): each import appended to this service's evidence chain */
  readonly scanReports: ScanReports;
  readonly settings: ControlSettings;
  readonly replica: string;
  readonly runs: ControlRuns;
  readonly logScan?: LogScanService;
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly authz: Pick<Authz, 'platform'>;
  private readonly inventory: InventorySource[];
  private readonly live: boolean;
  private readonly attestations?: AttestationStore;
  private readonly revealRetentionDays: number;
  private readonly env: Record<string, string | undefined>;
  private readonly platformQuery?: ReadOnlyQuery;
  private readonly afterRuns: () => Promise<IntegrationReadiness[]>;
  private readonly recompute: () => Promise<IntegrationReadiness[]>;
  private readonly accessCertification?: () => Promise<AccessCertificationFacts>;

  constructor(props: {
    db: Db;
    logger: Logger;
    authz: Pick<Authz, 'platform'>;
    settings: ControlSettings;
    catalogue: ReadonlyMap<string, AnyControlDefinition>;
    runs: ControlRuns;
    /** recomputes readiness after runs (and tells the other replicas they changed) */
    afterRuns: () => Promise<IntegrationReadiness[]>;
    /** recomputes readiness when no run changed (the scheduler's interval, start-up); default: afterRuns */
    recompute?: () => Promise<IntegrationReadiness[]>;
    inventory: InventorySource[];
    live: boolean;
    attestations?: AttestationStore;
    revealRetentionDays: number;
    replica?: string;
    env?: Record<string, string | undefined>;
    platformQuery?: ReadOnlyQuery;
    logScan?: LogScanService;
    /** the access review and its newest certification (AccessCertifications.facts); absent → not_applicable */
    accessCertification?: () => Promise<AccessCertificationFacts>;
  }) {
    this.platformQuery = props.platformQuery;
    this.logScan = props.logScan;
    this.accessCertification = props.accessCertification;
    this.db = props.db;
    this.logger = props.logger;
    this.authz = props.authz;
    this.settings = props.settings;
    this.catalogue = props.catalogue;
    this.runs = props.runs;
    this.afterRuns = props.afterRuns;
    this.recompute = props.recompute ?? props.afterRuns;
    this.inventory = props.inventory;
    this.live = props.live;
    this.attestations = props.attestations;
    this.revealRetentionDays = props.revealRetentionDays;
    this.replica = props.replica ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.env = props.env ?? process.env;
    this.evidence = new EvidenceStore(props.db);
    this.scanReports = new ScanReports({ db: props.db, evidence: this.evidence });
    for (const [integration, { controls }] of Object.entries(props.settings.integrations)) {
      for (const c of controls) if (!this.catalogue.has(c)) throw new InputError(`integrations.${integration}: unknown control ${c}`);
    }
    for (const c of Object.keys(props.settings.schedules)) if (!this.catalogue.has(c)) throw new InputError(`schedules: unknown control ${c}`);
  }

  control(id: string): AnyControlDefinition {
    const c = this.catalogue.get(id);
    if (!c) throw new NotFoundError(`no control ${id}`);
    return c;
  }

  schedule(id: string): string {
    return this.settings.schedules[id] ?? this.control(id).schedule;
  }

  /** Evidence sources for one batch of runs (inventory reads shared within the batch). */
  sources(): EvidenceSources {
    const db = this.db;
    return createEvidenceSources({
      settings: this.settings,
      inventory: this.inventory,
      live: this.live,
      env: this.env,
      platformQuery: this.platformQuery,
      logScan: this.logScan?.configured ? () => this.logScan!.scan() : undefined,
      scanReports: () => this.scanReports.latest(),
      accessCertification: this.accessCertification,
      incidents: (days) => incidentFacts(db, { days }),
      authorize: async (r) => {
        const d = this.authz.platform.authorize({
          principal: r.principal,
          action: { id: r.action },
          resource: r.resource,
          context: r.context,
          entities: r.entities as Entity[] | undefined,
        });
        return { decision: d.decision, reasons: d.reasons, errors: d.errors };
      },
      attestations: this.attestations ? (ids) => this.attestations!.forDocuments(ids) : undefined,
      self: async () => {
        const oldest = await db
          .selectFrom('pii_reveals')
          .select((eb) => eb.fn.min('at').as('at'))
          .executeTakeFirst();
        const trigger = await sql<{ ok: boolean }>`
          SELECT count(*) > 0 AS ok FROM pg_trigger
          WHERE tgname = 'pii_reveals_append_only' AND tgenabled <> 'D'`.execute(db);
        return {
          configuredDays: this.revealRetentionDays,
          oldestRowAgeDays: oldest?.at ? (Date.now() - new Date(oldest.at as Date).getTime()) / 86_400_000 : null,
          updateRefused: Boolean(trigger.rows[0]?.ok),
        };
      },
    });
  }

  /** Runs controls now (console/API "run", start-up): not deduplicated against the schedule. */
  async runNow(ids: string[], props: { trigger: 'manual' | 'startup'; requestedBy?: string }): Promise<StoredRun[]> {
    for (const id of ids) this.control(id);
    const sources = this.sources();
    const out: StoredRun[] = [];
    for (const id of ids) {
      const runId = await this.runs.start({
        controlId: id,
        trigger: props.trigger,
        replica: this.replica,
        requestedBy: props.requestedBy ?? null,
        leaseMs: this.settings.runLeaseMs,
      });
      out.push(await this.execute(runId, id, sources, props.trigger));
    }
    await this.afterRuns();
    return out;
  }

  /** The scheduled run of one tick, if this replica wins it (ControlRuns.claim). */
  async runScheduled(controlId: string, scheduledFor: Date, sources = this.sources()): Promise<StoredRun | null> {
    const id = await this.runs.claim(controlId, scheduledFor, this.replica, this.settings.runLeaseMs, this.recordAbandoned);
    if (!id) return null;
    const run = await this.execute(id, controlId, sources, 'schedule');
    await this.afterRuns();
    return run;
  }

  /** Marks `abandoned` every run whose lease lapsed, with its evidence record (the scheduler's sweep). */
  abandonLapsed(): Promise<AbandonedRun[]> {
    return this.runs.abandonLapsed(this.recordAbandoned);
  }

  /** Appends the evidence record of each abandoned run and links it to its run, in the transaction that abandoned them. */
  private readonly recordAbandoned = async (runs: AbandonedRun[], trx: Db): Promise<void> => {
    for (const r of runs) {
      const summary = `abandoned: replica ${r.replica} stopped renewing its lease (expired ${r.leaseExpiredAt})`;
      const record = await this.evidence.append(
        {
          controlId: r.controlId,
          source: 'tenet',
          payload: { runId: r.id, status: 'abandoned', summary, findings: [], evidence: null, replica: r.replica, leaseExpiredAt: r.leaseExpiredAt },
          collectedAt: new Date(r.abandonedAt),
        },
        trx,
      );
      await this.runs.recordAbandonedEvidence(r.id, record.seq, trx);
      this.logger.warn({ control: r.controlId, runId: r.id, replica: r.replica, leaseExpiredAt: r.leaseExpiredAt }, 'control run abandoned: its lease lapsed');
    }
  };

  /** Recomputes readiness now (the scheduler's interval; start-up). */
  applyReadiness(): Promise<IntegrationReadiness[]> {
    return this.recompute();
  }

  private async execute(runId: string, controlId: string, sources: EvidenceSources, trigger: StoredRun['trigger']): Promise<StoredRun> {
    const control = this.control(controlId);
    const used = new Set<string>();
    const tracked = Object.fromEntries(
      Object.entries(sources).map(([k, fn]) => [
        k,
        (...args: unknown[]) => {
          used.add(k === 'inventory' ? this.inventory.map((s) => s.name).join('+') || 'inventory' : SOURCE_NAMES[k as keyof EvidenceSources]);
          return (fn as (...a: unknown[]) => unknown)(...args);
        },
      ]),
    ) as unknown as EvidenceSources;
    let result: ControlResult;
    let leaseLost = false;
    let collected = false;
    // The heartbeat: renews the lease while the run is in progress. A failed renewal (a database blip) is retried
    // at the next beat; a renewal that finds the run no longer `running` means another replica abandoned it.
    const heartbeat = setInterval(() => {
      this.runs.renew(runId, this.settings.runLeaseMs).then(
        (held) => {
          // (A renewal still in flight as the run finishes finds it finished: that is not a lost lease.)
          if (!held && !leaseLost && !collected) {
            leaseLost = true;
            this.logger.warn({ control: controlId, runId }, 'control run lease lost: the run was abandoned by another replica');
          }
        },
        (error: Error) => this.logger.warn({ control: controlId, runId, err: { message: error.message } }, 'control run lease renewal failed'),
      );
    }, this.settings.runHeartbeatMs);
    heartbeat.unref();
    try {
      result = await runControl(control, tracked, this.settings);
    } catch (error) {
      // runControl turns every failure into `error`; this is only reached on a bug. Never leave a run "running".
      result = {
        controlId,
        status: 'error',
        findings: [{ resourceId: controlId, message: `run failed: ${(error as Error).message}` }],
        evidence: null,
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: 0,
      };
    } finally {
      collected = true;
      clearInterval(heartbeat);
    }
    const stored = await this.db.transaction().execute(async (trx) => {
      // The run's row first (row lock, then the evidence lock: the order the sweep takes them in too): a run
      // abandoned meanwhile keeps its abandonment, and its late result never reaches the chain.
      const current = await this.runs.lockForFinish(runId, trx);
      if (current.status !== 'running') return current;
      const record = await this.evidence.append(
        {
          controlId,
          source: [...used].sort().join(',') || 'none',
          payload: { runId, status: result.status, summary: result.summary ?? null, findings: result.findings, evidence: result.evidence },
          collectedAt: new Date(result.finishedAt),
        },
        trx,
      );
      return this.runs.finish(runId, result, record.seq, trx);
    });
    if (stored.status === 'abandoned') {
      this.logger.warn({ control: controlId, runId, status: result.status }, 'control run finished after it was abandoned: its result is not recorded');
      return stored;
    }
    this.logger.info({ control: controlId, trigger, status: result.status, durationMs: result.durationMs, findings: result.findings.length }, 'control run');
    return stored;
  }
}
