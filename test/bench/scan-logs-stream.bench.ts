/**
 * `tenet scan-logs -` on a stream: peak resident memory of the whole command for a small and a four-times-larger
 * input, generated on the fly (never held in this process either). Memory must stay flat in input size. V8 grows
 * its heap lazily when nothing presses it, so peak RSS under default flags says little about what is retained;
 * the command therefore runs with its old space capped at 64 MB: it must finish both inputs (nothing accumulates
 * per line), and the large input's peak must be within 32 MB of the small one's.
 * Reproduce: npm run bench -- scan-logs-stream   (BENCH_STREAM_SMALL_MB, BENCH_STREAM_LARGE_MB, BENCH_STREAM_WORKERS)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from '../scanner/corpus.ts';

const bin = fileURLToPath(new URL('../../engine/bin/tenet.mjs', import.meta.url));
const rss = fileURLToPath(new URL('./report-rss.cjs', import.meta.url));
// The worker threads (past the first 8 MiB) warm their heaps up over the first ~100 MB; the small input is past that.
const SMALL = Number(process.env.BENCH_STREAM_SMALL_MB ?? 100);
const LARGE = Number(process.env.BENCH_STREAM_LARGE_MB ?? 400);
/** --workers for the command (default: its own default, the cores) */
const WORKERS = process.env.BENCH_STREAM_WORKERS;

async function measure(mb: number): Promise<{ mb: number; seconds: number; peakRssMb: number; lines: number; findings: number }> {
  const child = spawn(process.execPath, [bin, 'scan-logs', '-', '--format', 'json', ...(WORKERS === undefined ? [] : ['--workers', WORKERS])], {
    env: { ...process.env, NODE_OPTIONS: `--require ${rss} --max-old-space-size=64`, TENET_SCANNER_SECRET: 'bench-secret-0123456789abcdef0123456789' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let tail = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4096)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const started = performance.now();
  const target = mb * 1024 * 1024;
  let sent = 0;
  let batch: string[] = [];
  let batchBytes = 0;
  for (const { text } of generateCorpus({ lines: Number.MAX_SAFE_INTEGER, seed: 7 })) {
    batch.push(text);
    batchBytes += text.length + 1;
    if (batchBytes >= 1 << 20 || sent + batchBytes >= target) {
      const chunk = batch.join('\n') + '\n';
      sent += Buffer.byteLength(chunk);
      batch = [];
      batchBytes = 0;
      if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      if (sent >= target) break;
    }
  }
  child.stdin.end();
  const code = await exited;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0 && code !== 1) throw new Error(`scan-logs exited ${code}: ${stderr.slice(0, 500)}`);
  const summary = JSON.parse(tail.slice(tail.lastIndexOf('],') + 2).replace(/^/, '{')) as { lines: number; counts: Record<string, number> };
  return {
    mb: Math.round(sent / 1024 / 1024),
    seconds: Math.round(seconds * 10) / 10,
    peakRssMb: Math.round(Number(/TENET_BENCH_MAX_RSS_KB=(\d+)/.exec(stderr)?.[1]) / 1024),
    lines: summary.lines,
    findings: Object.values(summary.counts).reduce((a, b) => a + b, 0),
  };
}

const small = await measure(SMALL);
const large = await measure(LARGE);
const growth = large.peakRssMb - small.peakRssMb;
const ok = growth <= 32;
console.log(
  JSON.stringify({
    bench: 'tenet scan-logs on a stream (memory flat in input size)',
    input: 'generated platform log lines (test/scanner/corpus.ts, seed 7) piped to stdin, JSON output read and discarded',
    small,
    large,
    peakRssGrowthMb: growth,
    floors: { peakRssGrowthMb: 32, maxOldSpaceMb: 64 },
    ok,
    command: 'npm run bench -- scan-logs-stream',
  }),
);
process.exit(ok ? 0 : 1);
