/**
 * The route fuzz at length: the generator and judge of test/integration/route-fuzz.db.test.ts,
 * run for FUZZ_COUNT requests (default 100,000) against a real app on embedded PostgreSQL, or the server in
 * DATABASE_URL. Prints one JSON line per finding group, then one summary line; exits 1 if anything failed.
 * Reproduce: FUZZ_SEED=<seed> FUZZ_COUNT=<n> npm run bench -- fuzz   (FUZZ_CONCURRENCY, default 4)
 */
import { writeFileSync } from 'node:fs';
import { askKnownDecisions, missingFromDecisionLog, prototypePolluted } from '../fuzz/after-checks.ts';
import { runFuzz } from '../fuzz/fuzz-run.ts';
import { startFuzzTarget } from '../fuzz/fuzz-target.ts';
import { seedFromEnv } from '../fuzz/prng.ts';

const COUNT = Number(process.env.FUZZ_COUNT ?? 100_000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 4);
if (!Number.isInteger(COUNT) || COUNT < 1) throw new Error('FUZZ_COUNT must be a positive integer');
const seed = seedFromEnv();
const started = performance.now();
const target = await startFuzzTarget();
const database = process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PostgreSQL (PGlite, in memory)';
let failed: boolean;
try {
  const before = await askKnownDecisions(target.t);
  const report = await runFuzz({
    url: target.t.url,
    generator: { seed, ops: target.ops, resolve: target.resolve, pools: target.pools, keys: target.t.keys, ownKeyIds: target.ownKeyIds },
    count: COUNT,
    concurrency: CONCURRENCY,
    onProgress: (n) => n % 10_000 === 0 && console.error(`fuzz: ${n} / ${COUNT}`),
  });
  // FUZZ_REPORT=file keeps the whole report (per-route statuses and timings, every failure group) as JSON.
  if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(report, null, 1));
  const after = await askKnownDecisions(target.t);
  const decisionsChanged = after.filter((a, i) => JSON.stringify(a) !== JSON.stringify(before[i])).length;
  const log = await missingFromDecisionLog(target.t, report.decisionIds);
  const polluted = prototypePolluted();
  for (const g of report.failures) {
    console.log(JSON.stringify({ bench: 'route fuzz finding', check: g.check, route: g.route, count: g.count, examples: g.examples }));
  }
  failed = report.failureCount > 0 || decisionsChanged > 0 || log.missing.length > 0 || Boolean(log.drainError) || polluted || target.undocumented.length > 0;
  console.log(
    JSON.stringify({
      bench: 'route fuzz',
      input: `${COUNT} generated requests over ${target.ops.length} operations of /openapi.json (every role's key, an unknown key and none), seed ${seed}, ${CONCURRENCY} connections, ${database}`,
      sent: report.sent,
      seconds: Math.round(report.ms) / 1000,
      requestsPerSecond: Math.round(report.sent / (report.ms / 1000)),
      latencyMs: report.latency,
      longRequests: report.long,
      slowOnceThenFast: report.slowOnce.length,
      statuses: report.statuses,
      failures: report.failureCount,
      failureGroups: report.failures.map((g) => `${g.check} × ${g.count} on ${g.route}`),
      decisionsAnswered: report.decisionIds.length,
      decisionsMissingFromLog: log.missing.length,
      decisionLogDrain: log.drainError ?? 'ok',
      knownDecisionsChanged: decisionsChanged,
      prototypePolluted: polluted,
      undocumentedRoutes: target.undocumented,
      protectedWrites: report.protectedWrites,
      totalSeconds: Math.round(performance.now() - started) / 1000,
      ok: !failed,
      command: `FUZZ_SEED=${seed} FUZZ_COUNT=${COUNT} npm run bench -- fuzz`,
    }),
  );
} finally {
  await target.t.close();
}
process.exit(failed ? 1 : 0);
