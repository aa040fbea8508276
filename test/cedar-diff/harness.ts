/**
 * The differential check shared by the vitest file and the benchmark: generate worlds with fast-check, run every
 * request of a world through the evaluator and through cedar-wasm, and compare decision, reasons (as sets) and
 * erroring policy ids (as sets). Counts what was generated (operators, constructs, outcomes) so a generator that
 * stops producing something is seen, and on a disagreement shrinks it (fast-check on the choice tape, then
 * deletion on the concrete input) to a small case printed in full.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { worldArbitrary, type WorldSize } from './arbitraries.ts';
import type { Expr, PolicyAst, World } from './model.ts';
import { cedarDecide, cedarPolicySet, cedarSession, evaluatorInput, type Outcome } from './oracle.ts';
import { tenetEvaluator, type CedarAnswer, type CedarRequest, type Subject } from './subject.ts';
import { minimize } from './minimize.ts';

export interface Mismatch {
  index: number;
  request: CedarRequest;
  cedar: Outcome;
  evaluator: Outcome;
  /**
   * Which entry point answered: the evaluator's one-shot `evaluateOnce`, its long-lived `authorize`, or the
   * production decision path (activation's compile, the PDP over an entity source).
   */
  via: 'evaluateOnce' | 'authorize' | 'production';
  /** What kind of disagreement: a run reports one example of each kind. */
  kind: string;
}

export class Stats {
  worlds = 0;
  cases = 0;
  readonly outcomes = new Map<string, number>();
  readonly coverage = new Map<string, number>();
  readonly refusals = new Map<string, number>();

  bump(map: Map<string, number>, key: string, n = 1): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }
}

const sameSet = (a: string[], b: string[]): boolean => {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
};

/** Undefined when the two agree, else what differs. */
export function difference(cedar: Outcome, ev: Outcome): string | undefined {
  if (cedar.kind === 'refused' && ev.kind === 'refused') return undefined;
  if (cedar.kind === 'refused') return `cedar-wasm refuses (${refusalKind(cedar.message)}), the evaluator answers`;
  if (ev.kind === 'refused') return `the evaluator refuses (${refusalKind(ev.message)}), cedar-wasm answers`;
  const a = cedar.answer;
  const b = ev.answer;
  const diffs: string[] = [];
  if (a.decision !== b.decision) diffs.push(`decision ${a.decision}→${b.decision}`);
  if (!sameSet(a.reasons, b.reasons)) diffs.push('reasons');
  if (!sameSet(a.errors, b.errors)) diffs.push(b.errors.length > a.errors.length ? 'errors: evaluator errs more' : 'errors: evaluator errs less');
  return diffs.length ? diffs.join(', ') : undefined;
}

/** The first words of a refusal, so the printed histogram groups them. */
const refusalKind = (message: string): string => message.replace(/`[^`]*`|"[^"]*"|\d+/g, '…').slice(0, 70);

function outcomeLabel(o: Outcome): string {
  if (o.kind === 'refused') return 'refused';
  return `${o.answer.decision}${o.answer.errors.length ? '+errors' : ''}`;
}

const refused = (err: unknown): Outcome => ({ kind: 'refused', message: err instanceof Error ? err.message : String(err) });

/** Deep-freezes the input, so an evaluator that writes into what it was given fails loudly. */
function freeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) freeze(x);
  }
  return v;
}

/**
 * Runs every request of the world through both sides. The evaluator is asked in its long-lived form — the policy
 * set compiled and the entities indexed once, then `authorize` per request (`failClosed: false`, Cedar exactly,
 * and `failClosed: true`) — through the production decision path (the subject's `production`: activation's
 * compile, the PDP over an entity source, Tenet's rule), and for the first request through `evaluateOnce`. cedar-wasm answers the first
 * request with plain `isAuthorized` and the others with `statefulIsAuthorized` on the same schema and policy set
 * parsed once (the same engine; parsing the schema on every call would triple the run time).
 */
export function checkWorld(world: World, stats?: Stats, subject: Subject = tenetEvaluator): Mismatch[] {
  const input = freeze(evaluatorInput(world));
  const policies = cedarPolicySet(world);
  const oracle = cedarSession(world, policies);
  let decide: ReturnType<Subject['prepare']> | Outcome;
  try {
    decide = subject.prepare(input);
  } catch (err) {
    decide = refused(err);
  }
  let production: ((request: CedarRequest) => CedarAnswer) | Outcome | undefined;
  if (subject.production) {
    try {
      production = subject.production(input);
    } catch (err) {
      production = refused(err);
    }
  }
  // Policy ids that are forbids (a link is what its template is).
  const forbids = new Set(world.policies.filter((p) => p.ast.effect === 'forbid').map((p) => p.id));
  for (const l of world.links) if (forbids.has(l.templateId)) forbids.add(l.newId);
  const out: Mismatch[] = [];
  for (let i = 0; i < world.requests.length; i++) {
    const request = freeze(world.requests[i]!);
    const cedar = i === 0 ? cedarDecide(world, policies, request) : oracle(request);
    const ev = typeof decide === 'function' ? attempt(decide, request) : decide;
    if (stats) {
      stats.cases++;
      stats.bump(stats.outcomes, outcomeLabel(cedar));
      if (cedar.kind === 'refused') stats.bump(stats.refusals, refusalKind(cedar.message));
    }
    const d = difference(cedar, ev);
    if (d) out.push({ index: i, request, cedar, evaluator: ev, via: 'authorize', kind: d });
    // Tenet's one deviation, exactly: with failClosed the answer is Cedar's, except that an allow with an erroring
    // forbid becomes a deny (stricter, never looser).
    const expected: Outcome =
      cedar.kind === 'answer' && cedar.answer.decision === 'allow' && cedar.answer.errors.some((id) => forbids.has(id))
        ? { kind: 'answer', answer: { decision: 'deny', reasons: [], errors: cedar.answer.errors } }
        : cedar;
    if (!d && cedar.kind === 'answer' && typeof decide === 'function') {
      const strict = attempt((r) => decide(r, { failClosed: true }), request);
      const ds = difference(expected, strict);
      if (ds) out.push({ index: i, request, cedar: expected, evaluator: strict, via: 'authorize', kind: `failClosed: ${ds}` });
      if (stats && expected !== cedar) stats.bump(stats.outcomes, 'failClosed:allow→deny');
    }
    if (production) {
      const p = typeof production === 'function' ? attempt(production, request) : production;
      const dp = difference(expected, p);
      if (dp) out.push({ index: i, request, cedar: expected, evaluator: p, via: 'production', kind: `production: ${dp}` });
    }
    if (i === 0) {
      const once = attempt((r) => subject.evaluateOnce(input, r), request);
      const d1 = difference(cedar, once);
      // Reported apart only when the one-shot form goes wrong differently from the long-lived one.
      if (d1 && d1 !== d) out.push({ index: i, request, cedar, evaluator: once, via: 'evaluateOnce', kind: `evaluateOnce: ${d1}` });
    }
  }
  return out;
}

function attempt(decide: (request: CedarRequest) => CedarAnswer, request: CedarRequest): Outcome {
  try {
    return { kind: 'answer', answer: decide(request) };
  } catch (err) {
    return refused(err);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Coverage

function countExpr(e: Expr, bump: (k: string) => void): void {
  switch (e.t) {
    case 'bool':
    case 'str':
    case 'var':
      bump(e.t === 'var' ? `var:${e.v}` : `lit:${e.t}`);
      return;
    case 'long':
      bump('lit:long');
      if (e.v > 2n ** 53n || e.v < -(2n ** 53n)) bump('lit:long-beyond-2^53');
      return;
    case 'euid':
      bump('lit:entity');
      return;
    case 'not':
      bump('!');
      countExpr(e.a, bump);
      return;
    case 'neg':
      bump('unary -');
      countExpr(e.a, bump);
      return;
    case 'bin':
      bump(e.op);
      countExpr(e.a, bump);
      countExpr(e.b, bump);
      return;
    case 'ite':
      bump('if-then-else');
      countExpr(e.c, bump);
      countExpr(e.a, bump);
      countExpr(e.b, bump);
      return;
    case 'is':
      bump(e.in ? 'is-in' : 'is');
      countExpr(e.a, bump);
      if (e.in) countExpr(e.in, bump);
      return;
    case 'has':
      bump(e.path.length > 1 ? 'has a.b' : 'has');
      countExpr(e.a, bump);
      return;
    case 'like':
      bump('like');
      if (e.pat.some((p) => 'star' in p)) bump('like:wildcard');
      if (e.pat.some((p) => 'lit' in p && p.lit.includes('*'))) bump('like:escaped-star');
      countExpr(e.a, bump);
      return;
    case 'attr':
      bump('.attr');
      if (e.a.t === 'euid') bump('literal-entity.attr');
      countExpr(e.a, bump);
      return;
    case 'method':
      bump(`.${e.m}()`);
      countExpr(e.a, bump);
      e.args.forEach((x) => countExpr(x, bump));
      return;
    case 'call':
      bump(`${e.fn}()`);
      e.args.forEach((x) => countExpr(x, bump));
      return;
    case 'set':
      bump('set-literal');
      e.els.forEach((x) => countExpr(x, bump));
      return;
    case 'rec':
      bump('record-literal');
      e.fields.forEach(([, x]) => countExpr(x, bump));
      return;
  }
}

function countPolicy(p: PolicyAst, template: boolean, bump: (k: string) => void): void {
  bump(p.effect);
  bump(template ? 'template' : 'static');
  bump(p.annotationId !== undefined ? '@id' : 'no @id');
  for (const [v, sc] of [
    ['principal', p.principal],
    ['resource', p.resource],
  ] as const) {
    const slot = sc.op === 'is' ? sc.in === 'slot' : sc.op !== 'all' && sc.uid === 'slot';
    bump(`scope:${v} ${sc.op}${sc.op === 'is' && sc.in ? '-in' : ''}${slot ? ' ?slot' : ''}`);
  }
  bump(`scope:action ${p.action.op}${p.action.op === 'in' && p.action.list ? '-list' : ''}`);
  for (const c of p.conditions) {
    bump(c.kind);
    countExpr(c.body, bump);
  }
}

export function countCoverage(world: World, stats: Stats): void {
  const bump = (k: string) => stats.bump(stats.coverage, k);
  for (const p of world.policies) countPolicy(p.ast, p.template, bump);
  for (const _ of world.links) bump('template-link');
  for (const f of world.features) bump(f);
}

/**
 * Constructs every run must have produced: the operators and constructs the issue lists. A generator change
 * that loses one fails the test instead of quietly testing less. `a or b` is satisfied by either (for constructs
 * rare enough per run that requiring each would make the test flaky).
 */
export const REQUIRED_COVERAGE = [
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  'unary -',
  '&&',
  '||',
  '!',
  'if-then-else',
  'in',
  'is',
  'is-in',
  'has',
  'has a.b',
  'like',
  'like:wildcard',
  'like:escaped-star',
  '.contains()',
  '.containsAll()',
  '.containsAny()',
  '.isEmpty()',
  '.getTag()',
  '.hasTag()',
  'set-literal',
  'record-literal',
  '.attr',
  'chain:3+hops',
  'var:context',
  'context:entity',
  'literal-entity.attr',
  'decimal()',
  'ip()',
  'datetime()',
  'duration()',
  '.lessThan()',
  '.greaterThanOrEqual()',
  '.isIpv4()',
  '.isInRange()',
  '.isLoopback()',
  '.offset()',
  '.durationSince()',
  '.toDate()',
  '.toTime()',
  '.toDays() or .toHours() or .toMinutes() or .toSeconds() or .toMilliseconds()',
  'lit:long-beyond-2^53',
  'permit',
  'forbid',
  'template',
  'template-link',
  '@id',
  'no @id',
  'when',
  'unless',
  'scope:principal == ?slot',
  'scope:resource in ?slot',
  'scope:action in',
  'scope:action in-list',
  'scope:action ==',
  'json:implicit-entity',
  'json:implicit-extension',
  'store:dangling-ref',
  'store:tags',
  'request:entity-not-in-store',
  'schema:text',
  'schema:json',
  'schema:enum-entity-type',
  'guarded-chain',
  'ill-typed-operand',
];

export const missingCoverage = (s: Stats): string[] => REQUIRED_COVERAGE.filter((k) => !k.split(' or ').some((x) => s.coverage.get(x)));

// ---------------------------------------------------------------------------------------------------------------

export interface RunOptions {
  seed: number;
  /** Worlds to generate (each has `size.requests` requests). */
  worlds: number;
  size: WorldSize;
  /** Stop generating new worlds after this long (the benchmark's budget); the count that ran is reported. */
  timeBudgetMs?: number;
  /** Per kind of disagreement: how long fast-check may shrink it, then how long the concrete minimizer may. */
  shrinkBudgetMs?: number;
  minimizeBudgetMs?: number;
  /** How many kinds of disagreement to shrink and print (all are counted). */
  maxReported?: number;
  /** The implementation under test (default: Tenet's evaluator). */
  subject?: Subject;
  /** End the run at the first disagreement this accepts (the harness's own sensitivity test). */
  stopWhen?: (m: Mismatch) => boolean;
}

export interface Failure {
  kind: string;
  /** How many cases disagreed this way. */
  count: number;
  /** fast-check's replay path of the world that first showed it (with the run's seed). */
  path: string;
  /** The shrunk case (absent for kinds past `maxReported`). */
  world?: World;
  mismatch?: Mismatch;
  report: string;
  file?: string;
}

export interface RunResult {
  seed: number;
  stats: Stats;
  /** Generating and checking the cases; shrinking comes on top (elapsedMs). */
  checkMs: number;
  elapsedMs: number;
  failures: Failure[];
}

/**
 * Generates `worlds` worlds and checks each. A disagreement does not stop the run: every kind of disagreement is
 * counted, so one run shows all the bugs it can see, not only the first. Each reported kind is then shrunk:
 * fast-check replays the world that first showed it (seed + path) and shrinks its choice tape, then the concrete
 * minimizer deletes what is left that does not matter.
 */
export function runDifferential(opts: RunOptions): RunResult {
  const stats = new Stats();
  const start = Date.now();
  const firstSeen = new Map<string, { run: number; count: number }>();
  const arb = worldArbitrary(opts.size);
  const subject = opts.subject ?? tenetEvaluator;
  let stopped = false;
  const details = fc.check(
    fc.property(arb, (world) => {
      const run = stats.worlds++;
      countCoverage(world, stats);
      for (const m of checkWorld(world, stats, subject)) {
        const seen = firstSeen.get(m.kind);
        if (seen) seen.count++;
        else firstSeen.set(m.kind, { run, count: 1 });
        if (opts.stopWhen?.(m)) stopped = true;
      }
      return !stopped;
    }),
    {
      seed: opts.seed,
      numRuns: opts.worlds,
      endOnFailure: true,
      ...(opts.timeBudgetMs ? { interruptAfterTimeLimit: opts.timeBudgetMs } : {}),
    },
  );
  if (details.failed && !stopped) throw details.errorInstance ?? new Error('the differential property threw');
  const checkMs = Date.now() - start;
  const failures: Failure[] = [];
  const kinds = [...firstSeen.entries()].sort((a, b) => a[1].run - b[1].run);
  for (const [kind, { run, count }] of kinds.slice(0, opts.maxReported ?? 5)) {
    const shrunk = shrinkKind(opts, arb, kind, run);
    const small = minimize(shrunk, kind, opts.minimizeBudgetMs ?? 20_000, subject);
    const mismatch = checkWorld(small, undefined, subject).find((m) => m.kind === kind) ?? checkWorld(shrunk, undefined, subject).find((m) => m.kind === kind)!;
    const file = path.join(tmpdir(), `cedar-diff-${opts.seed}-${failures.length}.json`);
    writeFileSync(file, JSON.stringify(caseJson(small, mismatch), null, 2));
    failures.push({ kind, count, path: String(run), world: small, mismatch, report: describe(small, mismatch), file });
  }
  for (const [kind, { run, count }] of kinds.slice(opts.maxReported ?? 5)) {
    failures.push({ kind, count, path: String(run), report: `(not shrunk: replay with seed ${opts.seed}, path ${run})` });
  }
  return { seed: opts.seed, stats, checkMs, elapsedMs: Date.now() - start, failures };
}

/** fast-check's shrinking of the world that first showed `kind`, within the shrink budget. */
function shrinkKind(opts: RunOptions, arb: fc.Arbitrary<World>, kind: string, run: number): World {
  // Many shrink steps change only choices the world never read: the same world again. Remember answers.
  const memo = new Map<string, boolean>();
  const details = fc.check(
    fc.property(arb, (world) => {
      const key = JSON.stringify([evaluatorInput(world), world.requests]);
      let fails = memo.get(key);
      if (fails === undefined) memo.set(key, (fails = checkWorld(world, undefined, opts.subject).some((m) => m.kind === kind)));
      return !fails;
    }),
    // Interrupting ends the shrinking with the smallest failure found so far.
    { seed: opts.seed, path: String(run), numRuns: 1, interruptAfterTimeLimit: opts.shrinkBudgetMs ?? 20_000 },
  );
  if (!details.failed || !details.counterexample) throw new Error(`replaying seed ${opts.seed} path ${run} did not reproduce: ${kind}`);
  return details.counterexample[0] as World;
}

/** A standalone case: what the evaluator was given, the request, and both answers. */
export function caseJson(world: World, mm: Mismatch): Record<string, unknown> {
  const input = evaluatorInput(world);
  return { input, request: mm.request, cedar: mm.cedar, evaluator: mm.evaluator };
}

export function describe(world: World, mm: Mismatch): string {
  const input = evaluatorInput(world);
  return [
    `via ${mm.via}:`,
    `schema: ${typeof input.schema === 'string' ? input.schema : JSON.stringify(input.schema)}`,
    `policies:\n${input.policies}`,
    ...(input.templateLinks ? [`links: ${JSON.stringify(input.templateLinks)}`] : []),
    `entities: ${JSON.stringify(input.entities)}`,
    `request: ${JSON.stringify(mm.request)}`,
    `cedar-wasm: ${JSON.stringify(mm.cedar)}`,
    `evaluator:  ${JSON.stringify(mm.evaluator)}`,
  ].join('\n');
}

export function summary(r: RunResult): string {
  const s = r.stats;
  const fmt = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  const missing = missingCoverage(s);
  return [
    `cedar-diff: seed=${r.seed} (CEDAR_DIFF_SEED=${r.seed} to replay) worlds=${s.worlds} cases=${s.cases} checked in ${(r.checkMs / 1000).toFixed(1)} s` +
      (r.failures.length ? `, disagreements shrunk in ${((r.elapsedMs - r.checkMs) / 1000).toFixed(1)} s` : ''),
    `outcomes (cedar-wasm): ${fmt(s.outcomes)}`,
    `refused by cedar-wasm (the evaluator must refuse too): ${fmt(s.refusals) || 'none'}`,
    `coverage: ${fmt(s.coverage)}`,
    `required constructs not seen: ${missing.join(', ') || 'none'}`,
    `disagreements: ${r.failures.length ? '' : 'none'}`,
    ...r.failures.map(
      (f) =>
        `- [${f.count}×, first at fast-check path ${f.path}] ${f.kind}${f.file ? `\n  minimal case (${f.file}):\n    ${f.report.replaceAll('\n', '\n    ')}` : ` ${f.report}`}`,
    ),
  ].join('\n');
}
