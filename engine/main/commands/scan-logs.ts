import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { parse } from './args.ts';
import type { Config } from '../../kernel/config.ts';
import { createScanner } from '../../scanner/scanner.ts';
import { checkPolicy, dataProtectionPolicy, NOT_MASKED_AT_INGESTION } from '../../scanner/data-protection-policy.ts';
import { SCAN_LIMITS } from '../../scanner/limits.ts';
import type { PiiFinding, Scanner } from '../../scanner/types.ts';

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

/** A CloudWatch export line (`{"message": ...}`), or null for a plain line. */
function exportMessage(line: string): { obj: Record<string, unknown>; message: string } | null {
  if (line.charCodeAt(0) !== 123 /* { */ || !line.includes('"message"')) return null;
  try {
    const obj = JSON.parse(line) as Record<string, unknown>;
    return obj && typeof obj.message === 'string' ? { obj, message: obj.message } : null;
  } catch {
    return null;
  }
}

export interface ScanSummary {
  bytes: number;
  lines: number;
  durationMs: number;
  counts: Record<string, number>;
  findings: number;
}

/**
 * Scans a stream of log lines in chunks (memory stays flat in input size) and reports through callbacks.
 * CloudWatch export lines are scanned on their `message`; line numbers are the input's (1-based).
 */
export async function scanStream(props: {
  input: Readable;
  scanner: Scanner;
  onFinding?: (f: PiiFinding) => void;
  /** when set, every line is written here with each finding masked */
  redactTo?: Writable;
  chunkBytes?: number;
}): Promise<ScanSummary> {
  const started = performance.now();
  const counts: Record<string, number> = {};
  let bytes = 0;
  let lines = 0;
  let findings = 0;
  let chunk: string[] = [];
  let chunkSize = 0;
  let chunkFirst = 1;
  const flush = async () => {
    if (!chunk.length) return;
    const text = chunk.join('\n');
    for (const f of props.scanner.scan(text, { firstLine: chunkFirst })) {
      counts[f.detector] = (counts[f.detector] ?? 0) + 1;
      findings++;
      props.onFinding?.(f);
    }
    chunk = [];
    chunkSize = 0;
  };
  const write = (s: string) =>
    new Promise<void>((resolve, reject) => (props.redactTo!.write(s) ? resolve() : props.redactTo!.once('drain', resolve).once('error', reject)));
  const take = async (line: string) => {
    lines++;
    bytes += Buffer.byteLength(line) + 1;
    const exported = exportMessage(line);
    // One scanned line per input line: a message's own newlines become spaces so numbering stays the input's.
    const scanned = exported ? exported.message.replace(/\r?\n/g, ' ') : line;
    if (props.redactTo) {
      const out = exported ? JSON.stringify({ ...exported.obj, message: props.scanner.redact(exported.message) }) : props.scanner.redact(line);
      await write(out + '\n');
    }
    if (chunk.length === 0) chunkFirst = lines;
    chunk.push(scanned);
    chunkSize += scanned.length;
    if (chunkSize >= (props.chunkBytes ?? 1 << 18)) await flush();
  };
  // Reading the stream chunk by chunk (for await pauses it while we work) keeps memory flat: at most one input
  // chunk, one partial line and one scan chunk are held at a time.
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const data of props.input) {
    const text = partial + (typeof data === 'string' ? data : decoder.write(data as Buffer));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      await take(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    partial = text.slice(start);
  }
  partial += decoder.end();
  if (partial) await take(partial.endsWith('\r') ? partial.slice(0, -1) : partial);
  await flush();
  return { bytes, lines, durationMs: Math.round(performance.now() - started), counts, findings };
}

export async function scanLogs(
  args: string[],
  ctx: { config: () => Config },
  io: { stdin: Readable; stdout: Writable; stderr: Writable } = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { values, positionals } = parse(
    args,
    { format: { type: 'string' }, redact: { type: 'boolean' }, 'emit-data-protection-policy': { type: 'boolean' } },
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
  const input = source === '-' ? io.stdin : createReadStream(source);
  const opened = new Promise<void>((resolve, reject) => {
    if (source === '-') return resolve();
    input.once('open', () => resolve());
    input.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot read ${source}: ${e.code ?? e.message}`)));
  });
  await opened;
  const scanner = createScanner({ secret: await cliScannerSecret(ctx.config()) });
  // With --redact the redacted text owns stdout; the report goes to stderr.
  const report = values.redact ? io.stderr : io.stdout;
  let first = true;
  if (format === 'json') report.write('{"findings":[');
  const summary = await scanStream({
    input,
    scanner,
    redactTo: values.redact ? io.stdout : undefined,
    onFinding: (f) => {
      if (format === 'json') {
        report.write(
          `${first ? '' : ','}\n${JSON.stringify({ line: f.line, detector: f.detector, column: f.column, masked: f.masked, fingerprint: f.fingerprint })}`,
        );
        first = false;
      } else report.write(`${String(f.line).padStart(7)}:${String(f.column).padEnd(4)} ${f.detector.padEnd(20)} ${f.masked}\n`);
    },
  });
  if (format === 'json') {
    const tail = { bytes: summary.bytes, lines: summary.lines, durationMs: summary.durationMs, counts: summary.counts, limits: SCAN_LIMITS };
    report.write(`${first ? '' : '\n'}],${JSON.stringify(tail).slice(1)}\n`);
  } else {
    const counts = Object.entries(summary.counts)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ');
    report.write(
      `${summary.lines} lines, ${summary.bytes} bytes in ${summary.durationMs} ms: ${summary.findings ? `${summary.findings} finding(s) (${counts})` : 'nothing found'}\n`,
    );
    report.write(`What this scan cannot see:\n${SCAN_LIMITS.map((l) => `  - ${l}\n`).join('')}`);
  }
  return summary.findings ? 1 : 0;
}
