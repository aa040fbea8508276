import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { parse } from './args.ts';
import type { Config } from '../../kernel/config.ts';
import { createScanner } from '../../scanner/scanner.ts';
import { checkPolicy, dataProtectionPolicy, NOT_MASKED_AT_INGESTION } from '../../scanner/data-protection-policy.ts';
import { SCAN_LIMITS } from '../../scanner/limits.ts';
import { scanChunk, type ChunkJob, type ChunkOptions, type ChunkResult } from './scan-logs-chunk.ts';

/** The fingerprint key: TENET_SCANNER_SECRET, else one made once in the data directory (mode 0600). */
export async function cliScannerSecret(config: Config): Promise<string> {
  if (config.TENET_SCANNER_SECRET) return config.TENET_SCANNER_SECRET;
  const file = path.resolve(config.TENET_DATA_DIR, 'scanner-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('hex');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' }).catch(() => {});
    return (await readFile(file, 'utf8')).trim();
  }
}

export interface ScanSummary {
  bytes: number;
  lines: number;
  durationMs: number;
  counts: Record<string, number>;
  findings: number;
  /** the worker threads that scanned (0: all in the command's own thread) */
  workers: number;
}

/** Input scanned in the command's own thread before workers are started (starting them costs more on less). */
const IN_PROCESS_BYTES = 8 << 20;
const CHUNK_BYTES = 1 << 20;
/** A line longer than this is scanned in pieces of about this size (memory stays flat whatever the input). */
const LINE_PIECE_BYTES = 16 << 20;

/**
 * Scans a stream of log lines in chunks of whole lines and writes the report's entries (and, with `redactTo`, the
 * masked lines) in input order. CloudWatch export lines are scanned on their `message`; line numbers are the input's
 * (1-based). Past the first few MiB the chunks go to `workers` worker threads; at most two chunks per worker are
 * in flight and reading waits for the oldest, so memory stays flat in input size.
 */
export async function scanStream(props: {
  input: Readable;
  secret: string;
  options: ChunkOptions;
  report: Writable;
  redactTo?: Writable;
  workers: number;
  /** input scanned in this thread before the workers start (default 8 MiB) */
  inProcessBytes?: number;
  /** the size of the pieces a longer line is scanned in (default 16 MiB) */
  linePieceBytes?: number;
}): Promise<ScanSummary> {
  const started = performance.now();
  const summary: ScanSummary = { bytes: 0, lines: 0, durationMs: 0, counts: {}, findings: 0, workers: 0 };
  const scanner = createScanner({ secret: props.secret });
  const inProcessBytes = props.inProcessBytes ?? IN_PROCESS_BYTES;
  const linePieceBytes = props.linePieceBytes ?? LINE_PIECE_BYTES;
  let pool: ScanPool | undefined;
  const queue: Array<Promise<ChunkResult>> = [];
  let nextLine = 1;
  let sent = 0;

  // events.once takes its 'error' listener off again when 'drain' comes (a listener left per wait leaks on a pipe)
  const write = async (to: Writable, s: string) => {
    if (s.length !== 0 && !to.write(s)) await once(to, 'drain');
  };
  const emit = async (r: ChunkResult) => {
    summary.findings += r.findings;
    for (const [d, n] of Object.entries(r.counts)) summary.counts[d] = (summary.counts[d] ?? 0) + n;
    if (r.redacted !== undefined) await write(props.redactTo!, r.redacted);
    // JSON entries each start with ',\n': the report's first one goes without its comma
    const entries = props.options.format === 'json' && summary.findings === r.findings ? r.report.slice(1) : r.report;
    await write(props.report, entries);
  };
  // the characters of the line a piece left open (UTF-16 units, as the findings' columns count)
  let openColumn = 0;
  const submit = async (data: Uint8Array, open = false) => {
    const job: ChunkJob = { data, firstLine: nextLine, firstColumn: openColumn, open };
    let lastNl = -1;
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, nl + 1)) {
      nextLine++;
      lastNl = nl;
    }
    // the lines are counted here, once: an open chunk's last line by the chunk that ends it
    if (open) openColumn = (lastNl === -1 ? openColumn : 0) + utf16Units(data, lastNl + 1);
    else {
      nextLine++;
      openColumn = 0;
    }
    summary.lines = nextLine - 1;
    if (!pool && props.workers > 0 && sent >= inProcessBytes) pool = new ScanPool(props.workers, props.secret, props.options);
    sent += data.length;
    const result = pool ? pool.scan(job) : Promise.resolve(scanChunk(scanner, job, props.options));
    // a failed worker fails every chunk it holds: the first is awaited and thrown, the others must not crash the process
    result.catch(() => {});
    queue.push(result);
    while (queue.length > (pool ? 2 * pool.size : 0)) await emit(await queue.shift()!);
  };

  try {
    // Whole lines only go out: the bytes after the last line end wait for the next read. The input stays bytes
    // (a '\n' byte is never inside a UTF-8 sequence); each chunk is decoded where it is scanned.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const take = () => {
      const chunk = new Uint8Array(pendingBytes);
      let at = 0;
      for (const p of pending) {
        chunk.set(p, at);
        at += p.length;
      }
      pending = [];
      pendingBytes = 0;
      // the chunk's last line end separates it from the next chunk: it is not part of its text
      return chunk[chunk.length - 1] === 10 ? chunk.subarray(0, chunk.length - 1) : chunk;
    };
    for await (const data of props.input) {
      const bytes: Uint8Array = typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array);
      summary.bytes += bytes.length;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes < Math.min(CHUNK_BYTES, linePieceBytes)) continue;
      const cut = bytes.lastIndexOf(10);
      if (cut === -1) {
        // a line longer than a piece: the piece goes out open, cut between two characters
        if (pendingBytes >= linePieceBytes) {
          const piece = take();
          const at = characterBoundary(piece);
          const rest = piece.slice(at);
          await submit(piece.subarray(0, at), true);
          if (rest.length) {
            pending.push(rest);
            pendingBytes = rest.length;
          }
        }
        continue;
      }
      pending[pending.length - 1] = bytes.subarray(0, cut + 1);
      pendingBytes -= bytes.length - cut - 1;
      const rest = bytes.subarray(cut + 1);
      await submit(take());
      if (rest.length) {
        pending.push(rest);
        pendingBytes = rest.length;
      }
    }
    if (pendingBytes) await submit(take());
    while (queue.length) await emit(await queue.shift()!);
  } finally {
    summary.workers = pool?.size ?? 0;
    await pool?.close();
  }
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

/** Where to cut UTF-8 bytes without splitting a character: before a last sequence that is not complete. */
function characterBoundary(b: Uint8Array): number {
  let lead = b.length - 1;
  while (lead > 0 && b.length - lead < 4 && (b[lead] & 0xc0) === 0x80) lead--;
  const c = b[lead];
  const size = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  return lead + size > b.length ? lead : b.length;
}

/** The UTF-16 units the UTF-8 bytes b[from..] decode to (a character of four bytes is two). */
function utf16Units(b: Uint8Array, from: number): number {
  let n = 0;
  for (let k = from; k < b.length; k++) {
    const c = b[k];
    if ((c & 0xc0) !== 0x80) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** Worker threads scanning chunks; results come back by sequence number. */
class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failed: Error | undefined;

  constructor(
    readonly size: number,
    secret: string,
    options: ChunkOptions,
  ) {
    // From the sources (tsx, the tests) the worker needs the loader; the build has it compiled next to this module.
    const url = import.meta.url.endsWith('.ts') ? new URL('./scan-logs-worker.mjs', import.meta.url) : new URL('./scan-logs-worker.js', import.meta.url);
    for (let k = 0; k < size; k++) {
      const worker = new Worker(url, { workerData: { secret, options } });
      worker.on('message', (m: { seq: number; result?: ChunkResult; error?: string }) => {
        const w = this.waiting.get(m.seq);
        this.waiting.delete(m.seq);
        if (m.error !== undefined) w?.reject(new Error(`scan worker: ${m.error}`));
        else w?.resolve(m.result!);
      });
      const fail = (error: Error) => {
        this.failed ??= error;
        for (const w of this.waiting.values()) w.reject(error);
        this.waiting.clear();
      };
      worker.on('error', (e) => fail(new Error(`scan worker failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`scan worker exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  scan(job: ChunkJob): Promise<ChunkResult> {
    if (this.failed) return Promise.reject(this.failed);
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      // the chunk's bytes are moved to the worker, not copied (take() gave it a buffer of its own)
      this.workers[seq % this.size].postMessage({ ...job, seq }, [job.data.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export async function scanLogs(
  args: string[],
  ctx: { config: () => Config },
  io: { stdin: Readable; stdout: Writable; stderr: Writable } = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { values, positionals } = parse(
    args,
    { format: { type: 'string' }, redact: { type: 'boolean' }, workers: { type: 'string' }, 'emit-data-protection-policy': { type: 'boolean' } },
    true,
  );
  if (values['emit-data-protection-policy']) {
    const policy = dataProtectionPolicy();
    const problems = checkPolicy(policy);
    if (problems.length) throw new Error(`generated policy breaks CloudWatch's limits: ${problems.join('; ')}`);
    io.stdout.write(JSON.stringify(policy, null, 2) + '\n');
    for (const [detector, why] of Object.entries(NOT_MASKED_AT_INGESTION)) io.stderr.write(`not masked at ingestion: ${detector} (${why})\n`);
    return 0;
  }
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new Error('--format must be table or json');
  if (positionals.length > 1) throw new Error('one input at most: a file, or - for standard input');
  const source = positionals[0] ?? '-';
  const input = source === '-' ? io.stdin : createReadStream(source, { highWaterMark: 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    if (source === '-') return resolve();
    input.once('open', () => resolve());
    input.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot read ${source}: ${e.code ?? e.message}`)));
  });
  await opened;
  const workers = values.workers === undefined ? Math.min(availableParallelism(), MAX_WORKERS) : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new Error('--workers must be a whole number from 0 to 64');
  // With --redact the redacted text owns stdout; the report goes to stderr.
  const report = values.redact ? io.stderr : io.stdout;
  if (format === 'json') report.write('{"findings":[');
  const summary = await scanStream({
    input,
    secret: await cliScannerSecret(ctx.config()),
    options: { format, redact: Boolean(values.redact) },
    report,
    redactTo: values.redact ? io.stdout : undefined,
    workers,
  });
  if (format === 'json') {
    const tail = {
      bytes: summary.bytes,
      lines: summary.lines,
      durationMs: summary.durationMs,
      workers: summary.workers,
      counts: summary.counts,
      limits: SCAN_LIMITS,
    };
    report.write(`${summary.findings ? '\n' : ''}],${JSON.stringify(tail).slice(1)}\n`);
  } else {
    const counts = Object.entries(summary.counts)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ');
    report.write(
      `${summary.lines} lines, ${summary.bytes} bytes in ${summary.durationMs} ms${summary.workers ? ` (${summary.workers} worker threads)` : ''}: ${summary.findings ? `${summary.findings} finding(s) (${counts})` : 'nothing found'}\n`,
    );
    report.write(`What this scan cannot see:\n${SCAN_LIMITS.map((l) => `  - ${l}\n`).join('')}`);
  }
  return summary.findings ? 1 : 0;
}

/** the most scan workers started without --workers */
const MAX_WORKERS = 4;
