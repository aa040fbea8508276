/**
 * The PII and secret scanner: a library with no I/O. `scan(text)` returns where values are, masked and
 * fingerprinted, never the values themselves; `redact(text)` masks them in place. The pass over the text is
 * scan-engine.ts; this module turns its spans into findings.
 */
import { DETECTOR_IDS, type DetectorId, type PiiFinding, type Scanner } from './types.ts';
import { D } from './detectors.ts';
import { ScanEngine } from './scan-engine.ts';
import { applyMasks, maskValue } from './masking.ts';
import { createFingerprinter } from './fingerprint.ts';

export interface ScannerOptions {
  /** the install secret keying the fingerprints */
  secret: string | Uint8Array;
  /** detectors to run (default: all) */
  detectors?: DetectorId[];
}

const MAX_REDACT_PASSES = 8;

export function createScanner(opts: ScannerOptions): Scanner {
  if (opts.secret === undefined || opts.secret === null || opts.secret.length === 0) throw new Error('the scanner needs an install secret for fingerprints');
  let enabled = 0;
  const ids = opts.detectors ?? DETECTOR_IDS;
  for (const id of ids) {
    const k = (D as Record<string, number>)[id];
    if (k === undefined) throw new Error(`unknown detector ${id}`);
    enabled |= 1 << k;
  }
  const engine = new ScanEngine(enabled);
  const fingerprint = createFingerprinter(opts.secret);

  const findSpans = (text: string) => {
    engine.run(text);
    const spans = { det: engine.fDet.slice(0, engine.count), start: engine.fStart.slice(0, engine.count), end: engine.fEnd.slice(0, engine.count) };
    engine.text = '';
    return spans;
  };

  return {
    scan(text: string, options?: { firstLine?: number }): PiiFinding[] {
      if (typeof text !== 'string') throw new TypeError('scan(text): text must be a string');
      const { det, start, end } = findSpans(text);
      const out: PiiFinding[] = [];
      let line = options?.firstLine ?? 1;
      let lineStart = 0;
      let nextNl = det.length ? text.indexOf('\n') : -1;
      for (let k = 0; k < det.length; k++) {
        const s = start[k];
        while (nextNl !== -1 && nextNl < s) {
          line++;
          lineStart = nextNl + 1;
          nextNl = text.indexOf('\n', lineStart);
        }
        const id = DETECTOR_IDS[det[k]];
        const value = text.slice(s, end[k]);
        out.push({ detector: id, line, column: s - lineStart + 1, length: end[k] - s, masked: maskValue(value), fingerprint: fingerprint(id, value) });
      }
      return out;
    },
    redact(text: string): string {
      if (typeof text !== 'string') throw new TypeError('redact(text): text must be a string');
      // Masking a value can expose another that was glued to it without a separator (the kept characters of a
      // mask completing an address, a secret no longer swallowed by a longer candidate): mask until none is left.
      let out = text;
      for (let pass = 0; pass < MAX_REDACT_PASSES; pass++) {
        const { start, end } = findSpans(out);
        if (start.length === 0) return out;
        out = applyMasks(out, start, end);
      }
      return out;
    },
  };
}
