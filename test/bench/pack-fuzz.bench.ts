/**
 * The pack fuzz (test/integration/pack-fuzz.db.test.ts) at a larger count: seeded corruptions of a real pack, each
 * through `tenet verify`'s own function; it fails if one crashes verify or is called valid while a member inflates to
 * other bytes. Prints one JSON line, with how many flips deflate reads the same way (`sameContentValid`).
 * Reproduce: npm run bench -- pack-fuzz   (PACK_FUZZ_RUNS, default 20,000; PACK_FUZZ_SEED to repeat a run)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.PACK_FUZZ_RUNS ?? 20_000);
const root = fileURLToPath(new URL('../..', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const started = performance.now();
const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'test/vitest.config.ts', 'test/integration/pack-fuzz.db.test.ts'], {
  cwd: root,
  env: { ...process.env, PACK_FUZZ_RUNS: String(runs) },
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
const out = `${r.stdout}\n${r.stderr}`;
const seed = /pack fuzz: seed (\d+)/.exec(out)?.[1];
const done = /pack fuzz: (\d+) runs in ([\d.]+) s, none crashed, none valid but (\d+) whose .*; by kind: (\{.*\})/.exec(out);
console.log(
  JSON.stringify({
    bench: 'pack-fuzz',
    input: `${runs} seeded corruptions of a real sp-api pack (byte and bit flips, truncation, bytes appended or prepended, members duplicated, shadowed by an unsigned copy, reordered, renamed, dropped, added, replaced; forged or re-signed manifests)`,
    seed: seed ? Number(seed) : null,
    passed: r.status === 0 && Boolean(done),
    fuzzSeconds: done ? Number(done[2]) : null,
    perRunMs: done ? Number(((Number(done[2]) * 1000) / runs).toFixed(2)) : null,
    sameContentValid: done ? Number(done[3]) : null,
    byKind: done ? JSON.parse(done[4]) : null,
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    command: `PACK_FUZZ_RUNS=${runs}${seed ? ` PACK_FUZZ_SEED=${seed}` : ''} npm run bench -- pack-fuzz`,
  }),
);
if (r.status !== 0 || !done) {
  console.error(
    out
      .split('\n')
      .filter((l) => /seed|run \d+|Error|FAIL/.test(l))
      .slice(0, 20)
      .join('\n'),
  );
  process.exit(1);
}
