/**
 * Runs generated cases against the target with bounded concurrency and judges every answer:
 *  - no transport failure (reset, refused) and an answer within `slowMs` (2 s): nothing hangs. An answer over the
 *    limit is sent again alone; only a second slow answer fails (the first may be cold code or a starved machine);
 *  - no 5xx;
 *  - no stack trace, source path or engine fault in any body;
 *  - no error body over 64 KiB (an error names what is wrong, it does not echo the input);
 *  - every 4xx has the one error shape {"error":{"code","message","requestId"[,"details"]}}, its requestId the
 *    x-request-id header, and that header is always a plain token (a hostile x-request-id is never echoed);
 *  - a caller without a valid key never gets past authentication (401, or 404 for no such route, or 400 for a URL
 *    that cannot be decoded), and a role outside the route's access table never gets a 2xx;
 *  - an answered decision has the decision shape; its id is kept to be looked up in the decision log afterwards.
 */
import http from 'node:http';
import { ROUTE_ACCESS } from '../integration/route-access.ts';
import { generateCase, LONG_OPERATIONS, type Caller, type FuzzCase, type GeneratorProps } from './case-generator.ts';
import { send, type Answer } from './send.ts';

export interface Failure {
  check: string;
  route: string;
  caller: Caller;
  index: number;
  mutation: string;
  status: number;
  ms: number;
  detail: string;
  /** The start of what was sent and answered, escaped, for the report. */
  sent: string;
  answered: string;
}

export interface FuzzReport {
  seed: number;
  requested: number;
  sent: number;
  ms: number;
  concurrency: number;
  statuses: Record<string, number>;
  perRoute: Record<string, { sent: number; statuses: Record<string, number>; totalMs: number; maxMs: number }>;
  /** Distinct failing (check, route) pairs with their count and first examples. */
  failures: Array<{ check: string; route: string; count: number; examples: Failure[] }>;
  failureCount: number;
  decisionIds: string[];
  protectedWrites: number;
  /** Latency of the ordinary requests. */
  latency: { p50: number; p99: number; max: number };
  /** The long requests (run alone): how many, and the slowest. */
  long: { count: number; maxMs: number };
  /** Answers over the limit that were within it when sent again alone (not failures; listed so they are seen). */
  slowOnce: Array<{ route: string; index: number; ms: number; againMs: number }>;
}

const LEAKS: Array<[RegExp, string]> = [
  [/\n\s+at \S|\bat (?:async )?[\w$.<>]+ \((?:file:|node:|\/)[^)]*\)/, 'stack frame'],
  [/(?:\/work\/|\/home\/|\/tmp\/|\/usr\/lib|node_modules|file:\/\/)/, 'file system path'],
  [/\b[\w-]+\.(?:ts|mjs|cjs|js):\d+/, 'source location'],
  [/memory access out of bounds|Maximum call stack|unreachable executed|RuntimeError|wasm-function/i, 'engine fault'],
  [/Cannot read propert|is not a function|is not defined|undefined is not (?:a function|an object|iterable)/, 'JavaScript error message'],
];

const MAX_ERROR_BODY = 64 * 1024;

const printable = (b: Buffer | string, max = 300) => {
  const s = (Buffer.isBuffer(b) ? b.subarray(0, max * 4).toString('utf8') : b).slice(0, max);
  return JSON.stringify(s).slice(1, -1) + ((Buffer.isBuffer(b) ? b.length : b.length) > max ? '…' : '');
};

/** What may a caller expect of this operation: `anyone`, `allowed` (role in the access table) or `refused`. */
function access(c: FuzzCase): 'anyone' | 'allowed' | 'refused' | 'no_key' {
  if (c.op.gate === 'public') return 'anyone';
  if (c.caller === 'anonymous' || c.caller === 'unknown_key') return 'no_key';
  if (c.op.gate === 'authenticated') return 'allowed';
  const roles = ROUTE_ACCESS[`${c.op.gate.area}:${c.op.gate.action}`] ?? [];
  return (roles as string[]).includes(c.caller) ? 'allowed' : 'refused';
}

/** A request that does seconds of work by contract: an allowed caller on one of LONG_OPERATIONS. */
export const isLong = (c: FuzzCase): boolean => Boolean(LONG_OPERATIONS[c.op.key]) && access(c) === 'allowed';

/**
 * Lets any number of ordinary requests run together, or one long request alone: a long request waits until the
 * ordinary ones in flight are answered, and holds new ones back until it is answered.
 */
class LongRequestGate {
  private running = 0;
  private long: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  async ordinary<T>(f: () => Promise<T>): Promise<T> {
    while (this.long) await this.long;
    this.running++;
    try {
      return await f();
    } finally {
      this.running--;
      if (this.running === 0) this.idle?.();
    }
  }

  async alone<T>(f: () => Promise<T>): Promise<T> {
    while (this.long) await this.long;
    let release!: () => void;
    this.long = new Promise<void>((r) => (release = r));
    try {
      if (this.running > 0) await new Promise<void>((r) => (this.idle = r));
      this.idle = undefined;
      return await f();
    } finally {
      this.long = undefined;
      release();
    }
  }
}

export function judge(c: FuzzCase, a: Answer, slowMs: number): Array<{ check: string; detail: string }> {
  const out: Array<{ check: string; detail: string }> = [];
  if (a.transportError) {
    out.push({ check: a.transportError.startsWith('no answer') ? 'hang' : 'transport', detail: a.transportError });
    return out;
  }
  if (a.ms > slowMs) out.push({ check: 'slow', detail: `answered in ${Math.round(a.ms)} ms (limit ${slowMs} ms)` });
  if (a.status >= 500) out.push({ check: '5xx', detail: `status ${a.status}` });
  const echoedId = String(a.headers['x-request-id'] ?? '');
  if (!/^[A-Za-z0-9._-]{8,128}$/.test(echoedId)) out.push({ check: 'request-id', detail: `x-request-id answered as ${printable(echoedId, 60) || '(none)'}` });
  const type = String(a.headers['content-type'] ?? '');
  const textual = /json|text|csv|pem|html/.test(type) || a.body.length === 0;
  const text = textual ? a.body.toString('utf8') : '';
  for (const [re, what] of LEAKS) {
    // Success bodies legitimately hold policy text and settings: only traces and engine faults count there.
    if (a.status < 400 && !['stack frame', 'engine fault'].includes(what)) continue;
    // The policy sandbox names the fault the caller's own Cedar text caused ("Cedar faulted on this text (RangeError:
    // Maximum call stack size exceeded …)"): an answer about that text, made after the fault was contained (the
    // deciding instance is checked by the known decisions afterwards), not a fault escaping into an answer.
    const scanned = what === 'engine fault' ? text.replace(/Cedar faulted on this text[^"]*/g, '') : text;
    const m = re.exec(scanned);
    if (m) out.push({ check: 'leak', detail: `${what}: …${printable(scanned.slice(Math.max(0, m.index - 40), m.index + 80), 140)}…` });
  }
  if (a.status >= 400) {
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const e = body?.error;
    const shapeOk =
      body &&
      typeof body === 'object' &&
      Object.keys(body).length === 1 &&
      e &&
      typeof e === 'object' &&
      typeof e.code === 'string' &&
      typeof e.message === 'string' &&
      typeof e.requestId === 'string' &&
      Object.keys(e).every((k) => ['code', 'message', 'requestId', 'details'].includes(k));
    if (!shapeOk) out.push({ check: 'error-shape', detail: `not the one error body (content-type ${type || 'none'})` });
    else if (e.requestId !== a.headers['x-request-id'])
      out.push({ check: 'error-shape', detail: `requestId ${e.requestId} ≠ x-request-id ${a.headers['x-request-id']}` });
    // An error says what is wrong, it does not hand the input back: a large error body is echoing what was sent.
    if (a.body.length > MAX_ERROR_BODY) out.push({ check: 'error-size', detail: `an error body of ${a.body.length} bytes (at most ${MAX_ERROR_BODY})` });
  }
  const who = access(c);
  if (who === 'no_key') {
    // A URL that cannot be decoded may be refused before anything else; every other request without a valid key is
    // a 401 (or a 404 for no such route), whatever its body, query or headers.
    const urlMutation = /^field (path|query)\./.test(c.mutation);
    const code = (() => {
      try {
        return JSON.parse(text)?.error?.code as string | undefined;
      } catch {
        return undefined;
      }
    })();
    const ok = a.status === 401 || (a.status === 404 && code === 'not_found') || (a.status === 400 && urlMutation);
    if (!ok)
      out.push({
        check: a.status < 300 ? 'unauthenticated-allowed' : 'before-authentication',
        detail: `without a valid key: ${a.status} ${code ?? ''}`.trim(),
      });
  } else if (who === 'refused' && a.status < 300) {
    out.push({ check: 'gate', detail: `${c.caller} is not allowed here but got ${a.status}` });
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runFuzz(props: {
  url: string;
  generator: GeneratorProps;
  count: number;
  /** First case index (to replay a window of a run). */
  start?: number;
  concurrency?: number;
  /** The limit of every answer (2 s), and of long requests (30 s), which run alone. */
  slowMs?: number;
  longSlowMs?: number;
  timeoutMs?: number;
  examplesPerFailure?: number;
  onProgress?: (done: number) => void;
}): Promise<FuzzReport> {
  const concurrency = props.concurrency ?? 8;
  const slowMs = props.slowMs ?? 2_000;
  const longSlowMs = props.longSlowMs ?? 30_000;
  const timeoutMs = props.timeoutMs ?? 10_000;
  const gate = new LongRequestGate();
  const start = props.start ?? 0;
  const base = new URL(props.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: Record<string, number> = {};
  const perRoute: FuzzReport['perRoute'] = {};
  const groups = new Map<string, { check: string; route: string; count: number; examples: Failure[] }>();
  const decisionIds: string[] = [];
  const latencies: number[] = [];
  const long = { count: 0, maxMs: 0 };
  const slowOnce: FuzzReport['slowOnce'] = [];
  let failureCount = 0;
  let protectedWrites = 0;
  let next = start;
  let sent = 0;
  const started = performance.now();

  const record = (c: FuzzCase, a: Answer, again?: Answer) => {
    sent++;
    if (isLong(c)) {
      long.count++;
      long.maxMs = Math.max(long.maxMs, Math.round(a.ms));
    } else latencies.push(a.ms);
    const s = a.transportError ? 'none' : String(a.status);
    statuses[s] = (statuses[s] ?? 0) + 1;
    const r = (perRoute[c.op.key] ??= { sent: 0, statuses: {}, totalMs: 0, maxMs: 0 });
    r.sent++;
    r.totalMs += a.ms;
    r.maxMs = Math.max(r.maxMs, a.ms);
    r.statuses[s] = (r.statuses[s] ?? 0) + 1;
    if (c.protected) protectedWrites++;
    const limit = isLong(c) ? longSlowMs : slowMs;
    let problems = judge(c, a, limit);
    if (again) {
      // A slow answer was sent again alone: slow both times is a finding; fast the second time was the machine
      // (cold code, or other processes on these two cores), counted but not failed.
      if (again.transportError || again.ms > limit) {
        problems = problems.map((p) =>
          p.check === 'slow' ? { ...p, detail: `${p.detail}; sent again alone: ${again.transportError ?? `${Math.round(again.ms)} ms`}` } : p,
        );
      } else {
        problems = problems.filter((p) => p.check !== 'slow');
        slowOnce.push({ route: c.op.key, index: c.index, ms: Math.round(a.ms), againMs: Math.round(again.ms) });
      }
    }
    if (a.status === 200 && (c.op.key === 'POST /v1/authorize' || c.op.key === 'POST /v1/authorize/batch')) {
      try {
        const body = JSON.parse(a.body.toString('utf8'));
        const decisions = c.op.key === 'POST /v1/authorize' ? [body] : body.results;
        for (const d of decisions) {
          if (!['allow', 'deny'].includes(d?.decision) || typeof d?.decisionId !== 'string')
            problems.push({ check: 'decision-shape', detail: 'an answered decision without decision or decisionId' });
          else decisionIds.push(d.decisionId);
        }
      } catch {
        problems.push({ check: 'decision-shape', detail: 'a 200 from the decision route that is not JSON' });
      }
    }
    for (const p of problems) {
      failureCount++;
      const key = `${p.check}|${c.op.key}`;
      const g = groups.get(key) ?? { check: p.check, route: c.op.key, count: 0, examples: [] };
      groups.set(key, g);
      g.count++;
      if (g.examples.length < (props.examplesPerFailure ?? 3)) {
        g.examples.push({
          check: p.check,
          route: c.op.key,
          caller: c.caller,
          index: c.index,
          mutation: c.mutation,
          status: a.status,
          ms: Math.round(a.ms),
          detail: p.detail,
          sent: `${c.method} ${printable(c.url, 200)}${c.body ? ' ' + printable(c.body.data, 200) : ''}`,
          answered: printable(a.body, 300),
        });
      }
    }
  };

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= start + props.count) return;
      const c = generateCase(props.generator, i);
      const caseTimeout = isLong(c) ? Math.max(timeoutMs, 2 * longSlowMs) : timeoutMs;
      const a = isLong(c)
        ? await gate.alone(() => send({ base, agent, c, timeoutMs: caseTimeout }))
        : await gate.ordinary(() => send({ base, agent, c, timeoutMs: caseTimeout }));
      const slow = !a.transportError && a.ms > (isLong(c) ? longSlowMs : slowMs);
      const again = slow ? await gate.alone(() => send({ base, agent, c, timeoutMs: caseTimeout })) : undefined;
      record(c, a, again);
      if (sent % 1000 === 0) props.onProgress?.(sent);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  agent.destroy();
  latencies.sort((x, y) => x - y);
  return {
    seed: props.generator.seed,
    requested: props.count,
    sent,
    ms: Math.round(performance.now() - started),
    concurrency,
    statuses,
    perRoute,
    failures: [...groups.values()].sort((x, y) => x.check.localeCompare(y.check) || x.route.localeCompare(y.route)),
    failureCount,
    decisionIds,
    protectedWrites,
    latency: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies.at(-1) ?? 0) },
    long,
    slowOnce,
  };
}

/** The report as lines a person reads: one per failing (check, route), with its first example. */
export function describeFailures(report: FuzzReport): string {
  return report.failures
    .map((g) => {
      const e = g.examples[0]!;
      return `${g.check} × ${g.count} on ${g.route}\n    e.g. case ${e.index} (${e.caller}, ${e.mutation}): ${e.detail}\n    sent: ${e.sent}\n    answer ${e.status} in ${e.ms} ms: ${e.answered}`;
    })
    .join('\n');
}
