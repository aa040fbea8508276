/**
 * The naive way to scan, kept as the benchmark's baseline: each detector's regular expression (Presidio/gitleaks-
 * style, with the same checksums, context words and entropy test on its matches) run over the whole text one after
 * another, no prefilter, then overlaps resolved and findings masked and fingerprinted like the scanner does.
 * The personal-data detectors have their naive equivalents too (key and parent-object regexes, the PIN-after-an-address-
 * word regex, IP, phone, IFSC and plate regexes, validated by the same functions); values inside base64 or URL
 * encoding are not decoded here.
 * Not used in production: it exists to measure the scanner against (test/bench/pii-scan.bench.ts).
 */
import { createHmac } from 'node:crypto';
import { DETECTOR_IDS, type DetectorId, type PiiFinding } from './types.ts';
import { cardNetwork, gstinCheckChar, luhnValid, shannonEntropy, verhoeffValid } from './checksums.ts';
import { CONTEXT, D, GENERIC_MIN_ENTROPY, SECRET_VALUE_ALLOW_PREFIXES, UPI_HANDLES, normalise, resolveOverlaps } from './detectors.ts';
import { maskValue } from './masking.ts';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isPublicIp } from './ip-address.ts';
import { dateAt } from './dates.ts';

type Span = { det: number; start: number; end: number };
type Rule = { detector: DetectorId; re: RegExp; group?: number; accept?: (value: string, text: string, start: number) => boolean };

const digitsOf = (v: string) => Array.from(v.replace(/\D/g, ''), Number);

function near(text: string, pos: number, width: number, words: readonly string[]): boolean {
  const w = text.slice(Math.max(0, pos - width), pos);
  const line = w.slice(w.lastIndexOf('\n') + 1).toLowerCase();
  return words.some((x) => line.includes(x));
}

const Q = `\\\\?["']?\\s*[:=]\\s*\\\\?["']`;
const VALUE = `([^"'\\\\\\n]{2,200})`;
const PARENTS =
  '(?:shipping_?address|billing_?address|delivery_?address|buyer_?info|buyer|shipping|ship_?to|customer|recipient|billing_?details|billing|consignee|address(?:es)?|bank_?account|beneficiary|contacts?)';
const NAME_KEY = new RegExp(
  `(?:buyer_?name|recipient_?name|customer_?name|ship_?to_?name|shipping_?name|billing_?name|consignee_?name|full_?name|recipient|card_?holder_?name|account_?holder_?name|beneficiary_?name|contact_?name)${Q}${VALUE}`,
  'gi',
);
/** a field of a personal object: the key, then (looked back at once the key matched) the object's own key */
const inObject = (keys: string) => new RegExp(`\\\\?["']?(?:${keys})(?<=${PARENTS}\\\\?["']?\\s*:\\s*\\[?\\{[^{}]{0,2000}(?:${keys}))${Q}${VALUE}`, 'gi');
const NAME_IN_OBJECT = inObject('name|first_?name|last_?name|given_?name|family_?name|surname');
const ADDRESS_KEY = new RegExp(
  `(?:shipping_?address|billing_?address|delivery_?address|buyer_?address|customer_?address|recipient_?address|ship_?to|address_?line_?[123]|street_?address|full_?address|street[12]?)${Q}${VALUE}`,
  'gi',
);
const ADDRESS_IN_OBJECT = inObject('city|postal_?code|pin_?code|zip_?code|zip|post_?code|district|county|address[12]?|line[12]|landmark|locality');
const PIN_ADDRESS =
  /(?<=["=|{[\t]|^|\s)(?:\d+[A-Za-z]? |[A-Z][\w.-]* ){0,2}(?:road|rd|nagar|street|marg|sector|colony|lane|apartments?|apts?|floor|near|district|dist|layout|flat|society|residency|cross|opp|opposite|plot|village|taluk|tehsil|mohalla|chowk|enclave|vihar|puram)\b[^"=|{[\t\n]{0,110}?(?<![\w.+/-])[1-9]\d{5}(?![\w-]|\.\d)/gim;
const STATE_CODES = 'AN|AP|AR|AS|BR|CG|CH|DD|DL|DN|GA|GJ|HP|HR|JH|JK|KA|KL|LA|LD|MH|ML|MN|MP|MZ|NL|OD|OR|PB|PY|RJ|SK|TN|TR|TS|TG|UK|UA|UP|WB';
const PLATE = new RegExp(`(?<![\\w/.#-])(?:${STATE_CODES})[ -]?\\d{1,2}[ -]?[A-Z]{1,3}[ -]?\\d{4}(?![\\w-])`, 'g');
const DOB =
  /(?:dob|date[ _-]?of[ _-]?birth|birth[ _-]?date|birthday|bday|born(?: on)?)\\?["']?[\s:=]*\\?["']?(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/. ]\d{1,2}[-/. ](?:\d{4}|\d{2})|\d{1,2}[-/ ]?[A-Za-z]{3,9}\.?,?[-/ ]\d{4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})(?![\dA-Za-z](?<!T))/gi;
const NAME_VALUE = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]{1,79}$/u;

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
  // personal data: each rule a regex over the whole text, validated like the scanner (no decoding of base64 or URL
  // encoding, no object nesting beyond the parent object written just before the field)
  { detector: 'person_name', re: NAME_KEY, group: 1, accept: (v) => NAME_VALUE.test(v) },
  { detector: 'person_name', re: NAME_IN_OBJECT, group: 1, accept: (v) => NAME_VALUE.test(v) },
  {
    detector: 'person_name',
    re: /\b(?:[Bb]uyer|[Cc]ustomer|[Rr]ecipient|[Ss]hipping|[Bb]illing|[Ff]ull) [Nn]ame\s*[:=]\s*([A-Z][A-Za-z.'-]*(?: [A-Z][A-Za-z.'-]*){0,3})/g,
    group: 1,
  },
  { detector: 'postal_address', re: ADDRESS_KEY, group: 1, accept: (v) => v.length >= 3 && !/^(?:null|none|n\/?a|unknown)$/i.test(v) },
  { detector: 'postal_address', re: ADDRESS_IN_OBJECT, group: 1, accept: (v) => v.length >= 3 },
  {
    detector: 'postal_address',
    re: PIN_ADDRESS,
    accept: (v, text, s) => !/(?:order|invoice|awb|txn|ref|id|no)\W{0,3}$/i.test(text.slice(Math.max(0, s - 16), s)),
  },
  {
    detector: 'ip_address',
    re: /(?<![\w.-])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g,
    accept: (v, text, s) =>
      isPublicIp(v) &&
      !/(?:version|ver|release|build|firmware|sdk|rev)\W{0,4}$/i.test(text.slice(Math.max(0, s - 24), s)) &&
      !/[A-Za-z]\/$/.test(text.slice(Math.max(0, s - 2), s)),
  },
  { detector: 'ip_address', re: /(?<![\w:.-])[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g, accept: (v) => isPublicIp(v) },
  { detector: 'intl_phone', re: /(?<![\w+])\+(?!91)[1-9][\d ()-]{6,20}\d(?![\w@])/g, accept: (v) => parsePhoneNumberFromString(v)?.isValid() === true },
  {
    detector: 'bank_account',
    re: /(?:account_?(?:number|no|num)|acct_?no|acc_?no|bank_?account(?:_?number)?)\\?["']?\s*[:=]\s*\\?["']?(\d{9,18})(?![\w-])/gi,
    group: 1,
  },
  {
    detector: 'bank_account',
    re: /(?<![\w.-])\d{9,18}(?![\w-])(?:(?=[^\n]{0,200}\b[A-Z]{4}0[A-Z0-9]{6}\b)|(?<=\b[A-Z]{4}0[A-Z0-9]{6}\b[^\n]{0,200}))/g,
    accept: (_v, text, s) => !/(?:phone|mobile|tel|contact|call)\W{0,4}$/i.test(text.slice(Math.max(0, s - 24), s)),
  },
  {
    detector: 'vehicle_registration',
    re: PLATE,
    accept: (_v, text, s) => !/(?:sku|asin|item|product|model|part|serial|batch|lot|order|invoice)[\w"':= ]{0,8}$/i.test(text.slice(Math.max(0, s - 24), s)),
  },
  { detector: 'vehicle_registration', re: /(?<![\w/.#-])\d{2}[ -]?BH[ -]?\d{4}[ -]?[A-HJ-NP-Z]{1,2}(?![\w-])/g },
  { detector: 'date_of_birth', re: DOB, group: 1, accept: (v) => dateAt(v, 0) === v.length },
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
