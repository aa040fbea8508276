/**
 * Precision and recall of every detector on 200,000 generated platform log lines (test/scanner/corpus.ts): a finding
 * matches a label when it has the same detector and overlaps the labelled span on the same line. Floors: 0.98. The
 * detectors measured are the ones whose values the generator plants and labels (CORPUS_DETECTORS).
 */
import { describe, expect, it } from 'vitest';
import { verhoeffValid, luhnValid, gstinCheckChar } from '../../engine/scanner/checksums.ts';
import { CORPUS_DETECTORS, generateCorpus, generateCorpusText, type CorpusLine } from './corpus.ts';
import { createScanner } from '../../engine/scanner/scanner.ts';
import { DETECTOR_IDS, type DetectorId } from '../../engine/scanner/types.ts';

const LINES = 200_000;
const SEED = 4;
const CHUNK = 10_000;
const FLOOR = 0.98;

describe('labelled corpus', () => {
  it('is deterministic for a seed, mostly clean, and its labels hold valid values', () => {
    const a = [...generateCorpus({ lines: 2000, seed: 9 })];
    const b = [...generateCorpus({ lines: 2000, seed: 9 })];
    const c = [...generateCorpus({ lines: 2000, seed: 10 })];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(generateCorpusText({ lines: 2000, seed: 9 })).toBe(a.map((l) => l.text).join('\n'));
    const clean = a.filter((l) => l.labels.length === 0).length / a.length;
    expect(clean).toBeGreaterThan(0.8);
    expect(clean).toBeLessThan(0.9);
    for (const l of a) {
      for (const lab of l.labels) {
        const v = l.text.slice(lab.start, lab.start + lab.length);
        const digits = v.replace(/\D/g, '');
        if (lab.detector === 'aadhaar') expect(verhoeffValid([...digits].map(Number)), v).toBe(true);
        if (lab.detector === 'card') expect(luhnValid([...digits].map(Number)), v).toBe(true);
        if (lab.detector === 'gstin') expect(gstinCheckChar(v), v).toBe(v[14]);
      }
    }
  });

  it(`precision and recall ≥ ${FLOOR} for every planted detector on ${LINES.toLocaleString('en')} lines`, () => {
    // the detectors the generator labels: the lines are full of names, addresses and IP addresses it does not label
    const scanner = createScanner({ secret: 'corpus-test', detectors: [...CORPUS_DETECTORS] });
    const stats = Object.fromEntries(DETECTOR_IDS.map((d) => [d, { labels: 0, found: 0, findings: 0, correct: 0 }])) as Record<
      DetectorId,
      { labels: number; found: number; findings: number; correct: number }
    >;
    const misses: string[] = [];
    let chunk: CorpusLine[] = [];
    let first = 1;
    let bytes = 0;
    let scanMs = 0;
    const flush = () => {
      const text = chunk.map((l) => l.text).join('\n');
      bytes += Buffer.byteLength(text);
      const t0 = performance.now();
      const findings = scanner.scan(text, { firstLine: first });
      scanMs += performance.now() - t0;
      const byLine = new Map<number, typeof findings>();
      for (const f of findings) byLine.set(f.line, [...(byLine.get(f.line) ?? []), f]);
      chunk.forEach((line, i) => {
        const fs = byLine.get(first + i) ?? [];
        const overlaps = (f: (typeof fs)[number], lab: CorpusLine['labels'][number]) =>
          f.detector === lab.detector && f.column - 1 < lab.start + lab.length && lab.start < f.column - 1 + f.length;
        for (const lab of line.labels) {
          stats[lab.detector].labels++;
          if (fs.some((f) => overlaps(f, lab))) stats[lab.detector].found++;
          else if (misses.length < 20) misses.push(`missed ${lab.detector}: ${line.text.slice(Math.max(0, lab.start - 40), lab.start + lab.length + 10)}`);
        }
        for (const f of fs) {
          stats[f.detector].findings++;
          if (line.labels.some((lab) => overlaps(f, lab))) stats[f.detector].correct++;
          else if (misses.length < 20) misses.push(`false ${f.detector}: ${line.text.slice(Math.max(0, f.column - 41), f.column - 1 + f.length + 10)}`);
        }
      });
      first += chunk.length;
      chunk = [];
    };
    for (const line of generateCorpus({ lines: LINES, seed: SEED })) {
      chunk.push(line);
      if (chunk.length === CHUNK) flush();
    }
    if (chunk.length) flush();

    const rows = CORPUS_DETECTORS.map((d) => {
      const s = stats[d];
      return {
        detector: d,
        labels: s.labels,
        findings: s.findings,
        precision: s.findings ? s.correct / s.findings : 1,
        recall: s.labels ? s.found / s.labels : 1,
      };
    });
    console.log(
      [
        `PII scanner on ${LINES.toLocaleString('en')} corpus lines (seed ${SEED}, ${(bytes / 1e6).toFixed(1)} MB, scanned at ${(bytes / 1e6 / (scanMs / 1000)).toFixed(0)} MB/s)`,
        'detector          labels  findings  precision  recall',
        ...rows.map(
          (r) =>
            `${r.detector.padEnd(16)} ${String(r.labels).padStart(7)} ${String(r.findings).padStart(9)}  ${r.precision.toFixed(4).padStart(9)}  ${r.recall.toFixed(4).padStart(6)}`,
        ),
        ...misses,
      ].join('\n'),
    );
    for (const r of rows) {
      expect(r.labels, `${r.detector} has labels`).toBeGreaterThanOrEqual(300);
      expect(r.precision, `${r.detector} precision`).toBeGreaterThanOrEqual(FLOOR);
      expect(r.recall, `${r.detector} recall`).toBeGreaterThanOrEqual(FLOOR);
    }
  });
});
