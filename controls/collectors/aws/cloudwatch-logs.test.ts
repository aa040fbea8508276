import { afterEach, describe, expect, it } from 'vitest';
import { startAwsLoopback, type AwsLoopback, type AwsRegionWorld, type AwsWorld } from '../../../test/fixtures/aws-loopback.ts';
import { createScanner } from '../../../engine/scanner/scanner.ts';
import type { DetectorId } from '../../../engine/scanner/types.ts';
import { checkpointKey, scanLogGroups, type LogScanOptions, type LogScanResult } from './cloudwatch-logs.ts';

const A = '111111111111';
const B = '222222222222';
const EU = 'eu-west-1';
const US = 'us-east-1';
const KEY_A = 'AKIATESTLOGSA0000001';
const KEY_B = 'AKIATESTLOGSB0000001';

// Planted values: none of them may appear in a result, in any spelling.
const PHONE = '+91 98450 12345';
const AADHAAR = '4918 3726 5017'; // Verhoeff-valid
const EMAIL = 'asha.verma@example.in';
const RAW = [PHONE, '9845012345', '98450 12345', AADHAAR, '491837265017', EMAIL, 'asha.verma'];

// The product's scanner; expected counts below come from running it over the planted messages.
const scanner = createScanner({ secret: 'cloudwatch-logs-test-secret-0123456789' });

const HOUR = 3_600_000;
// Events lie in the past: the scan never reads beyond now.
const BASE = Math.floor((Date.now() - 6 * HOUR) / 60_000) * 60_000;

type Event = { timestamp: number; message: string; logStreamName: string };

/** `n` events, one a minute from `start`; every 10th carries a phone number, every 15th an Aadhaar, every 7th an email. */
function events(n: number, start = BASE, streams = ['2026/11/23/[$LATEST]aaaa', '2026/11/23/[$LATEST]bbbb']): Event[] {
  return Array.from({ length: n }, (_, i) => {
    const parts = [`req-${i} GET /orders 200 in 12ms`];
    if (i % 10 === 3) parts.push(`customer phone ${PHONE}`);
    if (i % 15 === 4) parts.push(`kyc aadhaar=${AADHAAR}`);
    if (i % 7 === 5) parts.push(`contact ${EMAIL}`);
    return { timestamp: start + i * 60_000, message: parts.join(' '), logStreamName: streams[i % streams.length] };
  });
}

/** What the scanner finds in `evs` (optionally only within [from, to]). */
function expected(evs: Event[], from = -Infinity, to = Infinity): Partial<Record<DetectorId, number>> {
  const out: Partial<Record<DetectorId, number>> = {};
  for (const e of evs) {
    if (e.timestamp < from || e.timestamp > to) continue;
    for (const f of scanner.scan(e.message)) out[f.detector] = (out[f.detector] ?? 0) + 1;
  }
  return out;
}
const nonZero = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0));
const add = (...cs: Array<Partial<Record<string, number>>>) => {
  const out: Record<string, number> = {};
  for (const c of cs) for (const [k, n] of Object.entries(c)) out[k] = (out[k] ?? 0) + (n ?? 0);
  return nonZero(out);
};

function regionWorld(groups: Record<string, Event[]>, storedBytes: Record<string, number> = {}): AwsRegionWorld {
  return {
    configItems: [],
    logGroups: Object.keys(groups).map((logGroupName) => ({ logGroupName, storedBytes: storedBytes[logGroupName] })),
    logEvents: structuredClone(groups),
  };
}

function world(regions: Record<string, Record<string, AwsRegionWorld>>, extra: Partial<AwsWorld> = {}): AwsWorld {
  return {
    accessKeys: { [KEY_A]: A, [KEY_B]: B },
    accounts: Object.fromEntries(Object.entries(regions).map(([account, r]) => [account, { regions: r }])),
    pageSize: 10,
    ...extra,
  };
}

let loopback: AwsLoopback | undefined;
afterEach(async () => {
  await loopback?.close();
  loopback = undefined;
});

async function setup(w: AwsWorld) {
  loopback = await startAwsLoopback(w);
  const lb = loopback;
  const logs: Array<{ level: string; obj: object; msg?: string }> = [];
  const scan = (options: Partial<LogScanOptions> & Pick<LogScanOptions, 'groups'>): Promise<LogScanResult> =>
    scanLogGroups({
      since: BASE,
      scanner,
      endpoint: lb.endpoint,
      credentialsFor: (accountId) => ({ accessKeyId: accountId === A ? KEY_A : KEY_B, secretAccessKey: 'test-secret-never-printed' }),
      requestTimeoutMs: 2_000,
      maxAttempts: 3,
      retryDelayMs: 1,
      logger: { warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }), debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }) },
      ...options,
    });
  return { lb, scan, logs };
}

function memoryCheckpoints(initial: Record<string, number> = {}) {
  const map = new Map(Object.entries(initial));
  return { map, store: { get: async (k: string) => map.get(k), set: async (k: string, ts: number) => void map.set(k, ts) } };
}

const g = (logGroupName: string, accountId = A, region = EU) => ({ accountId, region, logGroupName });
const groupOf = (r: LogScanResult, name: string, accountId = A) => r.groups.find((x) => x.logGroupName === name && x.accountId === accountId)!;
const filterCalls = (lb: AwsLoopback, group: string) => lb.calls.filter((c) => c.operation === 'FilterLogEvents' && c.input?.logGroupName === group);

function expectNoRawValue(result: LogScanResult) {
  const json = JSON.stringify(result);
  for (const raw of RAW) expect(json).not.toContain(raw);
  // Not even a message fragment.
  expect(json).not.toContain('GET /orders');
}

describe('scanLogGroups over the wire (CloudWatch Logs loopback)', () => {
  it('reads every page, through empty pages that carry a token, and returns only counts, masks and fingerprints', async () => {
    const orders = events(95);
    const payments = events(12, BASE + 5 * 60_000, ['pay-stream']);
    const { lb, scan } = await setup(world({ [A]: { [EU]: regionWorld({ '/app/orders': orders, '/app/payments': payments }) } }, { logEmptyPages: 2 }));
    const until = BASE + 5 * HOUR;
    const result = await scan({ groups: [g('/app/orders'), g('/app/payments')], until });

    expect(result.errors).toEqual([]);
    expect(result.window).toEqual({ since: BASE, until });
    const o = groupOf(result, '/app/orders');
    expect(o).toMatchObject({ status: 'ok', method: 'FilterLogEvents', eventsScanned: 95, from: BASE, to: until });
    expect(o.bytesScanned).toBe(orders.reduce((n, e) => n + Buffer.byteLength(e.message), 0));
    expect(groupOf(result, '/app/payments')).toMatchObject({ status: 'ok', eventsScanned: 12 });

    // 10 pages of events, each preceded by two empty pages that still carry a token.
    const calls = filterCalls(lb, '/app/orders');
    expect(calls).toHaveLength(30);
    expect(calls.every((c) => c.input?.startTime === BASE && c.input?.endTime === until)).toBe(true);

    const want = add(expected(orders), expected(payments));
    expect(want.in_phone).toBeGreaterThan(0);
    expect(want.aadhaar).toBeGreaterThan(0);
    expect(want.email).toBeGreaterThan(0);
    expect(nonZero(result.counts)).toEqual(want);
    expect(Object.keys(result.counts).length).toBeGreaterThanOrEqual(18); // every detector id, zeros included

    // Counts per stream add up; samples are masked, capped per detector, distinct by fingerprint.
    const perStream = result.byGroup.filter((x) => x.logGroupName === '/app/orders');
    expect(new Set(perStream.map((x) => x.logStreamName))).toEqual(new Set(['2026/11/23/[$LATEST]aaaa', '2026/11/23/[$LATEST]bbbb']));
    expect(perStream.reduce((n, x) => n + x.count, 0)).toBe(Object.values(expected(orders)).reduce((a, b) => a + (b ?? 0), 0));
    for (const d of ['in_phone', 'aadhaar', 'email'] as const) {
      const s = result.samples.filter((x) => x.detector === d);
      expect(s.length).toBeGreaterThanOrEqual(1);
      expect(s.length).toBeLessThanOrEqual(5);
      expect(new Set(s.map((x) => x.fingerprint)).size).toBe(s.length);
      for (const x of s) expect(x.masked).toMatch(/\*/);
    }
    expectNoRawValue(result);
  });

  it('retries throttling with backoff, and a group throttled past its attempts fails while the others are read', async () => {
    const { lb, scan } = await setup(world({ [A]: { [EU]: regionWorld({ '/app/a': events(25), '/app/b': events(25), '/app/c': events(25) }) } }));
    lb.faults.throttle('FilterLogEvents', 2, { logGroupName: '/app/a' }).throttle('FilterLogEvents', Infinity, { logGroupName: '/app/b' });
    const cps = memoryCheckpoints();
    const until = BASE + 2 * HOUR;
    const result = await scan({ groups: [g('/app/a'), g('/app/b'), g('/app/c')], until, checkpoints: cps.store });

    // /app/a: two throttled attempts, then answered.
    const a = filterCalls(lb, '/app/a');
    expect(a.slice(0, 3).map((c) => [c.attempt, c.status])).toEqual([
      [1, 400],
      [2, 400],
      [3, 200],
    ]);
    expect(groupOf(result, '/app/a')).toMatchObject({ status: 'ok', eventsScanned: 25 });

    // /app/b: every attempt throttled → an error for that group only; its findings are not counted.
    expect(filterCalls(lb, '/app/b').map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(groupOf(result, '/app/b')).toMatchObject({ status: 'error' });
    expect(groupOf(result, '/app/b').error).toMatch(/ThrottlingException/);
    expect(result.errors).toEqual([
      { source: `aws:${A}:${EU}:CloudWatchLogs.FilterLogEvents:/app/b`, message: expect.stringMatching(/ThrottlingException.*3 attempts/) },
    ]);
    expect(groupOf(result, '/app/c')).toMatchObject({ status: 'ok', eventsScanned: 25 });
    expect(nonZero(result.counts)).toEqual(add(expected(events(25)), expected(events(25))));
    expect(result.byGroup.some((x) => x.logGroupName === '/app/b')).toBe(false);

    // Only the groups read in full moved their checkpoint.
    expect(Object.fromEntries(cps.map)).toEqual({ [checkpointKey(g('/app/a'))]: until, [checkpointKey(g('/app/c'))]: until });
    expect(JSON.stringify(result)).not.toContain('test-secret-never-printed');
  });

  it('checkpoints: the next run reads only what is new, and a failed group is read again from its old checkpoint', async () => {
    const all = events(120); // two hours
    const { lb, scan } = await setup(
      world({ [A]: { [EU]: regionWorld({ '/app/orders': all, '/app/flaky': all }) }, [B]: { [US]: regionWorld({ '/app/orders': all }) } }),
    );
    const cps = memoryCheckpoints();
    const groups = [g('/app/orders'), g('/app/flaky'), g('/app/orders', B, US)];
    const t1 = BASE + 50 * 60_000;
    const t2 = BASE + 3 * HOUR;

    lb.faults.serverError('FilterLogEvents', Infinity, { logGroupName: '/app/flaky' });
    const first = await scan({ groups, until: t1, checkpoints: cps.store });
    expect(groupOf(first, '/app/orders')).toMatchObject({ status: 'ok', eventsScanned: 51, from: BASE, to: t1 });
    expect(groupOf(first, '/app/orders', B)).toMatchObject({ status: 'ok', eventsScanned: 51 });
    expect(groupOf(first, '/app/flaky')).toMatchObject({ status: 'error', from: BASE, to: t1 });
    expect(first.errors.map((e) => e.source)).toEqual([`aws:${A}:${EU}:CloudWatchLogs.FilterLogEvents:/app/flaky`]);
    expect(cps.map.get(checkpointKey(g('/app/orders')))).toBe(t1);
    expect(cps.map.has(checkpointKey(g('/app/flaky')))).toBe(false);

    lb.faults.clear();
    const before = lb.calls.length;
    const second = await scan({ groups, until: t2, checkpoints: cps.store });
    expect(second.errors).toEqual([]);
    expect(groupOf(second, '/app/orders')).toMatchObject({ status: 'ok', eventsScanned: 69, from: t1 + 1, to: t2 });
    expect(groupOf(second, '/app/orders', B)).toMatchObject({ status: 'ok', eventsScanned: 69, from: t1 + 1 });
    // The failed group starts over from `since`: nothing it held is lost.
    expect(groupOf(second, '/app/flaky')).toMatchObject({ status: 'ok', eventsScanned: 120, from: BASE });
    const asked = lb.calls.slice(before).filter((c) => c.operation === 'FilterLogEvents');
    expect(new Set(asked.filter((c) => c.input?.logGroupName === '/app/orders').map((c) => c.input?.startTime))).toEqual(new Set([t1 + 1]));
    expect(cps.map.get(checkpointKey(g('/app/flaky')))).toBe(t2);

    // Summed over both runs, every event is counted exactly once.
    expect(add(first.counts, second.counts)).toEqual(add(expected(all), expected(all), expected(all)));

    // A third run has nothing new: no call at all.
    const quiet = lb.calls.length;
    const third = await scan({ groups, until: t2, checkpoints: cps.store });
    expect(lb.calls.length).toBe(quiet);
    expect(third.groups.every((x) => x.status === 'ok' && x.eventsScanned === 0 && x.from > x.to)).toBe(true);
  });

  it('a group deleted mid-scan (or already gone) is listed as deleted, without an error, and keeps what was read', async () => {
    const orders = events(60);
    const { lb, scan } = await setup(world({ [A]: { [EU]: regionWorld({ '/app/orders': orders, '/app/other': events(8) }) } }));
    lb.faults.deleteLogGroup('/app/orders', 2);
    const cps = memoryCheckpoints();
    const result = await scan({ groups: [g('/app/orders'), g('/app/other'), g('/app/never-existed')], until: BASE + 2 * HOUR, checkpoints: cps.store });

    expect(result.errors).toEqual([]);
    expect(groupOf(result, '/app/orders')).toMatchObject({ status: 'deleted', eventsScanned: 20 });
    expect(groupOf(result, '/app/orders').error).toBeUndefined();
    expect(filterCalls(lb, '/app/orders').map((c) => c.status)).toEqual([200, 200, 400]);
    expect(groupOf(result, '/app/never-existed')).toMatchObject({ status: 'deleted', eventsScanned: 0 });
    expect(groupOf(result, '/app/other')).toMatchObject({ status: 'ok', eventsScanned: 8 });
    // The two pages read before the group vanished are counted (they will never be read again).
    expect(nonZero(result.counts)).toEqual(add(expected(orders.slice(0, 20)), expected(events(8))));
    expect([...cps.map.keys()]).toEqual([checkpointKey(g('/app/other'))]);
    expectNoRawValue(result);
  });

  it('a page token that repeats fails that group instead of looping, and the other groups are read', async () => {
    const { lb, scan } = await setup(world({ [A]: { [EU]: regionWorld({ '/app/loop': events(30), '/app/fine': events(30) }) } }));
    lb.faults.brokenPagination('FilterLogEvents', { logGroupName: '/app/loop' });
    const result = await scan({ groups: [g('/app/loop'), g('/app/fine')], until: BASE + HOUR });
    expect(groupOf(result, '/app/loop')).toMatchObject({ status: 'error' });
    expect(result.errors).toEqual([
      { source: `aws:${A}:${EU}:CloudWatchLogs.FilterLogEvents:/app/loop`, message: expect.stringMatching(/repeated a page token/) },
    ]);
    expect(filterCalls(lb, '/app/loop')).toHaveLength(2);
    expect(groupOf(result, '/app/fine')).toMatchObject({ status: 'ok', eventsScanned: 30 });
    expect(nonZero(result.counts)).toEqual(nonZero(expected(events(30))));
  });

  it('an aborted scan reads nothing further and moves no checkpoint', async () => {
    const { lb, scan } = await setup(world({ [A]: { [EU]: regionWorld({ '/app/a': events(10) }) } }));
    const cps = memoryCheckpoints();
    const controller = new AbortController();
    controller.abort();
    const result = await scan({ groups: [g('/app/a')], until: BASE + HOUR, checkpoints: cps.store, signal: controller.signal });
    expect(groupOf(result, '/app/a')).toMatchObject({ status: 'error', error: 'scan aborted' });
    expect(lb.calls).toHaveLength(0);
    expect(cps.map.size).toBe(0);
  });

  describe('Logs Insights prefilter', () => {
    const QUERY = 'filter @message like /[0-9]{4}|@/';

    it('pre-filters large groups with one query, scans only the rows it returns, and reads small groups in full', async () => {
      const big = events(300);
      const small = events(20);
      const { lb, scan } = await setup(
        world({ [A]: { [EU]: regionWorld({ '/app/big': big, '/app/small': small }, { '/app/big': 5_000_000_000, '/app/small': 1_000 }) } }),
      );
      // Not on a second: the query's window (seconds) widens to hold events 3 and 243 (a phone number each); the
      // collector drops those rows, as they lie outside the window in milliseconds.
      const since = BASE + 3 * 60_000 + 500;
      const until = BASE + 243 * 60_000 - 400;
      const cps = memoryCheckpoints();
      const result = await scan({
        groups: [g('/app/big'), g('/app/small')],
        since,
        until,
        checkpoints: cps.store,
        insightsPrefilter: { minStoredBytes: 1 << 30, queryString: QUERY, pollIntervalMs: 5 },
      });

      expect(result.errors).toEqual([]);
      const starts = lb.calls.filter((c) => c.operation === 'StartQuery');
      expect(starts).toHaveLength(1);
      expect(starts[0].input).toMatchObject({
        logGroupNames: ['/app/big'],
        startTime: Math.floor(since / 1000),
        endTime: Math.ceil(until / 1000),
        queryString: `fields @timestamp, @message, @logStream, @log | ${QUERY}`,
      });
      const polls = lb.calls.filter((c) => c.operation === 'GetQueryResults');
      expect(polls.length).toBeGreaterThanOrEqual(2); // Running, then Complete (and its pages)
      expect(filterCalls(lb, '/app/big')).toHaveLength(0);

      const inWindow = big.filter((e) => e.timestamp >= since && e.timestamp <= until);
      const matching = inWindow.filter((e) => /[0-9]{4}|@/.test(e.message));
      expect(matching.length).toBeGreaterThan(10); // several result pages of 10
      expect(groupOf(result, '/app/big')).toMatchObject({ status: 'ok', method: 'Insights', eventsScanned: matching.length });
      expect(groupOf(result, '/app/small')).toMatchObject({ status: 'ok', method: 'FilterLogEvents', eventsScanned: 16 });
      const rows = big.filter((e) => e.timestamp >= Math.floor(since / 1000) * 1000 && e.timestamp <= Math.ceil(until / 1000) * 1000 + 999);
      expect(rows.filter((e) => /[0-9]{4}|@/.test(e.message)).length).toBe(matching.length + 2);
      // The prefilter loses nothing the scanner would find.
      expect(nonZero(result.counts)).toEqual(add(expected(big, since, until), expected(small, since, until)));
      expect(result.samples.some((s) => s.logGroupName === '/app/big' && s.logStreamName.startsWith('2026/11/23/'))).toBe(true);
      expect(cps.map.get(checkpointKey(g('/app/big')))).toBe(until);
      expectNoRawValue(result);
    });

    it('asks at most 50 groups per query, attributes rows by @log, and splits a batch when one of its groups is gone', async () => {
      const names = Array.from({ length: 53 }, (_, i) => `/app/svc-${String(i).padStart(2, '0')}`);
      const groups = Object.fromEntries(names.map((n, i) => [n, events(3 + (i % 4))]));
      const { lb, scan } = await setup(world({ [A]: { [EU]: regionWorld(groups) } }));
      const result = await scan({
        groups: [...names.map((n) => g(n)), g('/app/gone')],
        until: BASE + HOUR,
        insightsPrefilter: { queryString: QUERY, pollIntervalMs: 5 },
        concurrency: 2,
      });
      const starts = lb.calls.filter((c) => c.operation === 'StartQuery');
      const sizes = starts.map((c) => (c.input?.logGroupNames as string[]).length);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
      // 50 + 4 (with /app/gone) → ResourceNotFound → each of the 4 on its own.
      expect(sizes).toEqual([50, 4, 1, 1, 1, 1]);
      expect(starts.filter((c) => c.status === 400)).toHaveLength(2);
      expect(result.errors).toEqual([]);
      expect(groupOf(result, '/app/gone')).toMatchObject({ status: 'deleted' });
      for (const n of names) expect(groupOf(result, n)).toMatchObject({ status: 'ok', method: 'Insights' });
      expect(nonZero(result.counts)).toEqual(add(...Object.values(groups).map((evs) => expected(evs))));
      expect(result.byGroup.filter((x) => x.logGroupName === '/app/svc-07').reduce((n, x) => n + x.count, 0)).toBe(
        Object.values(expected(groups['/app/svc-07'])).reduce((a, b) => a + (b ?? 0), 0),
      );
    });

    it('reads the groups in full when the query returned fewer rows than matched; a failed query fails its groups', async () => {
      const big = events(80);
      const { lb, scan, logs } = await setup(world({ [A]: { [EU]: regionWorld({ '/app/big': big, '/app/big2': big }) } }));
      const cps = memoryCheckpoints();
      const until = BASE + 2 * HOUR;

      // A limit of 5 rows: more matched → not trusted → FilterLogEvents over the whole window.
      const truncated = await scan({
        groups: [g('/app/big')],
        until,
        checkpoints: cps.store,
        insightsPrefilter: { queryString: QUERY, pollIntervalMs: 5, limit: 5 },
      });
      expect(lb.calls.find((c) => c.operation === 'StartQuery')?.input?.limit).toBe(5);
      expect(groupOf(truncated, '/app/big')).toMatchObject({ status: 'ok', method: 'FilterLogEvents', eventsScanned: 80 });
      expect(nonZero(truncated.counts)).toEqual(nonZero(expected(big)));
      expect(logs.some((l) => l.level === 'warn' && /fewer rows than matched/.test(l.msg ?? ''))).toBe(true);

      // A query that ends Failed: its groups fail, keep their checkpoint, count nothing.
      lb.faults.queryStatus('Failed', 1);
      const failed = await scan({ groups: [g('/app/big2')], until, checkpoints: cps.store, insightsPrefilter: { queryString: QUERY, pollIntervalMs: 5 } });
      expect(groupOf(failed, '/app/big2')).toMatchObject({ status: 'error', method: 'Insights' });
      expect(failed.errors).toEqual([{ source: `aws:${A}:${EU}:CloudWatchLogs.GetQueryResults:/app/big2`, message: 'the Logs Insights query ended Failed' }]);
      expect(nonZero(failed.counts)).toEqual({});
      expect(cps.map.has(checkpointKey(g('/app/big2')))).toBe(false);

      // A query still running when its time is up is stopped; its groups fail.
      const slow = await scan({
        groups: [g('/app/big2')],
        until,
        checkpoints: cps.store,
        insightsPrefilter: { queryString: QUERY, pollIntervalMs: 5, timeoutMs: 0 },
      });
      expect(slow.errors).toEqual([{ source: `aws:${A}:${EU}:CloudWatchLogs.GetQueryResults:/app/big2`, message: expect.stringMatching(/still running/) }]);
      expect(lb.calls.filter((c) => c.operation === 'StopQuery').map((c) => c.status)).toEqual([200]);
      expect(cps.map.has(checkpointKey(g('/app/big2')))).toBe(false);

      // Persistent throttling of StartQuery: an error naming StartQuery.
      lb.faults.throttle('StartQuery', Infinity);
      const throttled = await scan({ groups: [g('/app/big2')], until, insightsPrefilter: { queryString: QUERY, pollIntervalMs: 5 } });
      expect(throttled.errors).toEqual([
        { source: `aws:${A}:${EU}:CloudWatchLogs.StartQuery:/app/big2`, message: expect.stringMatching(/ThrottlingException/) },
      ]);
    });
  });
});
