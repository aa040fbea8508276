import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScanner } from '../../scanner/scanner.ts';
import { generateCorpusText } from '../../../test/scanner/corpus.ts';
import { scanChunk, type ChunkJob } from './scan-logs-chunk.ts';

const scanner = createScanner({ secret: 'scan-logs-chunk-test-secret' });

/** the report's entries of scanChunk, parsed */
function entries(data: Buffer, job: Partial<ChunkJob> = {}) {
  const r = scanChunk(scanner, { data, firstLine: 1, firstColumn: 0, open: false, ...job }, { format: 'json', redact: false });
  return {
    ...r,
    findings: JSON.parse(`[${r.report.slice(1)}]`) as Array<{ line: number; detector: string; column: number; masked: string; fingerprint: string }>,
  };
}

/** the reference: the chunk decoded as UTF-8 whole and scanned as one text */
function reference(data: Buffer, firstLine = 1, firstColumn = 0) {
  return scanner.scan(data.toString('utf8'), { firstLine }).map((f) => ({
    line: f.line,
    detector: f.detector,
    column: f.line === firstLine ? f.column + firstColumn : f.column,
    masked: f.masked,
    fingerprint: f.fingerprint,
  }));
}

const WIDE = ['₹', 'नमस्ते', '🙏', 'é', 'ऑर्डर कब आएगा', '\u2028'];

describe('scanChunk on plain lines (ASCII read one-byte, the other lines one by one)', () => {
  it('gives the findings of the chunk decoded whole, in line order, with UTF-16 columns on lines that are not ASCII', () => {
    const lines = generateCorpusText({ seed: 5, minBytes: 600_000 }).split('\n');
    // lines that are not ASCII before, after and between values, and values on such lines
    for (let k = 3; k < lines.length; k += 41) lines[k] = `${WIDE[k % WIDE.length]} ${lines[k]} ${WIDE[(k + 1) % WIDE.length]}`;
    lines[0] = `🙏 buyer ₹ pan=ABCPK1234Z phone 9845012345`;
    lines.push('तिथि pan=ABCPK1234Z');
    const data = Buffer.from(lines.join('\n'));
    const got = entries(data, { firstLine: 7, firstColumn: 12 });
    const want = reference(data, 7, 12);
    expect(got.findings.length).toBeGreaterThan(500);
    expect(got.findings.filter((f) => !isAscii(Buffer.from(lines[f.line - 7]))).length).toBeGreaterThan(20);
    expect(got.findings).toEqual(want);
    expect(got.findings[0]).toMatchObject({ line: 7, detector: 'pan', column: 12 + 16 }); // the emoji counts two units;
    expect(got.findings.at(-1)).toMatchObject({ line: 6 + lines.length, detector: 'pan', column: 10 });
  });

  it('finds every line that is not ASCII wherever it falls (across the halves the search splits the chunk into)', () => {
    const base = generateCorpusText({ seed: 9, minBytes: 40_000 }).split('\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(400), fc.constantFrom(...WIDE)), { maxLength: 12 }), fc.boolean(), (edits, open) => {
        const lines = base.slice();
        for (const [k, at, w] of edits) lines[k] = lines[k].slice(0, at) + w + lines[k].slice(at);
        const data = Buffer.from(lines.join('\n'));
        expect(entries(data, { open }).findings).toEqual(reference(data));
      }),
      { numRuns: 40 },
    );
  });

  it('reads bytes that are not UTF-8 as the whole chunk decoded would (U+FFFD), line ends and columns unchanged', () => {
    const parts = [
      Buffer.from('pan=ABCPK1234Z '),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('\nx '),
      Buffer.from([0xe0, 0xa4]),
      Buffer.from(' 9845012345\n'),
      Buffer.from([0xf0, 0x9f, 0x99]),
    ];
    const data = Buffer.concat([...parts, Buffer.from(' pan=ABCPK1234Z')]);
    expect(entries(data).findings).toEqual(reference(data));
    expect(entries(data).findings.map((f) => [f.line, f.column])).toEqual([
      [1, 5],
      [2, 5],
      [3, 7], // the cut-off sequence is one U+FFFD
    ]);
  });

  it('leaves the bytes it was given as they were', () => {
    const data = Buffer.from('नमस्ते pan=ABCPK1234Z\nplain pan=ABCPK1234Z\n₹ 9845012345');
    const copy = Buffer.from(data);
    expect(entries(data).findings.map((f) => f.line)).toEqual([1, 2, 3]);
    expect(data.equals(copy)).toBe(true);
  });
});

describe('scanChunk line by line (CloudWatch export lines, CRLF, --redact)', () => {
  /** each line on its own: decoded, its '\r' dropped, an export line read for its message (line breaks as spaces) */
  function perLine(data: Buffer) {
    const findings: ReturnType<typeof reference> = [];
    const redacted: string[] = [];
    data
      .toString('utf8')
      .split('\n')
      .forEach((raw, k) => {
        const line = raw.replace(/\r$/, '');
        let obj: Record<string, unknown> | null;
        try {
          obj = line.startsWith('{') && line.includes('"message"') ? (JSON.parse(line) as Record<string, unknown>) : null;
        } catch {
          obj = null;
        }
        const message = obj && typeof obj.message === 'string' ? obj.message : null;
        findings.push(...reference(Buffer.from(message === null ? line : message.replace(/\r?\n/g, ' ')), k + 1));
        redacted.push(message === null ? scanner.redact(line) : JSON.stringify({ ...obj, message: scanner.redact(message) }));
      });
    return { findings, redacted: redacted.join('\n') + '\n' };
  }

  it('gives the findings and masked lines of each line scanned on its own', () => {
    const base = generateCorpusText({ seed: 21, minBytes: 60_000 }).split('\n');
    const shapes = [
      (l: string) => l,
      (l: string) => `${l}\r`,
      (l: string) => JSON.stringify({ timestamp: 1, message: l }),
      (l: string) => JSON.stringify({ timestamp: 2, message: `₹ ${l}\nnext 🙏` }),
      (l: string) => `नमस्ते ${l}\r`,
      (l: string) => JSON.stringify({ timestamp: 3, message: `\u20b9 ${l}` }).replace('₹', '\\u20b9'),
    ];
    fc.assert(
      fc.property(fc.array(fc.nat(shapes.length - 1), { minLength: base.length, maxLength: base.length }), fc.boolean(), (kinds, redact) => {
        const data = Buffer.from(base.map((l, k) => shapes[kinds[k]](l)).join('\n'));
        const r = scanChunk(scanner, { data, firstLine: 1, firstColumn: 0, open: false }, { format: 'json', redact });
        const want = perLine(data);
        expect(JSON.parse(`[${r.report.slice(1)}]`)).toEqual(want.findings);
        if (redact) expect(r.redacted).toBe(want.redacted);
      }),
      { numRuns: 12 },
    );
  });
});

describe('scanChunk on hostile plain lines', () => {
  it('reads a long line that is not ASCII once: as fast as an ASCII line of the same size', () => {
    const time = (data: Buffer) => {
      const t0 = performance.now();
      entries(data);
      return performance.now() - t0;
    };
    const wide = Buffer.from('नमस्ते '.repeat(400_000)); // 8 MB, one line
    const ascii = Buffer.from('namaste'.repeat(Math.ceil(wide.length / 7)).slice(0, wide.length));
    time(wide.subarray(0, 70_000));
    time(ascii.subarray(0, 70_000));
    const best = (data: Buffer) => Math.min(time(data), time(data));
    // the ASCII line is scanned as is; the other is found, decoded and scanned; reading it once per 4 KiB piece took minutes
    expect(best(wide)).toBeLessThan(10 * best(ascii) + 200);
  });
});
