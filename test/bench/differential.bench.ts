/**
 * Differential benchmark: the property of test/cedar-diff/differential.test.ts at scale — Tenet's
 * evaluator against cedar-wasm `isAuthorized` on 1,000,000 generated cases (40,000 worlds × 25 requests), or as
 * many as fit in BENCH_DIFF_SECONDS (default: no limit). Prints how many ran, the outcome mix, the constructs
 * seen, and every kind of disagreement with a minimal case.
 * Reproduce: npx tsx test/bench/differential.bench.ts   (or npm run bench -- differential)
 *   CEDAR_DIFF_SEED=<seed> replays a run; CEDAR_DIFF_RUNS=<worlds> changes the size; BENCH_DIFF_SECONDS=<s> caps the time.
 */
import { runDifferential, summary } from '../cedar-diff/harness.ts';
import { REQUESTS_PER_WORLD, WORLD_SIZE, runsFromEnv, seedFromEnv } from '../cedar-diff/settings.ts';

const seed = seedFromEnv();
const worlds = runsFromEnv(1_000_000 / REQUESTS_PER_WORLD);
const seconds = Number(process.env.BENCH_DIFF_SECONDS ?? 0);
const command = 'npx tsx test/bench/differential.bench.ts';

console.error(`cedar-diff bench: seed ${seed}, up to ${worlds} worlds × ${REQUESTS_PER_WORLD} requests${seconds ? `, at most ${seconds} s` : ''}`);
const result = runDifferential({
  seed,
  worlds,
  size: WORLD_SIZE,
  ...(seconds > 0 ? { timeBudgetMs: seconds * 1000 } : {}),
  maxReported: 6,
  shrinkBudgetMs: 10_000,
  minimizeBudgetMs: 10_000,
});
console.error(summary(result));
console.log(
  JSON.stringify({
    bench: 'differential',
    measured: 'Tenet evaluator vs cedar-wasm isAuthorized (schema + all entities): decision, reasons, erroring policies',
    seed,
    worlds: result.stats.worlds,
    cases: result.stats.cases,
    casesPerSecond: Math.round(result.stats.cases / (result.checkMs / 1000)),
    seconds: Number((result.checkMs / 1000).toFixed(1)),
    shrinkSeconds: Number(((result.elapsedMs - result.checkMs) / 1000).toFixed(1)),
    outcomes: Object.fromEntries(result.stats.outcomes),
    disagreements: result.failures.map((f) => ({ kind: f.kind, count: f.count, path: f.path, file: f.file })),
    command: `CEDAR_DIFF_SEED=${seed} ${command}`,
  }),
);
process.exit(result.failures.length ? 1 : 0);
