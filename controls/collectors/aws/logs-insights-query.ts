/** The Logs Insights prefilter of the CloudWatch Logs PII scan: one query over a batch of large groups. */
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type GetQueryResultsResponse,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Scanner } from '../../../engine/scanner/types.ts';
import { describeError } from './aws-error-message.ts';
import { tokenDigest } from './aws-pagination.ts';
import type { LogGroupJob } from './log-group-tally.ts';

export interface InsightsPrefilterOptions {
  /** Groups storing at least this many bytes (DescribeLogGroups `storedBytes`) are pre-filtered; default 0: every group. */
  minStoredBytes?: number;
  /**
   * The Logs Insights filter, e.g. `filter @message like /[0-9]{12}|@/`. Unless it starts with `fields`, the collector
   * puts `fields @timestamp, @message, @logStream, @log |` in front (a query of its own must return those four).
   */
  queryString: string;
  /** Rows a query may return (StartQuery `limit`, at most 100 000); default 10 000. More matches: the groups are read in full. */
  limit?: number;
  /** Between GetQueryResults polls; default 1 000 ms. */
  pollIntervalMs?: number;
  /** A query still running after this long is stopped and its groups fail; default 15 minutes. */
  timeoutMs?: number;
}

const DEFAULT_LIMIT = 10_000;
const MAX_LIMIT = 100_000;
const RESULT_PAGE = 10_000;

/** A failed query: the operation that failed, and the service's error (if one). */
export class QueryError extends Error {
  constructor(
    readonly operation: 'StartQuery' | 'GetQueryResults',
    readonly cause: unknown,
    message?: string,
  ) {
    super(message ?? describeError(cause));
  }
}

/**
 * One Logs Insights query over a batch of groups of one account × region. Scans the `@message` of every row into its
 * group's tally. `truncated`: the query matched more rows than it returned (the tallies are then incomplete).
 */
export async function runQuery(
  client: CloudWatchLogsClient,
  batch: LogGroupJob[],
  prefilter: InsightsPrefilterOptions,
  scanner: Scanner,
  signal: AbortSignal | undefined,
  log: { debug(obj: object, msg?: string): void } | undefined,
): Promise<'complete' | 'truncated'> {
  const send = { abortSignal: signal };
  const limit = Math.min(Math.max(1, Math.floor(prefilter.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
  const from = Math.min(...batch.map((j) => j.scan.from));
  const to = Math.max(...batch.map((j) => j.scan.to));
  const filter = prefilter.queryString.trim();
  const queryString = /^fields\b/i.test(filter) ? filter : `fields @timestamp, @message, @logStream, @log | ${filter}`;
  const byName = new Map(batch.map((j) => [j.target.logGroupName, j]));

  let queryId: string | undefined;
  try {
    const started = await client.send(
      new StartQueryCommand({
        logGroupNames: batch.map((j) => j.target.logGroupName),
        // Epoch seconds, inclusive; rows outside a group's own window (in ms) are dropped below.
        startTime: Math.floor(from / 1000),
        endTime: Math.ceil(to / 1000),
        queryString,
        limit,
      }),
      send,
    );
    queryId = started.queryId;
  } catch (err) {
    throw new QueryError('StartQuery', err);
  }
  if (!queryId) throw new QueryError('StartQuery', undefined, 'StartQuery answered no queryId');

  // Poll until the query ends.
  const deadline = Date.now() + (prefilter.timeoutMs ?? 15 * 60_000);
  let res: GetQueryResultsResponse;
  for (;;) {
    try {
      await sleep(prefilter.pollIntervalMs ?? 1_000, signal);
      res = await client.send(new GetQueryResultsCommand({ queryId, maxItems: RESULT_PAGE }), send);
    } catch (err) {
      throw new QueryError('GetQueryResults', err);
    }
    const status = res.status ?? 'Unknown';
    if (status === 'Complete') break;
    if (status !== 'Running' && status !== 'Scheduled') throw new QueryError('GetQueryResults', undefined, `the Logs Insights query ended ${status}`);
    if (Date.now() > deadline) {
      await client.send(new StopQueryCommand({ queryId }), send).catch(() => undefined);
      throw new QueryError('GetQueryResults', undefined, `the Logs Insights query was still running after ${prefilter.timeoutMs ?? 15 * 60_000} ms`);
    }
  }

  const matched = res.statistics?.recordsMatched;
  if (typeof matched === 'number' && matched > limit) return 'truncated';
  let rows = 0;
  const seen = new Set<string>();
  for (;;) {
    for (const row of res.results ?? []) {
      rows += 1;
      const fields = new Map(row.map((f) => [f.field ?? '', f.value ?? '']));
      const message = fields.get('@message');
      const at = Date.parse(`${(fields.get('@timestamp') ?? '').replace(' ', 'T')}Z`);
      if (message === undefined || Number.isNaN(at))
        throw new QueryError('GetQueryResults', undefined, 'the prefilter query must return @timestamp and @message');
      const logRef = fields.get('@log');
      const j = logRef !== undefined ? byName.get(logRef.slice(logRef.indexOf(':') + 1)) : batch.length === 1 ? batch[0] : undefined;
      if (!j) {
        if (logRef === undefined) throw new QueryError('GetQueryResults', undefined, 'the prefilter query must return @log when it covers several groups');
        continue;
      }
      if (at < j.scan.from || at > j.scan.to) continue;
      j.tally.add(j, scanner, { message, logStreamName: fields.get('@logStream') ?? '', timestamp: at });
    }
    const next = res.nextToken;
    if (!next) break;
    const digest = tokenDigest(next);
    if (seen.has(digest)) throw new QueryError('GetQueryResults', undefined, 'pagination did not end: the service repeated a page token');
    seen.add(digest);
    try {
      res = await client.send(new GetQueryResultsCommand({ queryId, nextToken: next, maxItems: RESULT_PAGE }), send);
    } catch (err) {
      throw new QueryError('GetQueryResults', err);
    }
  }
  const truncated = typeof matched === 'number' ? matched > rows : rows >= limit;
  log?.debug({ groups: batch.length, rows, matched, truncated }, 'Logs Insights prefilter done');
  return truncated ? 'truncated' : 'complete';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('scan aborted'));
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('scan aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
