import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../kernel/config.ts';
import { scanLogs, scanStream } from './scan-logs.ts';
import { SCAN_LIMITS } from '../../scanner/limits.ts';
import { maskValue } from '../../scanner/masking.ts';
import { generateCorpusText } from '../../../test/scanner/corpus.ts';

const config = loadConfig({ TENET_SCANNER_SECRET: 'scan-logs-test-secret-0123456789abcdef', LOG_LEVEL: 'silent' });

/** a stream that keeps what is written to it */
function collector() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

async function run(args: string[], input: string) {
  const stdout = collector();
  const stderr = collector();
  const code = await scanLogs(args, { config: () => config }, { stdin: Readable.from([input]), stdout: stdout.stream, stderr: stderr.stream });
  return { code, out: stdout.text(), err: stderr.text() };
}

type Finding = { line: number; detector: string; column: number; masked: string; fingerprint: string };

/** scanStream over `input` read `size` bytes at a time: the summary, the findings and the masked lines */
async function scanPieces(input: Buffer, size: number, props: { workers: number; redact?: boolean; linePieceBytes?: number }) {
  const report = collector();
  const redactTo = collector();
  const summary = await scanStream({
    input: Readable.from(Array.from({ length: Math.ceil(input.length / size) }, (_, k) => input.subarray(k * size, (k + 1) * size))),
    secret: 'chunked-scan-secret',
    options: { format: 'json', redact: props.redact ?? false },
    report: report.stream,
    redactTo: props.redact ? redactTo.stream : undefined,
    workers: props.workers,
    inProcessBytes: 0,
    linePieceBytes: props.linePieceBytes,
  });
  return { summary, redacted: redactTo.text(), findings: JSON.parse(`[${report.text()}]`) as Finding[] };
}

const INPUT = [
  '2026-11-23T10:00:00.000Z INFO order 402-1234567-1234567 imported in 1763892000000 ms',
  '{"timestamp":1763892000000,"logStreamName":"s1","message":"wa inbound from 919845012345 ok"}',
  'user kyc pan=ABCPK1234Z done',
  '',
].join('\n');

describe('tenet scan-logs', () => {
  it('reports findings as JSON (1-based lines, masked, fingerprinted, no raw values) and exits 1', async () => {
    const r = await run(['-', '--format', 'json'], INPUT);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(Object.keys(report).sort()).toEqual(['bytes', 'counts', 'durationMs', 'findings', 'limits', 'lines', 'workers'].sort());
    expect(report.limits).toEqual(SCAN_LIMITS);
    expect(report.lines).toBe(3);
    expect(report.workers).toBe(0); // a small input is scanned in the command's own thread
    expect(report.bytes).toBe(Buffer.byteLength(INPUT));
    expect(report.counts).toEqual({ in_phone: 1, pan: 1 });
    expect(report.findings.map((f: { line: number; detector: string }) => [f.line, f.detector])).toEqual([
      [2, 'in_phone'],
      [3, 'pan'],
    ]);
    for (const f of report.findings) expect(Object.keys(f).sort()).toEqual(['column', 'detector', 'fingerprint', 'line', 'masked']);
    expect(r.out).not.toMatch(/9845012345|ABCPK1234Z/);
  });

  it('--redact writes the input back masked, keeps export lines as JSON, and reports on stderr', async () => {
    const r = await run(['--redact'], INPUT);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe(INPUT.split('\n')[0]);
    expect(JSON.parse(lines[1])).toMatchObject({ timestamp: 1763892000000, logStreamName: 's1' });
    expect(JSON.parse(lines[1]).message).toMatch(/^wa inbound from 91\*+45 ok$/);
    expect(lines[2]).toBe('user kyc pan=AB******4Z done');
    expect(r.out).not.toMatch(/9845012345|ABCPK1234Z/);
    expect(r.err).toMatch(/2 finding\(s\)/);
  });

  it('exits 0 on clean input and 2-worthy errors throw with a clear message', async () => {
    expect((await run([], 'nothing to see here\norder 402-1234567-1234567\n')).code).toBe(0);
    await expect(run(['/nonexistent/file.log'], '')).rejects.toThrow(/cannot read \/nonexistent\/file.log: ENOENT/);
    await expect(run(['--format', 'xml'], '')).rejects.toThrow(/--format must be table or json/);
  });

  it('--emit-data-protection-policy prints a policy within CloudWatch limits', async () => {
    const r = await run(['--emit-data-protection-policy'], '');
    const policy = JSON.parse(r.out);
    expect(policy.Version).toBe('2021-06-01');
    expect(policy.Configuration.CustomDataIdentifier.length).toBeLessThanOrEqual(10);
    const arn = (name: string) => `arn:aws:dataprotection::aws:data-identifier/${name}`;
    for (const name of ['Name', 'Address', 'IpAddress', 'DateOfBirth', 'PhoneNumber-US', 'PhoneNumber-GB']) {
      expect(policy.Statement[0].DataIdentifier).toContain(arn(name));
    }
    // what ingestion masking cannot cover is said, on stderr (stdout is the policy alone)
    expect(r.err).toMatch(/not masked at ingestion: bank_account .*\nnot masked at ingestion: vehicle_registration/);
  });

  it('reports buyer personal data in export and plain lines, and says what it cannot see', async () => {
    const input = [
      JSON.stringify({
        timestamp: 1763892000000,
        logStreamName: 's1',
        message: JSON.stringify({
          msg: 'order imported',
          BuyerInfo: { BuyerName: 'Meera Kulkarni' },
          ShippingAddress: { AddressLine1: 'Flat 7, Sai Kripa Apartments' },
        }),
      }),
      'GET /v1/orders 200 ip=49.36.128.17 buyer name: Asha Rao',
      'deliver to 12 MG Road, Indiranagar, Bengaluru 560038; vehicle MH 12 AB 1234; dob=1988-03-12; call +44 20 7946 0958',
      'payout to IFSC SBIN0004321 a/c 32145678901 done',
      'version=1.2.3.4 from 10.0.12.7 sku KA01AB1234 order 560034',
      '',
    ].join('\n');
    const r = await run(['-', '--format', 'json'], input);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.counts).toEqual({
      person_name: 2,
      postal_address: 2,
      ip_address: 1,
      vehicle_registration: 1,
      date_of_birth: 1,
      intl_phone: 1,
      bank_account: 2, // the account number and its IFSC
    });
    expect(report.findings.filter((f: { line: number }) => f.line === 5)).toEqual([]);
    expect(r.out).not.toMatch(/Meera|Kulkarni|Asha Rao|49\.36\.128|MG Road|1988-03-12|7946|32145678901|SBIN0004321/);

    const table = await run(['-'], input);
    expect(table.out).toMatch(/10 finding\(s\)/);
    expect(table.out).toContain('What this scan cannot see:');
    expect(table.out).toContain('names the lexicon does not know are not detected');
  });

  it('scans in worker threads with the same findings, in input order, as in its own thread', async () => {
    // a few MiB of platform lines (several chunks), with CRLF and CloudWatch export lines among them, read in
    // pieces that cut lines and multi-byte characters anywhere
    const lines = generateCorpusText({ seed: 11, minBytes: 3.5e6 }).split('\n');
    for (let k = 0; k < lines.length; k += 97) lines[k] = JSON.stringify({ timestamp: k, message: `ops ₹ ${lines[k]}\nnext` });
    for (let k = 5; k < lines.length; k += 89) lines[k] += '\r';
    lines.push('तिथि pan=ABCPK1234Z');
    const input = Buffer.from(lines.join('\n'));
    const scan = (workers: number, size: number, redact = false) => scanPieces(input, size, { workers, redact });
    const own = await scan(0, 65_537);
    const pooled = await scan(2, 40_961);
    expect(own.summary.workers).toBe(0);
    expect(pooled.summary.workers).toBe(2);
    expect(own.findings.length).toBeGreaterThan(1000);
    expect(pooled.findings).toEqual(own.findings);
    expect(pooled.summary).toMatchObject({ lines: lines.length, bytes: input.length, counts: own.summary.counts, findings: own.findings.length });
    // every finding points at its value on the input's line (outside export lines, which are scanned on their message)
    let checked = 0;
    for (const f of own.findings) {
      const line = lines[f.line - 1].replace(/\r$/, '');
      if (line.startsWith('{') && line.includes('"message"')) continue;
      expect(maskValue(line.slice(f.column - 1, f.column - 1 + f.masked.length))).toBe(f.masked);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
    expect(own.findings.at(-1)).toMatchObject({ line: lines.length, detector: 'pan', column: 10 });

    // --redact: the masked lines come back in the input's order, one per input line, whoever scanned them
    const ownRedacted = await scan(0, 65_537, true);
    const pooledRedacted = await scan(2, 40_961, true);
    expect(pooledRedacted.redacted).toBe(ownRedacted.redacted);
    expect(pooledRedacted.redacted.split('\n').length).toBe(lines.length + 1);
    expect(pooledRedacted.redacted).not.toContain('ABCPK1234Z');
    expect(pooledRedacted.redacted.split('\n').at(-2)).toBe('तिथि pan=AB******4Z');
  });

  it('counts and scans plain lines (no export line, no CR) without cutting them out, in its own thread and in workers', async () => {
    const lines = generateCorpusText({ seed: 13, minBytes: 2.5e6 }).split('\n');
    expect(lines.some((l) => l.includes('"message"') || l.includes('\r'))).toBe(false);
    const input = Buffer.from(lines.join('\n'));
    for (const workers of [0, 2]) {
      const { summary, findings } = await scanPieces(input, 50_001, { workers });
      expect(summary.lines).toBe(lines.length);
      expect(findings.length).toBeGreaterThan(1000);
      for (const f of findings) expect(maskValue(lines[f.line - 1].slice(f.column - 1, f.column - 1 + f.masked.length))).toBe(f.masked);
    }
  });

  it('waits on a slow reader of the report without leaking listeners or warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    // a reader that takes 16 bytes at a time, a tick each: every write of the report waits for 'drain'
    let got = 0;
    const report = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, done) {
        got += chunk.length;
        setImmediate(done);
      },
    });
    try {
      const input = Buffer.from(generateCorpusText({ seed: 17, minBytes: 1.5e6 }));
      await scanStream({ input: Readable.from([input]), secret: 's', options: { format: 'json', redact: false }, report, workers: 0, inProcessBytes: 1 << 30 });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(got).toBeGreaterThan(10_000);
    expect(report.listenerCount('error')).toBe(0);
    expect(report.listenerCount('drain')).toBe(0);
    expect(warnings).toEqual([]);
  });

  it("scans a line longer than a piece in pieces: the input's line and column for every finding, wherever the cuts fall", async () => {
    // a 3 MB line of multi-byte and ASCII characters with a PAN every 100,003 characters, between two short lines;
    // scanned in pieces of 256 KiB (16 MiB outside tests) read in sizes that cut characters anywhere
    const unit = '₹a 𝄞 ok ';
    let long = '';
    const pans: number[] = [];
    while (long.length < 3e6) {
      long += unit.repeat(Math.ceil(100_003 / unit.length)) + ' ';
      pans.push(long.length + 4);
      long += 'pan=ABCPK1234Z ';
    }
    const lines = ['first pan=ABCPK1234Z', long, 'last pan=ABCPK1234Z'];
    const input = Buffer.from(lines.join('\n') + '\n');
    for (const [workers, redact] of [
      [0, false],
      [2, false],
      [0, true],
    ] as const) {
      const { summary, findings, redacted } = await scanPieces(input, 65_537, { workers, redact, linePieceBytes: 256 << 10 });
      expect(summary.lines).toBe(3);
      const pan = findings.filter((f) => f.detector === 'pan');
      expect(pan.map((f) => [f.line, f.column])).toEqual([[1, 11], ...pans.map((p) => [2, p + 1]), [3, 10]]);
      if (redact) expect(redacted).toBe(input.toString().replaceAll('ABCPK1234Z', 'AB******4Z'));
    }
  });
});
