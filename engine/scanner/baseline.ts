/**
 * The naive way to scan, kept as the benchmark's baseline: each detector's regular expression (Presidio/gitleaks-
 * style, with the same checksums, context words and entropy test on its matches) run over the whole text one after
 * another, no prefilter, then overlaps resolved and findings masked and fingerprinted like the scanner does.
 * Not used in production: it exists to measure the scanner against (test/bench/pii-scan.bench.ts).
 */
import { createHmac } from 'node:crypto';
import { DETECTOR_IDS, type DetectorId, type PiiFinding } from './types.ts';
import { cardNetwork, gstinCheckChar, luhnValid, shannonEntropy, verhoeffValid } from './checksums.ts';
import { CONTEXT, D, GENERIC_MIN_ENTROPY, SECRET_VALUE_ALLOW_PREFIXES, UPI_HANDLES, normalise, resolveOverlaps } from './detectors.ts';
import { maskValue } from './masking.ts';

type Span = { det: number; start: number; end: number };
type Rule = { detector: DetectorId; re: RegExp; group?: number; accept?: (value: string, text: string, start: number) => boolean };

const digitsOf = (v: string) => Array.from(v.replace(/\D/g, ''), Number);

function near(text: string, pos: number, width: number, words: readonly string[]): boolean {
  const w = text.slice(Math.max(0, pos - width), pos);
  const line = w.slice(w.lastIndexOf('\n') + 1).toLowerCase();
  return words.some((x) => line.includes(x));
}

const RULES: Rule[] = [
  {
    detector: 'aadhaar',
    re: /\b[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}\b/g,
    accept: (v, text, s) =>
      verhoeffValid(digitsOf(v)) &&
      !(/^91[6-9]\d{9}$/.test(v) && near(text, s, 40, CONTEXT.phone)) &&
      !(/^\d{12}$/.test(v) && text[s - 1] === ':' && text[s + 12] === ':') &&
      (!/^\d{12}$/.test(v) || near(text, s, 40, CONTEXT.aadhaar) || !near(text, s, 40, CONTEXT.notAadhaar)),
  },
  { detector: 'pan', re: /\b[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z]\b/g },
  {
    detector: 'gstin',
    re: /\b(?:0[1-9]|[12]\d|3[0-8]|97|99)[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]\b/g,
    accept: (v) => gstinCheckChar(v) === v[14],
  },
  {
    detector: 'in_phone',
    re: /(?<![\w+.])(?:\+91[ -]?|91[ -]?|0)?[6-9]\d{2}(?:\d{2}[ -]?\d{5}|[ -]?\d{3}[ -]?\d{4})(?![\w@]|\.\d)/g,
    accept: (v, text, s) => !near(text, s, 40, CONTEXT.notPhone) || near(text, s, 40, CONTEXT.phone) || /[ -]/.test(v) || v.startsWith('+'),
  },
  { detector: 'email', re: /(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b/g },
  {
    detector: 'card',
    re: /(?<![\w.])(?:\d[ -]?){12,18}\d(?![\w@]|\.\d)/g,
    accept: (v, text, s) => {
      const d = digitsOf(v);
      return (
        cardNetwork(d, d.length) !== null &&
        luhnValid(d, d.length) &&
        (/[ -]/.test(v) || near(text, s, 40, CONTEXT.card) || !near(text, s, 40, CONTEXT.notCard))
      );
    },
  },
  {
    detector: 'upi',
    re: /(?<![\w.%+-])[A-Za-z0-9._-]{2,64}@[A-Za-z]{2,32}(?![\w.-]*\.[A-Za-z])(?![\w-])/g,
    accept: (v, text, s) => {
      const [local, handle] = v.split('@');
      return UPI_HANDLES.has(handle.toLowerCase()) || /^(?:91)?[6-9]\d{9}$/.test(local) || near(text, s, 40, CONTEXT.upi);
    },
  },
  { detector: 'in_passport', re: /\b[A-Z]\d{7}\b/g, accept: (_v, text, s) => near(text, s, 48, CONTEXT.passport) },
  { detector: 'voter_id', re: /\b[A-Z]{3}\d{7}\b/g, accept: (_v, text, s) => near(text, s, 48, CONTEXT.voter) },
  { detector: 'aws_access_key', re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  {
    detector: 'aws_secret_key',
    re: /(?:aws_?secret(?:_?access)?(?:_?key)?|secret_?access_?key)\\?["']?\s*[:=]\s*\\?["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 1,
    accept: (v) => /[A-Z]/.test(v) && /[a-z]/.test(v),
  },
  { detector: 'stripe_key', re: /\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,}|whsec_[A-Za-z0-9]{24,})\b/g },
  { detector: 'razorpay_key', re: /\brzp_(?:live|test)_[A-Za-z0-9]{14}\b/g },
  {
    detector: 'razorpay_key',
    re: /(?:key_?secret|razorpay_?(?:key_?)?secret|rzp_?secret)\\?["']?\s*[:=]\s*\\?["']?([A-Za-z0-9]{20,32})\b/gi,
    group: 1,
  },
  { detector: 'google_api_key', re: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  {
    detector: 'jwt',
    re: /(?<![\w-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
    accept: (v) => /^\s*\{[\s\S]*"alg"\s*:/.test(Buffer.from(v.slice(0, v.indexOf('.')), 'base64url').toString('latin1')),
  },
  { detector: 'private_key', re: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,16384}?-----END [A-Z ]{1,40}-----)?/g },
  { detector: 'meta_token', re: /\bEAA[A-Za-z0-9]{100,}\b/g },
  {
    detector: 'generic_secret',
    re: /([A-Za-z0-9_-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|(?:secret|private|access|auth|signing|encryption|master)[_-]?key|credentials?|authorization))\\?["']?[ \t]*[:=][ \t]*(?:\\"|["'`])?(?:(?:bearer|basic|token) +)?([^\s"'`\\,;&}\])<>]{16,1024})/gi,
    group: 2,
    accept: (v, text, s) => {
      const key =
        /([A-Za-z0-9_-]+)\\?["']?[ \t]*[:=][^:=]*$/
          .exec(text.slice(Math.max(0, s - 80), s))?.[1]
          ?.toLowerCase()
          .replace(/[_-]/g, '') ?? '';
      if (/(?:next|page|nextpage|continuation|pagination|cursor|resume|sync)token$/.test(key)) return false;
      if (SECRET_VALUE_ALLOW_PREFIXES.some((p) => v.startsWith(p))) return false;
      return shannonEntropy(v) >= GENERIC_MIN_ENTROPY;
    },
  },
];

/** Findings the naive way (same shape as Scanner.scan). */
export function naiveScan(text: string, secret: string): PiiFinding[] {
  const spans: Span[] = [];
  for (const rule of RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(text); m; m = rule.re.exec(text)) {
      const value = rule.group ? m[rule.group] : m[0];
      const start = rule.group ? m.index + m[0].length - value.length : m.index;
      if (!rule.accept || rule.accept(value, text, start)) spans.push({ det: D[rule.detector], start, end: start + value.length });
      if (m[0].length === 0) rule.re.lastIndex++;
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = resolveOverlaps(
    spans.map((s) => s.det),
    spans.map((s) => s.start),
    spans.map((s) => s.end),
    spans.length,
  ).map((k) => spans[k]);
  const out: PiiFinding[] = [];
  let line = 1;
  let lineStart = 0;
  for (const s of kept) {
    for (let nl = text.indexOf('\n', lineStart); nl !== -1 && nl < s.start; nl = text.indexOf('\n', lineStart)) {
      line++;
      lineStart = nl + 1;
    }
    const detector = DETECTOR_IDS[s.det];
    const value = text.slice(s.start, s.end);
    out.push({
      detector,
      line,
      column: s.start - lineStart + 1,
      length: s.end - s.start,
      masked: maskValue(value),
      fingerprint: createHmac('sha256', secret).update(normalise(detector, value)).digest('hex').slice(0, 32),
    });
  }
  return out;
}
