/**
 * Values hidden one encoding deep: a base64 (or base64url) run that decodes to text, a URL-encoded run. Each is
 * decoded once and scanned by every detector (not decoded again); what is found there is reported on the encoded
 * characters that hold it (base64: the 4-character groups of its bytes; URL encoding: its %XX escapes), with the
 * decoded value for the fingerprint, so the same value counts once however it was written. JSON embedded in a
 * string (`"body":"{\"name\":...}"`) needs no decoding: both passes read its escaped quotes.
 */
import { isHexCode } from './char-classes.ts';
import { ENC_BASE64 } from './personal-data.ts';

export interface Spans {
  det: number[];
  start: number[];
  end: number[];
}

export interface DecodedSpans extends Spans {
  /** the decoded value of each span (for its fingerprint) */
  value: string[];
}

/** Findings inside the encoded runs [start, end, kind] of `text`, found by `inner` on the decoded text. */
export function decodedSpans(text: string, encoded: number[], inner: (decoded: string) => Spans): DecodedSpans {
  const out: DecodedSpans = { det: [], start: [], end: [], value: [] };
  for (let r = 0; r < encoded.length; r += 3) {
    const rs = encoded[r];
    const re = encoded[r + 1];
    if (encoded[r + 2] === ENC_BASE64) base64Run(text, rs, re, inner, out);
    else urlRun(text, rs, re, inner, out);
  }
  return out;
}

function base64Run(text: string, rs: number, re: number, inner: (decoded: string) => Spans, out: DecodedSpans): void {
  const run = text.slice(rs, re);
  const bytes = Buffer.from(run, /[-_]/.test(run) ? 'base64url' : 'base64');
  if (bytes.length < 6) return;
  let ascii = true;
  for (const b of bytes) {
    if ((b < 32 && b !== 9 && b !== 10 && b !== 13) || b === 127) return;
    if (b > 127) ascii = false;
  }
  const decoded = bytes.toString('utf8');
  if (!ascii && decoded.includes('\ufffd')) return;
  const found = inner(decoded);
  let dataEnd = re;
  while (dataEnd > rs && text.charCodeAt(dataEnd - 1) === 61) dataEnd--;
  for (let k = 0; k < found.det.length; k++) {
    const ds = found.start[k];
    const de = found.end[k];
    const bs = ascii ? ds : Buffer.byteLength(decoded.slice(0, ds));
    const be = ascii ? de : bs + Buffer.byteLength(decoded.slice(ds, de));
    const end = rs + Math.ceil(be / 3) * 4;
    out.det.push(found.det[k]);
    out.start.push(rs + Math.floor(bs / 3) * 4);
    out.end.push(end >= dataEnd ? re : end);
    out.value.push(decoded.slice(ds, de));
  }
}

function urlRun(text: string, rs: number, re: number, inner: (decoded: string) => Spans, out: DecodedSpans): void {
  // form encoding writes a space as '+' (and a '+' as %2B): then a '+' is a space
  const plusIsSpace = /%2b|%20/i.test(text.slice(rs, re));
  const chars: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let k = rs;
  while (k < re) {
    const c = text.charCodeAt(k);
    if (c === 37 && isHexCode(text.charCodeAt(k + 1)) && isHexCode(text.charCodeAt(k + 2))) {
      const gs = k;
      const bytes: number[] = [];
      while (k + 2 < re && text.charCodeAt(k) === 37 && isHexCode(text.charCodeAt(k + 1)) && isHexCode(text.charCodeAt(k + 2))) {
        bytes.push(parseInt(text.slice(k + 1, k + 3), 16));
        k += 3;
      }
      const s = Buffer.from(bytes).toString('utf8');
      const ascii = bytes.every((b) => b < 128);
      for (let i = 0; i < s.length; i++) {
        chars.push(s[i]);
        from.push(ascii ? gs + 3 * i : gs);
        to.push(ascii ? gs + 3 * i + 3 : k);
      }
    } else {
      chars.push(c === 43 && plusIsSpace ? ' ' : text[k]);
      from.push(k);
      to.push(k + 1);
      k++;
    }
  }
  const decoded = chars.join('');
  const found = inner(decoded);
  for (let i = 0; i < found.det.length; i++) {
    out.det.push(found.det[i]);
    out.start.push(from[found.start[i]]);
    out.end.push(to[found.end[i] - 1]);
    out.value.push(decoded.slice(found.start[i], found.end[i]));
  }
}
