import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { ControlDefinition, EvidenceSources } from '../../controls/define-control.ts';
import type { InventorySource } from '../../controls/collectors/inventory-source.ts';
import { createEvidenceSources } from '../../controls/collectors/sources.ts';
import type { ReadOnlyQuery } from '../../controls/collectors/platform-db.ts';
import { currentStatus, runControl, type ControlResult } from '../../controls/runner.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import { EvidenceStore } from '../../evidence/evidence-store.ts';
import type { Authz } from '../authz/create-authz.ts';
import type { Entity } from '../authz/entity.ts';
import type { Db } from '../db/database.ts';
import type { RunStatus } from '../db/schema.ts';
import { InputError, NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AttestationStore } from './attestation-store.ts';
import type { LogScanService } from './log-scan.ts';
import { computeReadiness, type ExceptionRow, type IntegrationReadiness } from './readiness.ts';

export interface StoredRun {
  id: string;
  controlId: string;
  trigger: 'schedule' | 'manual' | 'startup';
  scheduledFor: string | null;
  replica: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  summary: string | null;
  findings: ControlResult['findings'];
  evidenceSeq: number | null;
  requestedBy: string | null;
}

const SOURCE_NAMES: Record<keyof EvidenceSources, string> = {
  inventory: 'inventory',
  webhookProbes: 'http-probe',
  orderProbe: 'http-probe',
  unredactedOrders: 'platform-sql',
  attestations: 'attestations',
  authorize: 'tenet-pdp',
  logScan: 'cloudwatch-logs',
  self: 'tenet',
};

/**
 * Runs controls and keeps their history: every run is a row in control_runs and a record in the evidence chain.
 * After each run the readiness of the integrations that need the control is recomputed and written into their
 * `Integration` entities (the PDP reads `ready` on the next decision).
 */
export class ControlService {
  readonly catalogue: ReadonlyMap<string, ControlDefinition<any>>;
  readonly evidence: EvidenceStore;
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly authz: Authz;
  readonly settings: ControlSettings;
  private readonly inventory: InventorySource[];
  private readonly live: boolean;
  readonly replica: string;
  private readonly attestations?: AttestationStore;
  private readonly revealRetentionDays: number;
  private readonly env: Record<string, string | undefined>;
  /** Readiness as last computed, by integration id: the entity write transform enforces it. */
  private readiness = new Map<string, boolean>();
  private readinessRunning: Promise<IntegrationReadiness[]> | undefined;
  private readinessQueued: Promise<IntegrationReadiness[]> | undefined;
  private readonly platformQuery?: ReadOnlyQuery;
  readonly logScan?: LogScanService;

  constructor(props: {
    db: Db;
    logger: Logger;
    authz: Authz;
    settings: ControlSettings;
    catalogue: ReadonlyArray<ControlDefinition<any>>;
    inventory: InventorySource[];
    live: boolean;
    attestations?: AttestationStore;
    revealRetentionDays: number;
    replica?: string;
    env?: Record<string, string | undefined>;
    platformQuery?: ReadOnlyQuery;
    logScan?: LogScanService;
  }) {
    this.platformQuery = props.platformQuery;
    this.logScan = props.logScan;
    this.db = props.db;
    this.logger = props.logger;
    this.authz = props.authz;
    this.settings = props.settings;
    this.catalogue = new Map(props.catalogue.map((c) => [c.id, c]));
    this.inventory = props.inventory;
    this.live = props.live;
    this.attestations = props.attestations;
    this.revealRetentionDays = props.revealRetentionDays;
    this.replica = props.replica ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.env = props.env ?? process.env;
    this.evidence = new EvidenceStore(props.db);
    for (const [integration, { controls }] of Object.entries(props.settings.integrations)) {
      for (const c of controls) if (!this.catalogue.has(c)) throw new InputError(`integrations.${integration}: unknown control ${c}`);
    }
    for (const c of Object.keys(props.settings.schedules)) if (!this.catalogue.has(c)) throw new InputError(`schedules: unknown control ${c}`);
    props.authz.entityStore.setWriteTransform((e) => this.enforceReady(e));
  }

  control(id: string): ControlDefinition<any> {
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
        const oldest = await db.selectFrom('pii_reveals').select((eb) => eb.fn.min('at').as('at')).executeTakeFirst();
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
      const row = await this.db
        .insertInto('control_runs')
        .values({ control_id: id, trigger: props.trigger, replica: this.replica, status: 'running', requested_by: props.requestedBy ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      out.push(await this.execute(row.id, id, sources));
    }
    await this.applyReadiness();
    return out;
  }

  /**
   * Claims the run of `controlId` for the tick at `scheduledFor`: one replica wins (advisory lock + the unique
   * (control_id, scheduled_for) row), and none starts while a run of the same control is still going.
   */
  async claim(controlId: string, scheduledFor: Date, staleAfterMs: number): Promise<string | null> {
    return this.db.transaction().execute(async (trx) => {
      const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(73010002, hashtext(${controlId})) AS ok`.execute(trx);
      if (!lock.rows[0]?.ok) return null;
      const running = await trx
        .selectFrom('control_runs')
        .select('id')
        .where('control_id', '=', controlId)
        .where('status', '=', 'running')
        .where('started_at', '>', new Date(Date.now() - staleAfterMs))
        .executeTakeFirst();
      if (running) return null;
      const row = await trx
        .insertInto('control_runs')
        .values({ control_id: controlId, trigger: 'schedule', scheduled_for: scheduledFor, replica: this.replica, status: 'running' })
        .onConflict((oc) => oc.columns(['control_id', 'scheduled_for']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    });
  }

  /** The scheduled run of one tick, if this replica wins it. */
  async runScheduled(controlId: string, scheduledFor: Date, sources = this.sources()): Promise<StoredRun | null> {
    const id = await this.claim(controlId, scheduledFor, this.settings.runTimeoutMs * 2);
    if (!id) return null;
    const run = await this.execute(id, controlId, sources);
    await this.applyReadiness();
    return run;
  }

  private async execute(runId: string, controlId: string, sources: EvidenceSources): Promise<StoredRun> {
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
    try {
      result = await runControl(control, tracked, this.settings);
    } catch (error) {
      // runControl turns every failure into `error`; this is only reached on a bug. Never leave a run "running".
      result = { controlId, status: 'error', findings: [{ resourceId: controlId, message: `run failed: ${(error as Error).message}` }], evidence: null, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 0 };
    }
    const stored = await this.db.transaction().execute(async (trx) => {
      const record = await this.evidence.append(
        {
          controlId,
          source: [...used].sort().join(',') || 'none',
          payload: { runId, status: result.status, summary: result.summary ?? null, findings: result.findings, evidence: result.evidence },
          collectedAt: new Date(result.finishedAt),
        },
        trx,
      );
      return trx
        .updateTable('control_runs')
        .set({
          status: result.status,
          finished_at: result.finishedAt,
          duration_ms: result.durationMs,
          summary: result.summary ?? null,
          findings: JSON.stringify(result.findings),
          evidence_seq: String(record.seq),
        })
        .where('id', '=', runId)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    this.logger.info({ control: controlId, status: result.status, durationMs: result.durationMs, findings: result.findings.length }, 'control run');
    return toRun(stored);
  }

  /** The newest finished run of every control. */
  async latest(): Promise<Map<string, StoredRun>> {
    const rows = await sql<Record<string, unknown>>`
      SELECT DISTINCT ON (control_id) * FROM control_runs
      WHERE status <> 'running' ORDER BY control_id, id DESC`.execute(this.db);
    return new Map(rows.rows.map((r) => [String(r.control_id), toRun(r as never)]));
  }

  async posture(now = Date.now()) {
    const latest = await this.latest();
    return [...this.catalogue.values()].map((c) => {
      const last = latest.get(c.id);
      return {
        id: c.id,
        title: c.title,
        commitment: c.commitment,
        frameworks: c.frameworks,
        severity: c.severity,
        schedule: this.schedule(c.id),
        freshFor: c.freshFor,
        remediation: c.remediation,
        status: currentStatus(c, last && last.finishedAt ? { status: last.status as Exclude<RunStatus, 'running'>, finishedAt: last.finishedAt } : undefined, now),
        lastRun: last ?? null,
      };
    });
  }

  async runs(controlId: string, props: { limit: number; before?: string }): Promise<StoredRun[]> {
    this.control(controlId);
    let q = this.db.selectFrom('control_runs').selectAll().where('control_id', '=', controlId);
    if (props.before) {
      if (!/^\d+$/.test(props.before)) throw new InputError('before: a run id');
      q = q.where('id', '<', props.before);
    }
    return (await q.orderBy('id', 'desc').limit(props.limit).execute()).map((r) => toRun(r as never));
  }

  async run(controlId: string, runId: string) {
    if (!/^\d+$/.test(runId)) throw new NotFoundError(`no run ${runId}`);
    const row = await this.db.selectFrom('control_runs').selectAll().where('control_id', '=', controlId).where('id', '=', runId).executeTakeFirst();
    if (!row) throw new NotFoundError(`no run ${runId} of ${controlId}`);
    const run = toRun(row as never);
    const evidence = run.evidenceSeq ? await this.evidence.get(run.evidenceSeq) : undefined;
    return { ...run, evidence: evidence ?? null };
  }

  // ---- exceptions ------------------------------------------------------------------------------------------

  async exceptions(props: { includeInactive?: boolean } = {}): Promise<Array<ExceptionRow & { active: boolean; revokedBy: string | null }>> {
    const rows = await this.db.selectFrom('control_exceptions').selectAll().orderBy('created_at', 'desc').execute();
    const now = Date.now();
    return rows
      .map((r) => ({
        id: r.id,
        controlId: r.control_id,
        integrationId: r.integration_id,
        reason: r.reason,
        approvedBy: r.approved_by,
        createdAt: new Date(r.created_at).toISOString(),
        expiresAt: new Date(r.expires_at).toISOString(),
        revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
        revokedBy: r.revoked_by,
        active: !r.revoked_at && new Date(r.expires_at).getTime() > now,
      }))
      .filter((r) => props.includeInactive !== false || r.active);
  }

  async addException(props: { controlId: string; integrationId?: string; reason: string; expiresAt: Date; approvedBy: string }) {
    this.control(props.controlId);
    if (props.integrationId && !this.settings.integrations[props.integrationId]) throw new InputError(`integrationId: ${props.integrationId} is not a configured integration`);
    if (props.expiresAt.getTime() <= Date.now()) throw new InputError('expiresAt: must be in the future');
    if (props.expiresAt.getTime() > Date.now() + 366 * 86_400_000) throw new InputError('expiresAt: an exception lasts at most a year');
    const id = randomUUID();
    await this.db
      .insertInto('control_exceptions')
      .values({ id, control_id: props.controlId, integration_id: props.integrationId ?? null, reason: props.reason, approved_by: props.approvedBy, expires_at: props.expiresAt })
      .execute();
    await this.applyReadiness();
    return (await this.exceptions()).find((e) => e.id === id)!;
  }

  async revokeException(id: string, revokedBy: string) {
    const row = await this.db
      .updateTable('control_exceptions')
      .set({ revoked_at: new Date(), revoked_by: revokedBy })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`no active exception ${id}`);
    await this.applyReadiness();
  }

  // ---- readiness -------------------------------------------------------------------------------------------

  async computeReadiness(now = Date.now()): Promise<IntegrationReadiness[]> {
    const latest = await this.latest();
    const exceptions = await this.exceptions({ includeInactive: true });
    return computeReadiness({
      integrations: this.settings.integrations,
      exceptions,
      now,
      status: (id) => {
        const c = this.catalogue.get(id);
        if (!c) return { status: 'unknown_control' };
        const last = latest.get(id);
        return {
          status: currentStatus(c, last?.finishedAt ? { status: last.status as Exclude<RunStatus, 'running'>, finishedAt: last.finishedAt } : undefined, now),
          lastRunAt: last?.finishedAt ?? undefined,
        };
      },
    });
  }

  /**
   * Recomputes readiness and writes `ready` into the Integration entities whose value changed. Calls are
   * serialised; a call made while one is running gets the next computation (which sees everything finished before
   * it was asked for), and calls made while that one waits share it.
   */
  applyReadiness(): Promise<IntegrationReadiness[]> {
    if (this.readinessQueued) return this.readinessQueued;
    const previous = this.readinessRunning;
    const queued = (async () => {
      await previous?.catch(() => {});
      this.readinessQueued = undefined;
      const running = this.computeAndWriteReadiness();
      this.readinessRunning = running;
      return running;
    })();
    this.readinessQueued = queued;
    return queued;
  }

  private async computeAndWriteReadiness(): Promise<IntegrationReadiness[]> {
    const result = await this.computeReadiness();
    this.readiness = new Map(result.map((r) => [r.integrationId, r.ready]));
    const changed: Entity[] = [];
    for (const e of this.authz.entityStore.all('Integration')) {
      const enforced = this.enforceReady(e);
      if (enforced.attrs.ready !== e.attrs.ready) changed.push(enforced);
    }
    if (changed.length) {
      await this.authz.entityStore.upsert(changed);
      this.logger.info({ integrations: changed.map((e) => `${e.uid.id}=${String(e.attrs.ready)}`) }, 'integration readiness changed');
    }
    return result;
  }

  /**
   * `ready` on an Integration entity is Tenet's to decide: configured integrations get the computed value, and a
   * restricted integration with no controls configured is never ready.
   */
  private enforceReady(e: Entity): Entity {
    if (e.uid.type !== 'Integration') return e;
    const configured = this.settings.integrations[e.uid.id];
    let ready: boolean | undefined;
    if (configured) ready = this.readiness.get(e.uid.id) ?? false;
    else if (e.attrs.restricted === true) ready = false;
    if (ready === undefined || e.attrs.ready === ready) return e;
    return { ...e, attrs: { ...e.attrs, ready } };
  }
}

function iso(v: unknown): string | null {
  return v ? new Date(v as string).toISOString() : null;
}

function toRun(r: {
  id: string;
  control_id: string;
  trigger: StoredRun['trigger'];
  scheduled_for: Date | null;
  replica: string;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  summary: string | null;
  findings: unknown;
  evidence_seq: string | null;
  requested_by: string | null;
}): StoredRun {
  return {
    id: String(r.id),
    controlId: r.control_id,
    trigger: r.trigger,
    scheduledFor: iso(r.scheduled_for),
    replica: r.replica,
    status: r.status,
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    summary: r.summary,
    findings: (typeof r.findings === 'string' ? JSON.parse(r.findings) : r.findings) as StoredRun['findings'],
    evidenceSeq: r.evidence_seq === null ? null : Number(r.evidence_seq),
    requestedBy: r.requested_by,
  };
}
