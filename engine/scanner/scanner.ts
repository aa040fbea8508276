/**
 * The PII and secret scanner: a library with no I/O. `scan(text)` returns where values are, masked and
 * fingerprinted, never the values themselves; `redact(text)` masks them in place. The passes over the text are
 * scan-engine.ts (identifiers, payment data, secrets) and personal-data.ts (names, addresses, IP addresses,
 * international phones, bank accounts, plates, dates of birth); decode-pass.ts scans base64 and URL-encoded values
 * once decoded. This module merges their spans (one value, one detector) and turns them into findings.
 */
import { DETECTOR_IDS, type DetectorId, type PiiFinding, type Scanner } from './types.ts';
import { D, resolveOverlaps } from './detectors.ts';
import { ScanEngine } from './scan-engine.ts';
import { PersonalPass } from './personal-data.ts';
import { buildKeyTrie, K_ADDRESS, K_DOB, K_NAME } from './personal-keys.ts';
import { decodedSpans, type Spans } from './decode-pass.ts';
import { applyMasks, maskValue } from './masking.ts';
import { createFingerprinter } from './fingerprint.ts';

export interface ScannerOptions {
  /** the install secret keying the fingerprints */
  secret: string | Uint8Array;
  /** detectors to run (default: all) */
  detectors?: DetectorId[];
  /**
   * More keys whose values are personal, besides the built-in ones (`buyer_name`, `shipping_address`, `dob`...):
   * matched as whole key names, case, '_' and '-' ignored (`{ person_name: ['consignee'] }`).
   */
  personalKeys?: Partial<Record<'person_name' | 'postal_address' | 'date_of_birth', string[]>>;
}

const MAX_REDACT_PASSES = 8;

interface FoundSpans extends Spans {
  /** the value to fingerprint where it is not the text itself (a decoded value) */
  value?: Array<string | undefined>;
}

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
  const extraKeys: Array<[string, number]> = [];
  const kinds = { person_name: K_NAME, postal_address: K_ADDRESS, date_of_birth: K_DOB } as const;
  for (const [id, keys] of Object.entries(opts.personalKeys ?? {})) {
    const kind = kinds[id as keyof typeof kinds];
    if (kind === undefined) throw new Error(`personalKeys: unknown detector ${id}`);
    for (const key of keys ?? []) extraKeys.push([key, kind]);
  }
  const personal = new PersonalPass(enabled, buildKeyTrie(extraKeys));
  const fingerprint = createFingerprinter(opts.secret);

  const findSpans = (text: string, decode = true): FoundSpans => {
    engine.run(text);
    const det = engine.fDet.slice(0, engine.count);
    const start = engine.fStart.slice(0, engine.count);
    const end = engine.fEnd.slice(0, engine.count);
    engine.text = '';
    const p = personal.run(text);
    const dec = decode && p.encoded.length ? decodedSpans(text, p.encoded, (s) => findSpans(s, false)) : undefined;
    if (p.det.length === 0 && !dec?.det.length) return { det, start, end };
    // the personal and decoded candidates (fewer than the engine's), sorted; a value found by its key loses the parts
    // of it that another detector found (a phone inside an address)
    const extra: Array<{ d: number; s: number; e: number; v?: string }> = [];
    for (let k = 0; k < p.det.length; k++) if (!p.soft[k]) extra.push({ d: p.det[k], s: p.start[k], e: p.end[k] });
    if (dec) for (let k = 0; k < dec.det.length; k++) extra.push({ d: dec.det[k], s: dec.start[k], e: dec.end[k], v: dec.value[k] });
    extra.sort((a, b) => a.s - b.s || b.e - a.e);
    const hardStarts = extra.map((x) => x.s);
    const hard = extra.length;
    for (let k = 0; k < p.det.length; k++) {
      if (!p.soft[k]) continue;
      const ks = p.start[k];
      const ke = p.end[k];
      // what cuts it: the engine's spans and the other candidates inside it, in offset order (mostly nothing)
      const m0 = lowerBound(end, ks);
      let h0 = firstAtOrAfter(hardStarts, ks - MAX_HARD_SPAN);
      while (h0 < hard && extra[h0].s < ke && extra[h0].e <= ks) h0++;
      if (!(m0 < det.length && start[m0] < ke) && !(h0 < hard && extra[h0].s < ke)) {
        extra.push({ d: p.det[k], s: ks, e: ke });
        continue;
      }
      const cuts: Array<[number, number]> = [];
      for (let m = m0; m < det.length && start[m] < ke; m++) cuts.push([start[m], end[m]]);
      const fromEngine = cuts.length;
      // a candidate of the same detector does not cut it: the two are one value (the longer is kept)
      for (let m = h0; m < hard && extra[m].s < ke; m++) if (extra[m].e > ks && extra[m].d !== p.det[k]) cuts.push([extra[m].s, extra[m].e]);
      if (fromEngine > 0 && cuts.length > fromEngine) cuts.sort((a, b) => a[0] - b[0]);
      let cur = ks;
      const pieces: number[] = [];
      for (const [cs, ce] of cuts) {
        if (cs > cur) pieces.push(cur, cs);
        if (ce > cur) cur = ce;
      }
      pieces.push(cur, ke);
      for (let q = 0; q < pieces.length; q += 2) {
        let ps = pieces[q];
        let pe = pieces[q + 1];
        while (ps < pe && isPieceTrim(text.charCodeAt(ps))) ps++;
        while (pe > ps && isPieceTrim(text.charCodeAt(pe - 1))) pe--;
        if (pe - ps >= 2) extra.push({ d: p.det[k], s: ps, e: pe });
      }
    }
    extra.sort((a, b) => a.s - b.s || b.e - a.e);
    // merged in offset order with the engine's (already sorted, not overlapping)
    const md: number[] = [];
    const ms: number[] = [];
    const me: number[] = [];
    const mv: Array<string | undefined> = [];
    let overlaps = false;
    let reach = 0;
    for (let a = 0, b = 0; a < det.length || b < extra.length;) {
      const fromEngine = b >= extra.length || (a < det.length && (start[a] < extra[b].s || (start[a] === extra[b].s && end[a] >= extra[b].e)));
      const d = fromEngine ? det[a] : extra[b].d;
      const cs = fromEngine ? start[a] : extra[b].s;
      const ce = fromEngine ? end[a] : extra[b].e;
      mv.push(fromEngine ? undefined : extra[b].v);
      if (fromEngine) a++;
      else b++;
      if (cs < reach) overlaps = true;
      if (ce > reach) reach = ce;
      md.push(d);
      ms.push(cs);
      me.push(ce);
    }
    if (!overlaps) return { det: md, start: ms, end: me, value: mv };
    const keep = resolveOverlaps(md, ms, me, md.length);
    return { det: keep.map((i) => md[i]), start: keep.map((i) => ms[i]), end: keep.map((i) => me[i]), value: keep.map((i) => mv[i]) };
  };

  return {
    scan(text: string, options?: { firstLine?: number }): PiiFinding[] {
      if (typeof text !== 'string') throw new TypeError('scan(text): text must be a string');
      const { det, start, end, value } = findSpans(text);
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
        const shown = text.slice(s, end[k]);
        const v = value?.[k] ?? shown;
        out.push({ detector: id, line, column: s - lineStart + 1, length: end[k] - s, masked: maskValue(shown), fingerprint: fingerprint(id, v) });
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
    fingerprint,
  };
}

/** longer than any value a candidate that is not found by its key can be (a phone, an IP address, an account number) */
const MAX_HARD_SPAN = 64;

/** what is trimmed from the pieces of a split value: white space, ',', ';', ':', quotes, '\\' */
const isPieceTrim = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 44 || c === 59 || c === 58 || c === 34 || c === 39 || c === 92;

/** the first index whose value is at least `pos` (values increasing) */
function firstAtOrAfter(values: number[], pos: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** the first index whose end is after `pos` (ends are increasing: the spans do not overlap) */
function lowerBound(end: number[], pos: number): number {
  let lo = 0;
  let hi = end.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (end[mid] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
