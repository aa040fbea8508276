/**
 * A million clean log lines of the platform's shapes (test/scanner/external/clean-lines.ts: no personal data, no
 * secret) give no finding. Scanned in chunks of 10,000 lines, as the CloudWatch control reads them.
 */
import { describe, expect, it } from 'vitest';
import { createScanner } from '../../engine/scanner/scanner.ts';
import { maskValue } from '../../engine/scanner/masking.ts';
import { CleanLines } from './external/clean-lines.ts';

const LINES = 1_000_000;
const CHUNK = 10_000;
const SEED = 27;
const SHOW = 20;

describe('clean log lines', () => {
  it('are deterministic for a seed', () => {
    const a = new CleanLines(5);
    const b = new CleanLines(5);
    const c = new CleanLines(6);
    const xs = Array.from({ length: 200 }, () => a.line());
    expect(Array.from({ length: 200 }, () => b.line())).toEqual(xs);
    expect(Array.from({ length: 200 }, () => c.line())).not.toEqual(xs);
  });

  it(`${LINES.toLocaleString('en')} lines give no finding`, { timeout: 180_000 }, () => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const scanner = createScanner({ secret: 'clean-lines-test' });
    const gen = new CleanLines(SEED);
    let findings = 0;
    let bytes = 0;
    let genMs = 0;
    let scanMs = 0;
    const shown: string[] = [];
    for (let first = 1; first <= LINES; first += CHUNK) {
      const g0 = performance.now();
      const lines: string[] = new Array<string>(CHUNK);
      for (let i = 0; i < CHUNK; i++) lines[i] = gen.line();
      const text = lines.join('\n');
      const s0 = performance.now();
      genMs += s0 - g0;
      const found = scanner.scan(text, { firstLine: first });
      scanMs += performance.now() - s0;
      bytes += Buffer.byteLength(text) + 1;
      findings += found.length;
      for (const f of found) {
        if (shown.length >= SHOW) break;
        const line = lines[f.line - first];
        shown.push(
          `  ${f.detector} line ${f.line}: …${line.slice(Math.max(0, f.column - 41), f.column - 1)}${maskValue(line.slice(f.column - 1, f.column - 1 + f.length))}…`,
        );
      }
    }
    const totalMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      [
        `${LINES.toLocaleString('en')} clean lines (${(bytes / 1e6).toFixed(0)} MB): ${findings} findings; generated in ${(genMs / 1000).toFixed(1)} s, scanned in ${(scanMs / 1000).toFixed(1)} s (${(bytes / 1e6 / (scanMs / 1000)).toFixed(0)} MB/s), ${(totalMs / 1000).toFixed(1)} s in all (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`,
        ...shown,
      ].join('\n'),
    );
    expect(findings).toBe(0);
  });
});
