import type { Scanner } from '../../scanner/types.ts';

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
  const text = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.length).toString('utf8');
  // The scanned text is the chunk itself unless a line needs changing (a CloudWatch export line, a '\r' before the
  // line end): then it is rebuilt from the lines, changed or not.
  const redacted: string[] = [];
  const pieces: string[] = [];
  let changed = false;
  // Most chunks have neither: then no line is cut out on its own
  const lineByLine = opts.redact || text.includes('\r') || text.includes('"message"');
  for (let at = 0; lineByLine && at <= text.length;) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const next = end + 1;
    if (text.charCodeAt(end - 1) === 13 && end > at && !(job.open && end === text.length)) end--;
    let line: string | undefined;
    let exported: ReturnType<typeof exportMessage> = null;
    if (end !== next - 1 || text.charCodeAt(at) === 123) {
      line = text.slice(at, end);
      exported = exportMessage(line);
    }
    if (opts.redact) {
      line ??= text.slice(at, end);
      redacted.push(exported ? JSON.stringify({ ...exported.obj, message: scanner.redact(exported.message) }) : scanner.redact(line));
      if (next <= text.length || !job.open) redacted.push('\n');
    }
    if (!changed && (exported || end !== next - 1)) {
      changed = true;
      // the lines before this one, unchanged
      if (at > 0) pieces.push(text.slice(0, at - 1));
    }
    // One scanned line per input line: a message's own newlines become spaces so numbering stays the input's.
    if (changed) pieces.push(exported ? exported.message.replace(/\r?\n/g, ' ') : (line ?? text.slice(at, end)));
    at = next;
  }
  const counts: Record<string, number> = {};
  const report: string[] = [];
  const found = scanner.scan(changed ? pieces.join('\n') : text, { firstLine: job.firstLine });
  for (const f of found) {
    if (f.line === job.firstLine) f.column += job.firstColumn;
    counts[f.detector] = (counts[f.detector] ?? 0) + 1;
    // detector ids and fingerprints (hex) need no escaping; a masked value can hold any character
    report.push(
      opts.format === 'json'
        ? `,\n{"line":${f.line},"detector":"${f.detector}","column":${f.column},"masked":${JSON.stringify(f.masked)},"fingerprint":"${f.fingerprint}"}`
        : `${String(f.line).padStart(7)}:${String(f.column).padEnd(4)} ${f.detector.padEnd(20)} ${f.masked}\n`,
    );
  }
  return { findings: found.length, counts, report: report.join(''), redacted: opts.redact ? redacted.join('') : undefined };
}
