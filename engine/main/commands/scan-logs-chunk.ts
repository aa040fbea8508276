import { isAscii } from 'node:buffer';
import type { PiiFinding, Scanner } from '../../scanner/types.ts';

/**
 * One chunk of `tenet scan-logs` input (whole lines joined by '\n', numbered from `firstLine`), scanned where it
 * runs: in the command's own thread or in a scan worker (scan-logs-worker.ts). Everything per line happens here, so
 * the thread that reads the input only cuts it at line ends and writes the results back in order.
 */
export interface ChunkJob {
  /** UTF-8 */
  data: Uint8Array;
  firstLine: number;
  /** the characters (UTF-16 units) of its first line that earlier chunks held: a long line comes in pieces */
  firstColumn: number;
  /** its last line goes on in the next chunk (a piece of a line longer than the piece size) */
  open: boolean;
}

export interface ChunkOptions {
  format: 'table' | 'json';
  /** also give back the chunk's lines with every finding masked (--redact) */
  redact: boolean;
}

export interface ChunkResult {
  findings: number;
  counts: Record<string, number>;
  /** the report's entries for this chunk, ready to write (JSON entries each start with ',\n') */
  report: string;
  /** the chunk's lines masked, each followed by '\n' (with redact) */
  redacted?: string;
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

export function scanChunk(scanner: Scanner, job: ChunkJob, opts: ChunkOptions): ChunkResult {
  const bytes = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.length);
  const found =
    opts.redact || bytes.includes(13) || bytes.includes('"message"') ? scanLineByLine(scanner, job, opts, bytes) : { findings: scanPlain(scanner, job, bytes) };
  const counts: Record<string, number> = {};
  const report: string[] = [];
  for (const f of found.findings) {
    if (f.line === job.firstLine) f.column += job.firstColumn;
    counts[f.detector] = (counts[f.detector] ?? 0) + 1;
    // detector ids and fingerprints (hex) need no escaping; a masked value can hold any character
    report.push(
      opts.format === 'json'
        ? `,\n{"line":${f.line},"detector":"${f.detector}","column":${f.column},"masked":${JSON.stringify(f.masked)},"fingerprint":"${f.fingerprint}"}`
        : `${String(f.line).padStart(7)}:${String(f.column).padEnd(4)} ${f.detector.padEnd(20)} ${f.masked}\n`,
    );
  }
  return { findings: found.findings.length, counts, report: report.join(''), redacted: found.redacted };
}

/**
 * Plain lines (no export line, no '\r', no redaction), scanned without decoding the chunk as UTF-8 as a whole: its
 * ASCII lines are read as one string of one-byte characters, with the lines that are not ASCII blanked (spaces), and
 * those lines are scanned one by one. V8's UTF-8 decoder builds a string of two-byte characters as soon as one
 * character of the megabyte is not ASCII, at a tenth of the speed, and every value cut from it is two-byte too.
 * No value spans lines (see SCAN_LIMITS), so the findings are the same as the whole chunk's.
 */
function scanPlain(scanner: Scanner, job: ChunkJob, bytes: Buffer): PiiFinding[] {
  const wide = nonAsciiLines(bytes);
  if (wide.length === 0) return scanner.scan(bytes.toString('latin1'), { firstLine: job.firstLine });
  const ascii = Buffer.from(bytes);
  const wideLines: WideLine[] = [];
  let line = job.firstLine;
  for (let k = 0, at = 0; k < wide.length; k += 2) {
    line += countLineEnds(bytes, at, wide[k]);
    wideLines.push({ line, text: bytes.toString('utf8', wide[k], wide[k + 1]) });
    ascii.fill(32, wide[k], wide[k + 1]);
    at = wide[k];
  }
  return scanSplit(scanner, ascii.toString('latin1'), wideLines, job.firstLine);
}

/** a line that is not ASCII, scanned on its own: its number and its text */
interface WideLine {
  line: number;
  text: string;
}

/** The findings of `ascii` (lines from `firstLine`, the wide lines blank there) and of each wide line, in line order. */
function scanSplit(scanner: Scanner, ascii: string, wideLines: WideLine[], firstLine: number): PiiFinding[] {
  const rest = scanner.scan(ascii, { firstLine });
  const findings: PiiFinding[] = [];
  let r = 0;
  for (const w of wideLines) {
    const own = scanner.scan(w.text, { firstLine: w.line });
    if (own.length === 0) continue;
    while (r < rest.length && rest[r].line < w.line) findings.push(rest[r++]);
    for (const f of own) findings.push(f);
  }
  while (r < rest.length) findings.push(rest[r++]);
  return findings;
}

/** [start, end) of every line of `b` with a byte that is not ASCII, in order (the line end not included) */
function nonAsciiLines(b: Buffer): number[] {
  const out: number[] = [];
  // the end of the last line found: the search goes on after it (a long line is read once)
  let covered = 0;
  // halves that are all ASCII (isAscii is native and vectorised) are skipped; a chunk holds few such lines
  const visit = (from: number, to: number) => {
    if (from < covered) from = covered;
    if (from >= to) return;
    if (to - from > 4096) {
      if (isAscii(new Uint8Array(b.buffer, b.byteOffset + from, to - from))) return;
      const mid = (from + to) >>> 1;
      visit(from, mid);
      visit(mid, to);
      return;
    }
    for (let k = from; k < to; k++) {
      if (b[k] < 0x80) continue;
      covered = b.indexOf(10, k);
      if (covered === -1) covered = b.length;
      out.push(b.lastIndexOf(10, k) + 1, covered);
      k = covered;
    }
  };
  visit(0, b.length);
  return out;
}

function countLineEnds(b: Buffer, from: number, to: number): number {
  let n = 0;
  for (let nl = b.indexOf(10, from); nl !== -1 && nl < to; nl = b.indexOf(10, nl + 1)) n++;
  return n;
}

/**
 * Export lines, '\r' line ends and redaction: the chunk cut into lines. As in scanPlain, the chunk is read as one-byte
 * characters (a line's offsets are its bytes') and a line that is not ASCII is decoded and scanned on its own.
 */
function scanLineByLine(scanner: Scanner, job: ChunkJob, opts: ChunkOptions, bytes: Buffer): { findings: PiiFinding[]; redacted?: string } {
  const text = bytes.toString('latin1');
  const wide = nonAsciiLines(bytes);
  let w = 0;
  // The scanned text is the chunk itself unless a line needs changing (a CloudWatch export line, a '\r' before the
  // line end) or is not ASCII: then it is rebuilt from the lines, changed or not.
  const redacted: string[] = [];
  const pieces: string[] = [];
  const wideLines: WideLine[] = [];
  let changed = false;
  for (let at = 0, lineNo = job.firstLine; at <= text.length; lineNo++) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const next = end + 1;
    if (text.charCodeAt(end - 1) === 13 && end > at && !(job.open && end === text.length)) end--;
    const isWide = w < wide.length && wide[w] === at;
    if (isWide) w += 2;
    let line = isWide ? bytes.toString('utf8', at, end) : undefined;
    let exported: ReturnType<typeof exportMessage> = null;
    if (end !== next - 1 || text.charCodeAt(at) === 123) {
      line ??= text.slice(at, end);
      exported = exportMessage(line);
    }
    if (opts.redact) {
      line ??= text.slice(at, end);
      redacted.push(exported ? JSON.stringify({ ...exported.obj, message: scanner.redact(exported.message) }) : scanner.redact(line));
      if (next <= text.length || !job.open) redacted.push('\n');
    }
    if (!changed && (exported || isWide || end !== next - 1)) {
      changed = true;
      // the lines before this one, unchanged
      if (at > 0) pieces.push(text.slice(0, at - 1));
    }
    if (changed) {
      // One scanned line per input line: a message's own newlines become spaces so numbering stays the input's.
      const scanned = exported ? exported.message.replace(/\r?\n/g, ' ') : (line ?? text.slice(at, end));
      if (isWide) wideLines.push({ line: lineNo, text: scanned });
      pieces.push(isWide ? '' : scanned);
    }
    at = next;
  }
  const findings = changed ? scanSplit(scanner, pieces.join('\n'), wideLines, job.firstLine) : scanner.scan(text, { firstLine: job.firstLine });
  return { findings, redacted: opts.redact ? redacted.join('') : undefined };
}
