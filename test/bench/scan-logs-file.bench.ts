/**
 * Whole-process `tenet scan-logs FILE --format json` on 200 MB of generated platform log lines in a file: wall time
 * from process start to exit, with the worker threads (the default: the cores, at most 4) and with `--workers 0`
 * (the command's own thread), best of RUNS each; both reports must agree. Runs the build in dist/, as production
 * does (built first when a source is newer). Target: ≤ 2 s for 200 MB. MB = 10^6 bytes.
 * Reproduce: npm run bench -- scan-logs-file   (BENCH_SCAN_FILE_MB, BENCH_SCAN_FILE_RUNS)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpusText } from '../scanner/corpus.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MB = Number(process.env.BENCH_SCAN_FILE_MB ?? 200);
const RUNS = Number(process.env.BENCH_SCAN_FILE_RUNS ?? 3);
const TARGET_S = 2;

const build = spawnSync(process.execPath, [`${root}engine/bin/build.mjs`], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
const dir = mkdtempSync(path.join(tmpdir(), 'tenet-scan-bench-'));
const file = path.join(dir, 'logs.txt');
writeFileSync(file, generateCorpusText({ seed: 7, minBytes: MB * 1e6 }) + '\n');

function run(workers: string[]): { seconds: number; report: { lines: number; counts: Record<string, number>; findings: unknown[] } } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [`${root}engine/bin/tenet.mjs`, 'scan-logs', file, '--format', 'json', ...workers], {
    env: { ...process.env, TENET_FROM_SOURCE: '0', TENET_SCANNER_SECRET: 'bench-secret-0123456789abcdef0123456789' },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`scan-logs exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return { seconds, report: JSON.parse(r.stdout) };
}

try {
  const measure = (workers: string[]) => {
    const runs = Array.from({ length: RUNS }, () => run(workers));
    return { best: Math.min(...runs.map((r) => r.seconds)), all: runs.map((r) => Math.round(r.seconds * 100) / 100), report: runs[0].report };
  };
  const pooled = measure([]);
  const own = measure(['--workers', '0']);
  const agree = JSON.stringify(pooled.report.findings) === JSON.stringify(own.report.findings) && pooled.report.lines === own.report.lines;
  const round = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      bench: 'tenet scan-logs FILE, whole process',
      input: `${MB} MB file of generated platform log lines (test/scanner/corpus.ts, seed 7), ${own.report.lines} lines, ${own.report.findings.length} findings; JSON report`,
      workers: { count: Math.min(availableParallelism(), 4), bestSeconds: round(pooled.best), runs: pooled.all, mbPerSecond: round(MB / pooled.best) },
      ownThread: { bestSeconds: round(own.best), runs: own.all, mbPerSecond: round(MB / own.best) },
      agree,
      target: { seconds: TARGET_S, met: pooled.best <= TARGET_S },
      command: 'npm run bench -- scan-logs-file',
    }),
  );
  process.exit(agree ? 0 : 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
