import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKnownDecisions, KNOWN_DECISIONS, missingFromDecisionLog, prototypePolluted, type DecisionSnapshot } from '../fuzz/after-checks.ts';
import { describeFailures, runFuzz, type FuzzReport } from '../fuzz/fuzz-run.ts';
import { startFuzzTarget, type FuzzTarget } from '../fuzz/fuzz-target.ts';
import { seedFromEnv } from '../fuzz/prng.ts';

/**
 * Every route of the OpenAPI document, fuzzed over real HTTP with every role's key and without
 * one. FUZZ_SEED replays a run (the seed is printed), FUZZ_COUNT changes its size (at least 20,000 in npm test);
 * `npm run bench -- fuzz` runs more.
 */
const COUNT = Number(process.env.FUZZ_COUNT ?? 20_000);
const SEED = seedFromEnv();
// Four connections keep the server busy without queueing answers behind each other on a 2-core machine.
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 4);

let target: FuzzTarget;
let before: DecisionSnapshot[];
let report: FuzzReport;

beforeAll(async () => {
  target = await startFuzzTarget();
  // FUZZ_ROUTES (a regular expression over "METHOD /path") narrows a replay to some routes.
  if (process.env.FUZZ_ROUTES) target.ops = target.ops.filter((o) => new RegExp(process.env.FUZZ_ROUTES!).test(o.key));
  before = await askKnownDecisions(target.t);
}, 180_000);
afterAll(async () => target?.t.close());

describe(`route fuzz (FUZZ_SEED=${SEED}, FUZZ_COUNT=${COUNT})`, () => {
  it('the OpenAPI document describes every route the app serves', () => {
    expect(target.undocumented).toEqual([]);
    if (!process.env.FUZZ_ROUTES) expect(target.ops.length).toBeGreaterThanOrEqual(40);
  });

  it('the demo decisions are the known ones before the run', () => {
    expect(before.map((b) => b.decision)).toEqual(KNOWN_DECISIONS.map((k) => k.decision));
    KNOWN_DECISIONS.forEach((k, i) => k.reason && expect(before[i]!.reasons).toContain(k.reason));
  });

  it(`${COUNT} generated requests: no 5xx, no hang, no stack trace, one error shape, keys and gates hold`, async () => {
    report = await runFuzz({
      url: target.t.url,
      generator: { seed: SEED, ops: target.ops, resolve: target.resolve, pools: target.pools, keys: target.t.keys, ownKeyIds: target.ownKeyIds },
      count: COUNT,
      concurrency: CONCURRENCY,
    });
    const summary = {
      seed: SEED,
      sent: report.sent,
      seconds: report.ms / 1000,
      routes: Object.keys(report.perRoute).length,
      statuses: report.statuses,
      latencyMs: report.latency,
      longRequests: report.long,
      slowOnceThenFast: report.slowOnce.length,
      decisionsAnswered: report.decisionIds.length,
      protectedWrites: report.protectedWrites,
      failures: report.failureCount,
    };
    console.log(
      `route fuzz: ${JSON.stringify(summary)}\nreplay: FUZZ_SEED=${SEED} FUZZ_COUNT=${COUNT} npx vitest run --config test/vitest.config.ts route-fuzz`,
    );
    if (report.failureCount) console.log(describeFailures(report));
    // FUZZ_REPORT=file keeps the whole report (per-route statuses and timings, every failure group) as JSON.
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(report, null, 1));
    expect(report.sent).toBe(COUNT);
    // Every documented route was reached, each with many cases (the rarest get a quarter of the usual share).
    for (const op of target.ops) expect(report.perRoute[op.key]?.sent ?? 0, op.key).toBeGreaterThan(Math.min(40, COUNT / target.ops.length / 10));
    expect(report.failures.map((f) => `${f.check} × ${f.count} on ${f.route}`)).toEqual([]);
  }, 600_000);

  it('afterwards /v1/authorize still gives the known demo decisions', async () => {
    const after = await askKnownDecisions(target.t);
    expect(after).toEqual(before);
  });

  it('afterwards every answered decision is in the decision log', async () => {
    expect(report, 'the fuzz run did not finish').toBeDefined();
    expect(report.decisionIds.length).toBeGreaterThan(COUNT / 200);
    const { missing, drainError } = await missingFromDecisionLog(target.t, report.decisionIds);
    expect(drainError).toBeUndefined();
    expect(missing.length, `${missing.length} of ${report.decisionIds.length} answered decisions are not in the log`).toBe(0);
  }, 120_000);

  it('no payload reached Object.prototype', () => {
    expect(prototypePolluted()).toBe(false);
  });
});
