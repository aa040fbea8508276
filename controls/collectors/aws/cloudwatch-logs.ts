import { CloudWatchLogsClient, type CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { DETECTOR_IDS, type DetectorId, type Scanner } from '../../../engine/scanner/types.ts';
import { SCAN_LIMITS } from '../../../engine/scanner/limits.ts';
import { describeError } from './aws-error-message.ts';
import { ExponentialRetryStrategy, mapLimit } from './aws-common.ts';
import { readGroup, storedBytes } from './log-group-read.ts';
import { Tally, type LogGroupJob, type LogGroupScan, type LogGroupTarget, type LogScanCount, type LogScanSample } from './log-group-tally.ts';
import { QueryError, runQuery, type InsightsPrefilterOptions } from './logs-insights-query.ts';

/**
 * The CloudWatch Logs PII scan: reads the events of each log group in a time window and runs the PII and secret
 * scanner over every message. Only counts, masked values and fingerprints leave it; never a message or a raw value.
 *
 * - Each group is read with `FilterLogEvents`, page by page (a page may be empty and still carry a token: reading
 *   goes on until there is no token; a token seen twice is an error). Each page is scanned and dropped: memory holds
 *   counts, never events.
 * - Optionally, large groups (stored bytes ≥ `insightsPrefilter.minStoredBytes`) are pre-filtered with Logs Insights:
 *   one query per ≤ 50 groups of an account × region, polled until it ends, and only the `@message` values it returns
 *   are scanned. A query whose answer was cut short (more matches than rows returned) is not trusted: its groups are
 *   read in full with `FilterLogEvents` instead.
 * - Checkpoints: a run reads a group from `max(since, checkpoint + 1)` to `until`; once the whole window of a group was
 *   read, its checkpoint moves to `until`. A group's findings are in the result exactly when its checkpoint moved (or
 *   the group was deleted mid-scan): a group that failed keeps its old checkpoint, contributes no counts, and is read
 *   again by the next run, so summing the results of successive runs counts every event once.
 * - A group deleted before or during the scan (ResourceNotFoundException) is listed with status `deleted` and no error
 *   (it no longer holds logs; what was read before it vanished is counted). Any other failure gives status `error` and
 *   an entry in `errors` (`aws:<account>:<region>:CloudWatchLogs.<Operation>:<group>`); the other groups are still read.
 *
 * This module runs the scan; a group's read is log-group-read.ts, the Insights prefilter logs-insights-query.ts, and
 * what a group's messages held log-group-tally.ts.
 */

type CredentialsOption = NonNullable<CloudWatchLogsClientConfig['credentials']>;

/** Per-group checkpoints (key: `checkpointKey(group)`): the last event timestamp (epoch ms) fully scanned. */
export interface LogScanCheckpoints {
  get(key: string): Promise<number | undefined>;
  set(key: string, ts: number): Promise<void>;
}

interface LogScanLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface LogScanOptions {
  groups: LogGroupTarget[];
  /** Start of the window, epoch ms. */
  since: number;
  /** End of the window, epoch ms (inclusive); default now, and never later than now. */
  until?: number;
  scanner: Scanner;
  checkpoints?: LogScanCheckpoints;
  /** Credentials for an account; undefined (or no function): the SDK's default provider chain. */
  credentialsFor?: (accountId: string) => CredentialsOption | undefined;
  /** Endpoint for every client (tests: the loopback's URL). */
  endpoint?: string;
  /** Per request (socket idle) timeout; default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Attempts per call, first included; default 5. Throttling, 5xx and timeouts are retried with backoff by the SDK. */
  maxAttempts?: number;
  /** Base of the exponential backoff between attempts; default: the SDK's standard retry strategy. */
  retryDelayMs?: number;
  insightsPrefilter?: InsightsPrefilterOptions;
  /** Masked samples kept per detector (distinct fingerprints); default 5. */
  maxSamplesPerDetector?: number;
  /** Groups (or Insights queries) read at once; default 4. */
  concurrency?: number;
  /** FilterLogEvents pages read from one group before giving up on it; default 100 000. */
  maxPagesPerGroup?: number;
  signal?: AbortSignal;
  logger?: LogScanLogger;
}

export interface LogScanResult {
  window: { since: number; until: number };
  groups: LogGroupScan[];
  counts: Record<DetectorId, number>;
  byGroup: LogScanCount[];
  samples: LogScanSample[];
  errors: Array<{ source: string; message: string }>;
  /** what the scan cannot see (a clean result proves nothing about these) */
  limits?: string[];
}

/** Log groups one Logs Insights query covers at most. */
const GROUPS_PER_QUERY = 50;

export const checkpointKey = (g: LogGroupTarget) => `${g.accountId}:${g.region}:${g.logGroupName}`;

export async function scanLogGroups(options: LogScanOptions): Promise<LogScanResult> {
  const startedAt = Date.now();
  const since = options.since;
  const until = Math.min(options.until ?? startedAt, startedAt);
  const log = options.logger;
  const signal = options.signal;
  const maxSamples = options.maxSamplesPerDetector ?? 5;
  const maxPages = options.maxPagesPerGroup ?? 100_000;
  const prefilter = options.insightsPrefilter;
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const errors: LogScanResult['errors'] = [];

  // ---- clients: one per account × region ----
  let defaultCredentials: CredentialsOption | undefined;
  const clients = new Map<string, CloudWatchLogsClient>();
  const clientFor = (g: LogGroupTarget): CloudWatchLogsClient => {
    const key = `${g.accountId}|${g.region}`;
    let c = clients.get(key);
    if (!c) {
      const credentials = options.credentialsFor?.(g.accountId) ?? (defaultCredentials ??= fromNodeProviderChain());
      c = new CloudWatchLogsClient({
        region: g.region,
        credentials,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        maxAttempts,
        ...(options.retryDelayMs !== undefined ? { retryStrategy: new ExponentialRetryStrategy(maxAttempts, options.retryDelayMs) } : {}),
        // Without throwOnRequestTimeout the handler only warns when requestTimeout passes, and waits on.
        requestHandler: { requestTimeout, connectionTimeout: Math.min(requestTimeout, 5_000), throwOnRequestTimeout: true },
      });
      clients.set(key, c);
    }
    return c;
  };
  const send = { abortSignal: signal };

  // ---- per-group state ----
  const jobs: LogGroupJob[] = options.groups.map((g) => ({
    target: { accountId: g.accountId, region: g.region, logGroupName: g.logGroupName },
    scan: {
      accountId: g.accountId,
      region: g.region,
      logGroupName: g.logGroupName,
      eventsScanned: 0,
      bytesScanned: 0,
      from: since,
      to: until,
      status: 'ok',
      method: 'none',
    },
    tally: new Tally(maxSamples),
  }));
  const source = (j: LogGroupJob, operation: string) => `aws:${j.target.accountId}:${j.target.region}:CloudWatchLogs.${operation}:${j.target.logGroupName}`;
  const fail = (j: LogGroupJob, src: string, message: string) => {
    j.scan.status = 'error';
    j.scan.error = message;
    j.tally = new Tally(maxSamples); // a failed group contributes nothing: the next run reads it again
    errors.push({ source: src, message });
    log?.warn({ source: src, error: message }, 'log group scan failed');
  };
  const deleted = (j: LogGroupJob) => {
    j.scan.status = 'deleted';
    log?.debug({ group: checkpointKey(j.target) }, 'log group deleted; not scanned further');
  };
  /** The group's window was read in full: move its checkpoint (a checkpoint that cannot be saved fails the group). */
  const done = async (j: LogGroupJob) => {
    if (!options.checkpoints) return;
    try {
      await options.checkpoints.set(checkpointKey(j.target), j.scan.to);
    } catch (err) {
      fail(j, `checkpoints:${checkpointKey(j.target)}`, `the checkpoint could not be saved: ${describeError(err)}`);
    }
  };

  try {
    // 1. Each group's window (from its checkpoint) and, with the prefilter, whether it is large.
    const large = new Set<LogGroupJob>();
    await mapLimit(jobs, options.concurrency ?? 4, async (j) => {
      if (signal?.aborted) return fail(j, source(j, 'FilterLogEvents'), 'scan aborted');
      if (options.checkpoints) {
        let cp: number | undefined;
        try {
          cp = await options.checkpoints.get(checkpointKey(j.target));
        } catch (err) {
          return fail(j, `checkpoints:${checkpointKey(j.target)}`, `the checkpoint could not be read: ${describeError(err)}`);
        }
        if (typeof cp === 'number' && Number.isFinite(cp)) j.scan.from = Math.max(since, cp + 1);
      }
      if (j.scan.from > j.scan.to || !prefilter) return;
      if (!prefilter.minStoredBytes) {
        large.add(j);
        return;
      }
      try {
        const stored = await storedBytes(clientFor(j.target), j.target.logGroupName, send);
        if (stored !== undefined && stored >= prefilter.minStoredBytes) large.add(j);
      } catch (err) {
        // Unknown size: read it in full, which is always right.
        log?.warn({ source: source(j, 'DescribeLogGroups'), error: describeError(err) }, 'log group size unknown; reading it in full');
      }
    });

    // 2. Units of work: one FilterLogEvents read per group, one Insights query per ≤ 50 large groups of a region.
    const pending = jobs.filter((j) => j.scan.status === 'ok' && j.scan.from <= j.scan.to);
    const units: Array<() => Promise<void>> = [];
    const byRegion = new Map<string, LogGroupJob[]>();
    for (const j of pending) {
      if (!large.has(j)) {
        units.push(() => filterUnit(j));
        continue;
      }
      const key = `${j.target.accountId}|${j.target.region}`;
      byRegion.set(key, [...(byRegion.get(key) ?? []), j]);
    }
    for (const region of byRegion.values()) {
      for (let i = 0; i < region.length; i += GROUPS_PER_QUERY) {
        const batch = region.slice(i, i + GROUPS_PER_QUERY);
        units.push(() => insightsUnit(batch));
      }
    }
    await mapLimit(units, options.concurrency ?? 4, (u) => u());
  } finally {
    for (const c of clients.values()) c.destroy();
  }

  async function filterUnit(j: LogGroupJob): Promise<void> {
    if (signal?.aborted) return fail(j, source(j, 'FilterLogEvents'), 'scan aborted');
    j.scan.method = 'FilterLogEvents';
    j.tally = new Tally(maxSamples);
    j.scan.eventsScanned = 0;
    j.scan.bytesScanned = 0;
    try {
      await readGroup(clientFor(j.target), j, options.scanner, maxPages, send);
    } catch (err) {
      if (isNotFound(err)) return deleted(j);
      return fail(j, source(j, 'FilterLogEvents'), signal?.aborted ? 'scan aborted' : describeError(err));
    }
    log?.debug({ group: checkpointKey(j.target), events: j.scan.eventsScanned, from: j.scan.from, to: j.scan.to }, 'log group scanned');
    await done(j);
  }

  async function insightsUnit(batch: LogGroupJob[]): Promise<void> {
    if (signal?.aborted) {
      for (const j of batch) fail(j, source(j, 'StartQuery'), 'scan aborted');
      return;
    }
    for (const j of batch) {
      j.scan.method = 'Insights';
      j.tally = new Tally(maxSamples);
      j.scan.eventsScanned = 0;
      j.scan.bytesScanned = 0;
    }
    let outcome: 'complete' | 'truncated';
    try {
      outcome = await runQuery(clientFor(batch[0].target), batch, prefilter!, options.scanner, signal, log);
    } catch (err) {
      const e = err instanceof QueryError ? err : new QueryError('StartQuery', err);
      if (isNotFound(e.cause)) {
        // One of the groups is gone (StartQuery names no culprit): ask for each group on its own.
        if (batch.length > 1) {
          for (const j of batch) await insightsUnit([j]);
          return;
        }
        return deleted(batch[0]);
      }
      const message = signal?.aborted ? 'scan aborted' : (e.message ?? describeError(e.cause));
      for (const j of batch) fail(j, source(j, e.operation), message);
      return;
    }
    if (outcome === 'truncated') {
      log?.warn({ groups: batch.map((j) => checkpointKey(j.target)) }, 'Logs Insights returned fewer rows than matched; reading the groups in full');
      for (const j of batch) await filterUnit(j);
      return;
    }
    for (const j of batch) await done(j);
  }

  // 3. The result: groups in the order asked; counts of the groups that were read (or deleted mid-read).
  const counts = Object.fromEntries(DETECTOR_IDS.map((d) => [d, 0])) as Record<DetectorId, number>;
  const byGroup: LogScanCount[] = [];
  const samples: LogScanSample[] = [];
  const sampled = new Map<DetectorId, Set<string>>();
  for (const j of jobs) {
    if (j.scan.status === 'error') continue;
    for (const [d, n] of j.tally.counts) counts[d] += n;
    for (const stream of j.tally.streams.values()) byGroup.push(stream); // not push(...): a group may hold 100,000s of streams
    for (const s of j.tally.samples) {
      const seen = sampled.get(s.detector) ?? new Set<string>();
      sampled.set(s.detector, seen);
      if (seen.size >= maxSamples || seen.has(s.fingerprint)) continue;
      seen.add(s.fingerprint);
      samples.push(s);
    }
  }
  return { window: { since, until }, groups: jobs.map((j) => j.scan), counts, byGroup, samples, errors, limits: [...SCAN_LIMITS] };
}

function isNotFound(err: unknown): boolean {
  return (err as { name?: unknown } | undefined)?.name === 'ResourceNotFoundException';
}
