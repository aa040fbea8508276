import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { sql } from 'kysely';
import { parseDuration, type ControlDefinition, type EvidenceSources } from '../../controls/define-control.ts';
import type { InventorySource } from '../../controls/collectors/inventory-source.ts';
import { createEvidenceSources } from '../../controls/collectors/sources.ts';
import type { ReadOnlyQuery } from '../../controls/collectors/platform-db.ts';
import { currentStatus, runControl, type ControlResult } from '../../controls/runner.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import type { Authz } from '../authz/create-authz.ts';
import type { Entity } from '../authz/entity.ts';
import { loadConfig } from '../kernel/config.ts';
import type { Db } from '../db/database.ts';
import type { RunStatus } from '../db/schema.ts';
import { InputError, NotFoundError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AttestationStore } from './attestation-store.ts';
import type { LogScanService } from './log-scan.ts';
import { computeReadiness, enforceIntegration, type ExceptionRow, type IntegrationReadiness } from './readiness.ts';

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

/** Where the control settings came from, and the retention periods in force: shown by GET /v1/settings. */
export interface SettingsOrigin {
  /** the settings file path, "demo", or "inline" (settings given in code, e.g. tests) */
  source: string;
  demo: boolean;
}
export interface RetentionDays {
  decisionDays: number;
  revealDays: number;
  evidenceDays: number;
}

export type HistoryStatus = Exclude<RunStatus, 'running'>;
export interface PostureDay {
  date: string;
  pass: number;
  fail: number;
  error: number;
  /** not_applicable + stale: pass + fail + error + other = the controls with a result that day */
  other: number;
  stale: number;
  notApplicable: number;
  /** pass / (pass + fail + error + stale); null when no control was evaluated */
  passRate: number | null;
}
export interface PostureChange {
  controlId: string;
  title: string;
  from: HistoryStatus | null;
  to: HistoryStatus;
  at: string;
  runId: string;
}

const DAY_MS = 86_400_000;

const SOURCE_NAMES: Record<keyof EvidenceSources, string> = {
  inventory: 'inventory',
  webhookProbes: 'http-probe',
  corsProbes: 'http-probe',
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
  readonly origin: SettingsOrigin;
  readonly retention: RetentionDays;

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
    origin?: SettingsOrigin;
    /** decision and evidence retention (the reveal retention is revealRetentionDays); defaults: the config defaults */
    retention?: Omit<RetentionDays, 'revealDays'>;
  }) {
    this.origin = props.origin ?? { source: 'inline', demo: false };
    const defaults = props.retention ? undefined : loadConfig({});
    this.retention = {
      decisionDays: props.retention?.decisionDays ?? defaults!.TENET_DECISION_RETENTION_DAYS,
      revealDays: props.revealRetentionDays,
      evidenceDays: props.retention?.evidenceDays ?? defaults!.TENET_EVIDENCE_RETENTION_DAYS,
    };
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
    props.authz.entityStore.setWriteTransform((e, ctx) => this.enforceOwned(e, ctx), ['Integration']);
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
      result = {
        controlId,
        status: 'error',
        findings: [{ resourceId: controlId, message: `run failed: ${(error as Error).message}` }],
        evidence: null,
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: 0,
      };
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
        status: currentStatus(
          c,
          last && last.finishedAt ? { status: last.status as Exclude<RunStatus, 'running'>, finishedAt: last.finishedAt } : undefined,
          now,
        ),
        lastRun: last ?? null,
      };
    });
  }

  /**
   * Posture per UTC day over the last `days` days (today included): each catalogue control counts with its last
   * finished status of that day, or, on a day it did not run, the status carried forward from its last run before
   * (judged stale, as `currentStatus` does, when older than its freshFor at the end of that day). Plus the newest
   * status changes (a run whose status differs from the control's previous finished run) inside the period, of
   * catalogue controls. Two queries, whatever the number of runs; a short period reads only its own runs.
   */
  async postureHistory(props: { days: number; now?: number }): Promise<{ days: PostureDay[]; changes: PostureChange[] }> {
    const now = new Date(props.now ?? Date.now());
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const start = new Date(today - (props.days - 1) * DAY_MS);
    const startDate = start.toISOString().slice(0, 10);
    const endDate = new Date(today).toISOString().slice(0, 10);
    const fresh = JSON.stringify(Object.fromEntries([...this.catalogue.values()].map((c) => [c.id, parseDuration(c.freshFor)])));
    // Per catalogue control, its last finished run before the period: with it, the period's runs are all that is
    // needed (carried-forward status, and the `from` of the period's first change). Run ids order runs, as in latest().
    const seed = sql`
      fresh AS (
        SELECT key AS control_id, value::bigint AS fresh_ms FROM jsonb_each_text(${fresh}::jsonb)
      ),
      seed AS (
        SELECT f.control_id, (
          SELECT r.id FROM control_runs r
          WHERE r.control_id = f.control_id AND r.status <> 'running' AND r.finished_at < ${start}
          ORDER BY r.id DESC LIMIT 1
        ) AS id
        FROM fresh f
      )`;
    const days = await sql<{ date: string; pass: string; fail: string; error: string; stale: string; not_applicable: string }>`
      WITH ${seed},
      -- per control and day, the last finished run (runs before the period fall on the day before it): its finish
      -- time in µs and its status packed into one bigint, so one hash aggregate finds it, with no sort of all runs
      buckets AS (
        SELECT control_id, day,
          (ARRAY['pass', 'fail', 'error', 'not_applicable'])[(packed % 8) + 1] AS status,
          to_timestamp((packed / 8) / 1e6) AS finished_at
        FROM (
          SELECT r.control_id,
            CASE WHEN r.finished_at < ${start} THEN ${startDate}::date - 1 ELSE (r.finished_at AT TIME ZONE 'UTC')::date END AS day,
            max((extract(epoch FROM r.finished_at) * 1e6)::bigint * 8 + array_position(ARRAY['pass', 'fail', 'error', 'not_applicable'], r.status) - 1) AS packed
          FROM control_runs r
          WHERE r.status IN ('pass', 'fail', 'error', 'not_applicable') AND r.finished_at IS NOT NULL AND r.finished_at <= ${now}
            AND (r.finished_at >= ${start} OR r.id IN (SELECT id FROM seed))
            AND r.control_id IN (SELECT control_id FROM fresh)
          GROUP BY 1, 2
        ) p
      ),
      days AS (
        SELECT d::date AS day FROM generate_series(${startDate}::date - 1, ${endDate}::date, interval '1 day') AS d
      ),
      grid AS (
        SELECT c.control_id, c.fresh_ms, d.day, b.status, b.finished_at,
          count(b.finished_at) OVER (PARTITION BY c.control_id ORDER BY d.day) AS grp
        FROM fresh c CROSS JOIN days d
        LEFT JOIN buckets b ON b.control_id = c.control_id AND b.day = d.day
      ),
      -- carried forward: each day takes the last bucket at or before it
      filled AS (
        SELECT g.day, g.fresh_ms,
          first_value(g.status) OVER w AS status,
          first_value(g.finished_at) OVER w AS finished_at
        FROM grid g
        WINDOW w AS (PARTITION BY g.control_id, g.grp ORDER BY g.day)
      ),
      -- judged as currentStatus does, as of the end of the day (or now, today)
      judged AS (
        SELECT f.day,
          CASE
            WHEN f.status = 'error' THEN 'error'
            WHEN extract(epoch FROM (LEAST(((f.day + 1)::timestamp AT TIME ZONE 'UTC'), ${now}::timestamptz) - f.finished_at)) * 1000 > f.fresh_ms THEN 'stale'
            ELSE f.status
          END AS status
        FROM filled f
        WHERE f.status IS NOT NULL AND f.day >= ${startDate}::date
      )
      SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
        count(j.status) FILTER (WHERE j.status = 'pass') AS pass,
        count(j.status) FILTER (WHERE j.status = 'fail') AS fail,
        count(j.status) FILTER (WHERE j.status = 'error') AS error,
        count(j.status) FILTER (WHERE j.status = 'stale') AS stale,
        count(j.status) FILTER (WHERE j.status = 'not_applicable') AS not_applicable
      FROM days d LEFT JOIN judged j ON j.day = d.day
      WHERE d.day >= ${startDate}::date
      GROUP BY d.day ORDER BY d.day`.execute(this.db);
    // Per control, newest first along its index, the runs whose status differs from the run before (lead): at most
    // 20 each, then the newest 20 overall.
    const changes = await sql<{ id: string; control_id: string; status: HistoryStatus; prev: HistoryStatus | null; finished_at: Date }>`
      WITH ${seed}
      SELECT ch.id, ch.control_id, ch.status, ch.prev, ch.finished_at FROM seed s CROSS JOIN LATERAL (
        SELECT * FROM (
          SELECT r.id, r.control_id, r.status, r.finished_at, lead(r.status) OVER (ORDER BY r.id DESC) AS prev
          FROM control_runs r
          WHERE r.control_id = s.control_id AND r.id >= coalesce(s.id, 0) AND r.status <> 'running' AND r.finished_at IS NOT NULL
          ORDER BY r.id DESC
        ) x
        WHERE x.prev IS DISTINCT FROM x.status AND x.finished_at >= ${start} AND x.finished_at <= ${now}
        LIMIT 20
      ) ch
      ORDER BY ch.finished_at DESC, ch.id DESC
      LIMIT 20`.execute(this.db);
    return {
      days: days.rows.map((r) => {
        const [pass, fail, error, stale, notApplicable] = [r.pass, r.fail, r.error, r.stale, r.not_applicable].map(Number);
        const evaluated = pass + fail + error + stale;
        return { date: r.date, pass, fail, error, other: stale + notApplicable, stale, notApplicable, passRate: evaluated ? pass / evaluated : null };
      }),
      changes: changes.rows.map((r) => ({
        controlId: r.control_id,
        title: this.catalogue.get(r.control_id)?.title ?? r.control_id,
        from: r.prev,
        to: r.status,
        at: new Date(r.finished_at).toISOString(),
        runId: String(r.id),
      })),
    };
  }

  /**
   * What is being checked, as configured, for the console's settings page: never a secret. Role external ids,
   * probe header values and database credentials live in the environment or are left out; URLs lose their
   * user info and query; trusted attestation keys are shown by key id and JWK thumbprint.
   */
  async describeSettings() {
    const s = this.settings;
    const environments = new Map<string, { environment: string; accounts: string[]; resources: string[] }>();
    const env = (name: string) => environments.get(name) ?? environments.set(name, { environment: name, accounts: [], resources: [] }).get(name)!;
    for (const [account, name] of Object.entries(s.environments.accounts)) env(name).accounts.push(account);
    for (const [resource, name] of Object.entries(s.environments.resources)) env(name).resources.push(resource);
    const orders = s.probes.orders;
    return {
      source: this.origin.source,
      demo: this.origin.demo,
      environments: [...environments.values()],
      aws: s.aws
        ? {
            accounts: s.aws.accounts.map((a) => ({
              accountId: a.accountId,
              regions: a.regions,
              ...(a.roleArn ? { roleArn: a.roleArn } : {}),
              externalId: a.externalId ? 'configured' : null,
            })),
            endpoint: s.aws.endpoint ? safeUrl(s.aws.endpoint) : null,
            requestTimeoutMs: s.aws.requestTimeoutMs,
            maxAttempts: s.aws.maxAttempts,
          }
        : null,
      snapshots: s.snapshots,
      probes: [
        ...s.probes.webhooks.map((w) => ({
          name: w.name,
          kind: 'webhook' as const,
          url: safeUrl(w.url),
          provider: w.provider,
          signatureHeader: w.signatureHeader,
        })),
        ...(orders
          ? [
              {
                name: 'orders',
                kind: 'orders' as const,
                url: safeUrl(orders.url),
                headers: Object.keys(orders.headersFromEnv),
                buyerFields: orders.buyerFields,
                ordersPath: orders.ordersPath,
              },
            ]
          : []),
      ],
      probeHosts: s.probes.allowedHosts,
      probeTimeoutMs: s.probes.timeoutMs,
      logScan: s.logScan
        ? {
            groups: [
              ...s.logScan.groups.map((g) => ({ logGroupName: g.logGroupName, accountId: g.accountId, region: g.region, source: 'cloudwatch' as const })),
              ...s.logScan.exports.map((e) => ({ logGroupName: e.logGroupName, source: 'export' as const })),
            ],
            windowHours: s.logScan.windowHours,
            insightsPrefilter: Boolean(s.logScan.insightsPrefilter),
            maxSamplesPerDetector: s.logScan.maxSamplesPerDetector,
          }
        : null,
      platformDatabase: s.platformDatabase
        ? this.platformQuery
          ? {
              status: 'configured' as const,
              host: 'in-process',
              database: null,
              statementTimeoutMs: s.platformDatabase.statementTimeoutMs,
              backfillQuery: Boolean(s.platformDatabase.unredactedOrdersQuery),
            }
          : describeDatabase(this.env[s.platformDatabase.urlEnv], s.platformDatabase)
        : null,
      attestations: {
        trustedKeys: await Promise.all(s.attestations.trustedKeys.map(async (k) => ({ kid: k.kid, fingerprint: await jwkFingerprint(k.jwk) }))),
      },
      schedules: [...this.catalogue.keys()].map((id) => ({ controlId: id, cron: this.schedule(id), overridden: id in s.schedules })),
      integrations: Object.entries(s.integrations).map(([id, i]) => ({ id, controls: i.controls })),
      requirements: s.requirements,
      packs: {
        organisation: s.packs.organisation,
        google: { privacyPolicyUrl: s.packs.google.privacyPolicyUrl ? safeUrl(s.packs.google.privacyPolicyUrl) : null, scopes: s.packs.google.scopes },
      },
      runTimeoutMs: s.runTimeoutMs,
      retention: this.retention,
    };
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
    if (props.integrationId && !this.settings.integrations[props.integrationId])
      throw new InputError(`integrationId: ${props.integrationId} is not a configured integration`);
    if (props.expiresAt.getTime() <= Date.now()) throw new InputError('expiresAt: must be in the future');
    if (props.expiresAt.getTime() > Date.now() + 366 * 86_400_000) throw new InputError('expiresAt: an exception lasts at most a year');
    const id = randomUUID();
    await this.db
      .insertInto('control_exceptions')
      .values({
        id,
        control_id: props.controlId,
        integration_id: props.integrationId ?? null,
        reason: props.reason,
        approved_by: props.approvedBy,
        expires_at: props.expiresAt,
      })
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
    // Stored entities that disagree with what Tenet owns (readiness changed; settings changed since they were
    // written) are rewritten; the write transform itself decides the values, here as on every push.
    const changed: Entity[] = [];
    for (const e of this.authz.entityStore.all('Integration')) {
      if (this.enforceOwned(e, { previous: e, privileged: false }) !== e) changed.push(e);
    }
    if (changed.length) {
      await this.authz.entityStore.upsert(changed);
      this.logger.info(
        { integrations: changed.map((e) => `${e.uid.id}=${String(this.authz.entityStore.get(e.uid)?.attrs.ready)}`) },
        'integration readiness changed',
      );
    }
    return result;
  }

  /**
   * The entity store's write transform for Integration entities: `provider`, `restricted` and `ready` of a
   * configured integration are Tenet's (settings and posture), and `status` moves only toward `suspended` unless
   * an administrator writes it (see enforceIntegration).
   */
  private enforceOwned(e: Entity, ctx: { previous: Entity | undefined; privileged: boolean }): Entity {
    return enforceIntegration({
      entity: e,
      configured: this.settings.integrations[e.uid.id],
      computedReady: this.readiness.get(e.uid.id),
      previous: ctx.previous,
      privileged: ctx.privileged,
    });
  }
}

/** A URL without user info, query or fragment (they can carry credentials or tokens). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(not a URL)';
  }
}

/** The platform database as host and database name only: never the user, password or parameters. */
function describeDatabase(url: string | undefined, db: { statementTimeoutMs: number; unredactedOrdersQuery?: string }) {
  const base = { statementTimeoutMs: db.statementTimeoutMs, backfillQuery: Boolean(db.unredactedOrdersQuery) };
  if (!url) return { status: 'missing' as const, ...base };
  try {
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!u.hostname) return { status: 'configured' as const, ...base };
    return { status: 'configured' as const, host: u.host, database: database || null, ...base };
  } catch {
    return { status: 'configured' as const, ...base };
  }
}

/** RFC 7638 thumbprint of a public JWK (sha256 of the canonical JSON when it is not a complete JWK). */
async function jwkFingerprint(jwk: Record<string, unknown>): Promise<string> {
  try {
    return `sha256:${await calculateJwkThumbprint(jwk as JWK, 'sha256')}`;
  } catch {
    const canonical = JSON.stringify(Object.fromEntries(Object.entries(jwk).sort(([a], [b]) => a.localeCompare(b))));
    return `sha256-hex:${createHash('sha256').update(canonical).digest('hex')}`;
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
