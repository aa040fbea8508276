import type { LogScanEvidence } from '../../controls/log-scan-evidence.ts';
import type { LogScanResult } from '../../controls/collectors/aws/cloudwatch-logs.ts';
import { scanLogExports } from '../../controls/collectors/log-export.ts';
import { createScanner } from '../scanner/scanner.ts';
import type { Scanner } from '../scanner/types.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../kernel/logger.ts';

/**
 * The CloudWatch Logs PII scan behind `logging.cloudwatch-pii-scan`. Each call scans what is new in each
 * configured group (checkpoints in the database), stores the scan's counts and masked samples, and returns the
 * sum of every scan since the newest recorded deployment (or the configured window when none is recorded).
 */
export class LogScanService {
  private scanner: Promise<Scanner> | undefined;

  /** `secret`: the fingerprint key, from the key file or the environment (evidence/ledger/keys.ts), never from a table. */
  constructor(private readonly props: { db: Db; settings: ControlSettings; logger: Logger; secret: string }) {}

  get configured(): boolean {
    return Boolean(this.props.settings.logScan);
  }

  private getScanner(): Promise<Scanner> {
    this.scanner ??= Promise.resolve(createScanner({ secret: this.props.secret }));
    return this.scanner;
  }

  /**
   * Records a deployment. Scans made before it was recorded may have read past its time, so checkpoints beyond it
   * are moved back to it: what was logged since the deployment is scanned again, under the new window.
   */
  async recordDeployment(props: { deployedAt: Date; version: string; recordedBy: string }) {
    const row = await this.props.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('log_scan_checkpoints')
        .set({ ts: props.deployedAt.getTime() - 1, updated_at: new Date() })
        .where('ts', '>=', String(props.deployedAt.getTime()))
        .execute();
      return trx
        .insertInto('deployments')
        .values({ deployed_at: props.deployedAt, version: props.version, recorded_by: props.recordedBy })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { id: row.id, deployedAt: new Date(row.deployed_at).toISOString(), version: row.version, recordedBy: row.recorded_by };
  }

  async lastDeployment() {
    const row = await this.props.db
      .selectFrom('deployments')
      .selectAll()
      .where('deployed_at', '<=', new Date())
      .orderBy('deployed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { deployedAt: new Date(row.deployed_at), version: row.version } : undefined;
  }

  async scan(now = Date.now()): Promise<LogScanEvidence> {
    const cfg = this.props.settings.logScan;
    if (!cfg) throw new Error('logScan is not configured');
    const { db, settings } = this.props;
    const deployment = await this.lastDeployment();
    const since = deployment ? deployment.deployedAt.getTime() : now - cfg.windowHours * 3_600_000;
    const scanner = await this.getScanner();
    const checkpoints = {
      get: async (key: string) => {
        const row = await db.selectFrom('log_scan_checkpoints').select('ts').where('key', '=', key).executeTakeFirst();
        return row ? Number(row.ts) : undefined;
      },
      set: async (key: string, ts: number) => {
        await db
          .insertInto('log_scan_checkpoints')
          .values({ key, ts })
          .onConflict((oc) => oc.column('key').doUpdateSet({ ts, updated_at: new Date() }))
          .execute();
      },
    };
    const parts: LogScanResult[] = [];
    if (cfg.groups.length) {
      // The AWS SDK is loaded when log groups are to be scanned, not at every start (start-up time).
      const { scanLogGroups } = await import('../../controls/collectors/aws/cloudwatch-logs.ts');
      const { fromNodeProviderChain, fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
      const base = fromNodeProviderChain();
      const roles = new Map(settings.aws?.accounts.filter((a) => a.roleArn).map((a) => [a.accountId, a]) ?? []);
      parts.push(
        await scanLogGroups({
          groups: cfg.groups,
          since,
          until: now,
          scanner,
          endpoint: settings.aws?.endpoint,
          requestTimeoutMs: settings.aws?.requestTimeoutMs,
          maxAttempts: settings.aws?.maxAttempts,
          maxSamplesPerDetector: cfg.maxSamplesPerDetector,
          insightsPrefilter: cfg.insightsPrefilter,
          credentialsFor: (accountId: string) => {
            const a = roles.get(accountId);
            if (!a) return base;
            return fromTemporaryCredentials({
              params: { RoleArn: a.roleArn!, RoleSessionName: 'tenet-log-scan', ...(a.externalId ? { ExternalId: a.externalId } : {}) },
              masterCredentials: base,
              clientConfig: { region: a.regions?.[0] ?? 'us-east-1', ...(settings.aws?.endpoint ? { endpoint: settings.aws.endpoint } : {}) },
            });
          },
          checkpoints,
          logger: this.props.logger,
        }),
      );
    }
    if (cfg.exports.length) {
      parts.push(await scanLogExports({ exports: cfg.exports, since, until: now, scanner, checkpoints, maxSamplesPerDetector: cfg.maxSamplesPerDetector }));
    }
    const merged: Record<string, number> = {};
    for (const p of parts) for (const [d, n] of Object.entries(p.counts)) merged[d] = (merged[d] ?? 0) + n;
    const result: LogScanResult = {
      window: { since, until: now },
      groups: parts.flatMap((p) => p.groups),
      counts: merged as LogScanResult['counts'],
      byGroup: parts.flatMap((p) => p.byGroup),
      samples: parts.flatMap((p) => p.samples),
      errors: parts.flatMap((p) => p.errors),
    };
    await db
      .insertInto('log_scans')
      .values({ since_ms: result.window.since, until_ms: result.window.until, result: JSON.stringify(result) })
      .execute();

    // The verdict covers every scan of the window, not only this one's new events: since a deployment, the scans
    // made under it (checkpoints were moved back to it when it was recorded); without one, every scan that reached
    // into the rolling window (a finding may be counted until its whole scan has left the window).
    let q = db.selectFrom('log_scans').select('result');
    q = deployment ? q.where('since_ms', '>=', String(since)) : q.where('until_ms', '>', String(since));
    const rows = await q.orderBy('id', 'asc').execute();
    const counts: Record<string, number> = {};
    const byGroup = new Map<string, LogScanEvidence['byGroup'][number]>();
    const samples: LogScanEvidence['samples'] = [];
    const events = new Map<string, { eventsScanned: number; bytesScanned: number }>();
    for (const { result: raw } of rows) {
      const r = (typeof raw === 'string' ? JSON.parse(raw) : raw) as LogScanResult;
      for (const [d, n] of Object.entries(r.counts)) if (n) counts[d] = (counts[d] ?? 0) + n;
      for (const g of r.byGroup) {
        const key = `${g.logGroupName}\n${g.logStreamName}\n${g.detector}`;
        const cur = byGroup.get(key);
        if (cur) cur.count += g.count;
        else byGroup.set(key, { ...g });
      }
      for (const s of r.samples) if (samples.length < 200) samples.push(s);
      for (const g of r.groups) {
        const key = `${g.accountId}\n${g.region}\n${g.logGroupName}`;
        const cur = events.get(key) ?? { eventsScanned: 0, bytesScanned: 0 };
        events.set(key, { eventsScanned: cur.eventsScanned + g.eventsScanned, bytesScanned: cur.bytesScanned + g.bytesScanned });
      }
    }
    return {
      window: { since, until: now, reason: deployment ? 'deployment' : 'window', deployment: deployment?.version ?? null },
      scans: rows.length,
      groups: result.groups.map((g) => ({
        accountId: g.accountId,
        region: g.region,
        logGroupName: g.logGroupName,
        status: g.status,
        ...(g.error ? { error: g.error } : {}),
        ...(events.get(`${g.accountId}\n${g.region}\n${g.logGroupName}`) ?? { eventsScanned: 0, bytesScanned: 0 }),
      })),
      counts,
      byGroup: [...byGroup.values()],
      samples,
      errors: result.errors,
    };
  }
}
