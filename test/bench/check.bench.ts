/**
 * `tenet check --snapshot` on a 10,000-resource AWS Config snapshot: wall time of the whole command (process
 * start, tsx, reading and normalising the file, every control) and its peak resident memory.
 * Floors: ≤ 5 s, < 500 MB. Reproduce: npm run bench -- check
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticSnapshot } from './synthetic-inventory.ts';

const COUNT = Number(process.env.BENCH_RESOURCES ?? 10_000);
const RUNS = 3;
const dir = mkdtempSync(path.join(tmpdir(), 'tenet-check-bench-'));
const file = path.join(dir, 'snapshot.json');
writeFileSync(file, JSON.stringify(syntheticSnapshot(COUNT)));
const bin = fileURLToPath(new URL('../../engine/bin/tenet.mjs', import.meta.url));
const rss = fileURLToPath(new URL('./report-rss.cjs', import.meta.url));

let failed = false;
const times: number[] = [];
const mems: number[] = [];
let statuses: Record<string, number> = {};
for (let i = 0; i < RUNS; i++) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [bin, 'check', '--snapshot', file, '--format', 'json'], {
    env: { ...process.env, NODE_OPTIONS: `--require ${rss}`, TENET_CONFIG_FILE: '' },
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const ms = performance.now() - started;
  const kb = Number(/TENET_BENCH_MAX_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  if (r.status === 2 || r.status === null) {
    console.error(r.stderr);
    failed = true;
    break;
  }
  const report = JSON.parse(r.stdout) as { results: Array<{ status: string }> };
  statuses = {};
  for (const x of report.results) statuses[x.status] = (statuses[x.status] ?? 0) + 1;
  times.push(ms);
  mems.push(kb / 1024);
}
rmSync(dir, { recursive: true, force: true });
if (!failed) {
  const worst = Math.max(...times);
  const peak = Math.max(...mems);
  console.log(
    JSON.stringify({
      bench: 'tenet check --snapshot',
      input: `${COUNT} configuration items (synthetic, 2 accounts, 4 regions, 10 resource types), all ${Object.values(statuses).reduce((a, b) => a + b, 0)} controls`,
      runs: RUNS,
      wallMsEach: times.map((t) => Math.round(t)),
      wallMsWorst: Math.round(worst),
      peakRssMb: Math.round(peak),
      statuses,
      floors: { wallMs: 5000, rssMb: 500 },
      ok: worst <= 5000 && peak < 500,
      command: 'npm run bench -- check',
    }),
  );
  if (worst > 5000 || peak >= 500) failed = true;
}
process.exit(failed ? 1 : 0);
