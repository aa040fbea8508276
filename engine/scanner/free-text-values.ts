/**
 * The personal-data pass's value finders that look at the text around a token rather than under a key: an Indian
 * address ending in a PIN code, public IP addresses, E.164 and national phone numbers, a bank account number next to
 * an IFSC, Indian registration plates. Each is called by personal-data.ts on a token that can start its value and
 * reports through the pass. Also the checks of a value found under a key (a name's characters, placeholders).
 */
// the full metadata: it tells an Indian landline from a North American number (the default, smaller metadata checks
// little more than lengths, and takes most ten-digit numbers for both)
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { CLS16, isAlnumCode, isDigitCode, isHexCode, isUpperCode, LOWER, startsWithI, UPPER } from './char-classes.ts';
import { D } from './detectors.ts';
import { isPublicIpv4, isPublicIpv6 } from './ip-address.ts';

/** What a finder needs of the pass: the text and where to report. */
export interface Pass {
  text: string;
  n: number;
  on(det: number): boolean;
  push(det: number, start: number, end: number, soft: boolean): void;
}

/** Marketplaces' countries tried for a national-format number under a phone key (India is in_phone's). */
const PHONE_COUNTRIES = 'US GB AE SG AU CA DE FR IT ES NL SE PL BE IE TR SA EG JP MX BR ZA'.split(' ') as CountryCode[];

export const ADDRESS_WORDS =
  /\b(?:road|rd|nagar|street|marg|sector|colony|lane|apartments?|apts?|floor|near|district|dist|layout|flat|society|residency|cross|opp|opposite|plot|village|taluk|tehsil|mohalla|chowk|enclave|vihar|puram)\b/;
const NOT_PIN_BEFORE = /(?:\b(?:order|invoice|awb|txn|ref|reference|ticket|tracking|sku|qty|quantity|amount|otp|id|no|number)\b|#)[^a-z0-9\n]{0,3}$/;
const VERSION_WORDS = ['version', 'ver', 'release', 'build', 'firmware', 'fw', 'sdk', 'rev'];
const NOT_PLATE_BEFORE = /(?:sku|asin|item|product|model|part|serial|batch|lot|order|invoice)[a-z0-9_]*["'\\]*\s*[:=#]?\s*["'\\]*$/;
const ACCOUNT_BEFORE = /(?:acc|account|a\/c|acct|beneficiary)[a-z_ .-]*(?:no|num|number)?["'\\]*\s*[:=#]?\s*["'\\]*$/;
const PHONE_BEFORE = /(?:phone|mobile|mob|tel|contact|call|whatsapp|wa_id|msisdn)[a-z_ .-]*["'\\]*\s*[:=#]?\s*["'\\]*$/;
const ACCOUNT_DIGITS = /(?<![\w.-])\d{9,18}(?![\w-]|\.\d)/g;
const PLATE = /[A-Z]{2}[ -]?\d{1,2}[ -]?[A-Z]{1,3}[ -]?\d{4}(?![\w-])/y;
export const BH_PLATE = /\d{2}[ -]?BH[ -]?\d{4}[ -]?[A-HJ-NP-Z]{1,2}(?![\w-])/y;
const INDIAN_MOBILE = /^(?:91|0)?[6-9]\d{9}$/;
/** a North American number as written there: (415) 555-0132, 415-555-0132, 415.555.0132 */
const NANP = /^(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$/;
/** a national-format phone number in a value */
const NATIONAL = /\(?\d[\d ()\-.]{5,18}\d(?![\w-])/;

/**
 * A national-format number in the value [qs, qe) under a phone key or after a phone word (quoted: anywhere in it; else
 * at its start), read as `country`'s when the text names one, else as any marketplace country's. Returns where the
 * number ends, or -1 when there is none.
 */
export function nationalPhone(p: Pass, [qs, qe]: [number, number], quoted: boolean, country?: CountryCode): number {
  const t = p.text;
  // the number in the value ("(415) 555-0132", "US: 415-555-0132")
  const m = NATIONAL.exec(t.slice(qs, qe));
  if (!m || (!quoted && m.index !== 0)) return -1;
  const vs = qs + m.index;
  const v = m[0];
  if (t.charCodeAt(vs - 1) === 43) return -1; // E.164: found at its '+'
  const d = v.replace(/\D/g, '');
  if (d.length < 7 || d.length > 15 || INDIAN_MOBILE.test(d)) return -1; // an Indian mobile is in_phone's
  // ten digits that are an Indian landline as well as a North American number: only NANP's grouping decides (an
  // Indian landline is not reported); ten digits that are no Indian number are read as any other country's
  if (d.length === 10 && d.charCodeAt(0) !== 48 && !NANP.test(v) && parsePhoneNumberFromString(d, 'IN')?.isValid()) return -1;
  for (const c of country === undefined ? PHONE_COUNTRIES : [country, ...PHONE_COUNTRIES]) {
    if (parsePhoneNumberFromString(v, c)?.isValid()) {
      p.push(D.intl_phone, vs, vs + v.length, false);
      return vs + v.length;
    }
  }
  return -1;
}

/** A 6-digit PIN code after an address word (same value, same line): the address from shortly before that word. */
export function pin(p: Pass, s: number, e: number): void {
  const t = p.text;
  const prev = s > 0 ? t.charCodeAt(s - 1) : 0;
  const nx = e < p.n ? t.charCodeAt(e) : 0;
  if (isAlnumCode(prev) || prev === 45 || prev === 46 || prev === 43 || prev === 47 || prev === 95) return;
  if (isAlnumCode(nx) || nx === 45 || nx === 95 || (nx === 46 && isDigitCode(t.charCodeAt(e + 1)))) return;
  // the window: back to a quote, '=', '|', '{', '[', a tab or the line's start, at most 120 characters
  const lo = Math.max(0, s - 120);
  let ws = s;
  while (ws > lo) {
    const c = t.charCodeAt(ws - 1);
    if (c === 34 || c === 61 || c === 124 || c === 123 || c === 91 || c === 9 || c === 10 || c === 13) break;
    ws--;
  }
  const before = t.slice(ws, s).toLowerCase();
  if (NOT_PIN_BEFORE.test(before)) return;
  const m = ADDRESS_WORDS.exec(before);
  if (!m) return;
  // the address starts up to two tokens before its first address word, if they hold a digit or a capital ("12 MG Road")
  let a = ws + m.index;
  for (let back = 0; back < 2; back++) {
    let k = a;
    while (k > ws && (t.charCodeAt(k - 1) === 32 || t.charCodeAt(k - 1) === 44)) k--;
    const te = k;
    while (k > ws && t.charCodeAt(k - 1) !== 32 && t.charCodeAt(k - 1) !== 44) k--;
    if (te === k || te === a) break;
    const c = t.charCodeAt(k);
    if (!(isDigitCode(c) || isUpperCode(c))) break;
    a = k;
  }
  p.push(D.postal_address, a, e, true);
}

/** An IPv4 address from the 1-3 digit group at s; returns where scanning resumes. */
export function ipv4(p: Pass, s: number, e: number): number {
  const t = p.text;
  const prev = s > 0 ? t.charCodeAt(s - 1) : 0;
  if (isAlnumCode(prev) || prev === 46 || prev === 95 || prev === 45) return e;
  let k = s;
  let ip = 0;
  for (let part = 0; part < 4; part++) {
    const ps = k;
    let octet = 0;
    while (k < p.n && k - ps < 4 && isDigitCode(t.charCodeAt(k))) octet = octet * 10 + t.charCodeAt(k++) - 48;
    const pl = k - ps;
    if (pl === 0 || pl > 3 || octet > 255 || (pl > 1 && t.charCodeAt(ps) === 48)) return e;
    ip = ip * 256 + octet;
    if (part < 3) {
      if (t.charCodeAt(k) !== 46) return e;
      k++;
    }
  }
  const nx = k < p.n ? t.charCodeAt(k) : 0;
  if (isAlnumCode(nx) || nx === 95 || (nx === 46 && isDigitCode(t.charCodeAt(k + 1)))) return k;
  if (!isPublicIpv4(ip)) return k;
  // a version ("Chrome/120.0.1.2", "version=1.2.3.4")
  if (prev === 47 && s > 1 && isAlnumCode(t.charCodeAt(s - 2)) && !isDigitCode(t.charCodeAt(s - 2))) return k;
  if (afterVersionWord(t, s)) return k;
  p.push(D.ip_address, s, k, false);
  return k;
}

/** An IPv6 address from the hex group at s (followed by ':'); returns where scanning resumes. */
export function ipv6(p: Pass, s: number, e: number): number {
  const t = p.text;
  const prev = s > 0 ? t.charCodeAt(s - 1) : 0;
  if (isAlnumCode(prev) || prev === 58 || prev === 46 || prev === 95 || prev === 45) return e;
  let k = s;
  let colons = 0;
  while (k < p.n && k - s < 45) {
    const c = t.charCodeAt(k);
    if (c === 58) colons++;
    else if (!(isHexCode(c) || c === 46)) break;
    k++;
  }
  while (k > e && (t.charCodeAt(k - 1) === 58 || t.charCodeAt(k - 1) === 46)) k--;
  if (colons < 2 || isAlnumCode(t.charCodeAt(k)) || t.charCodeAt(k) === 95) return e;
  if (isPublicIpv6(t.slice(s, k))) p.push(D.ip_address, s, k, false);
  return k;
}

/** '+' and a country code: an E.164 number other than India's (+91 is in_phone's). */
export function e164(p: Pass, i: number): number {
  const t = p.text;
  const c1 = t.charCodeAt(i + 1);
  if (c1 < 49 || c1 > 57 || !p.on(D.intl_phone)) return i + 1;
  const prev = i > 0 ? t.charCodeAt(i - 1) : 0;
  if (isAlnumCode(prev) || prev === 43 || (c1 === 57 && t.charCodeAt(i + 2) === 49)) return i + 1;
  let k = i + 1;
  let last = i;
  let digits = 0;
  const ends: number[] = [];
  while (k < p.n && k - i <= 24) {
    const c = t.charCodeAt(k);
    if (isDigitCode(c)) {
      digits++;
      last = k;
    } else if (c === 32 || c === 45 || c === 40 || c === 41 || c === 46) {
      if (isDigitCode(t.charCodeAt(k - 1))) ends.push(k);
    } else break;
    k++;
  }
  let end = last + 1;
  if (digits < 8 || isAlnumCode(t.charCodeAt(end)) || t.charCodeAt(end) === 64) return end;
  // the longest run of groups that is a valid number ("+44 20 7946 0958 12 items": not the 12)
  ends.push(end);
  for (let g = ends.length - 1; g >= 0; g--) {
    end = ends[g];
    const number = parsePhoneNumberFromString(t.slice(i, end));
    if (number?.isValid()) {
      if (number.countryCallingCode !== '91') p.push(D.intl_phone, i, end, false);
      return end;
    }
  }
  return last + 1;
}

/**
 * An IFSC: the account number (9-18 digits) next to it on its line, the one under an account key first; the IFSC is
 * reported with it (the branch is part of the account's details), or alone when a key names it (`"ifsc":"..."`).
 */
export function ifsc(p: Pass, s: number, e: number, keyed: boolean): void {
  const t = p.text;
  if (t.charCodeAt(s + 4) !== 48 || isAlnumCode(s > 0 ? t.charCodeAt(s - 1) : 0) || isAlnumCode(t.charCodeAt(e))) return;
  for (let k = s; k < s + 4; k++) if (!isUpperCode(t.charCodeAt(k))) return;
  const lo = s - lineBefore(t, s, 200).length;
  const hi = e + lineAfter(t, e, 200).length;
  const win = t.slice(lo, hi);
  ACCOUNT_DIGITS.lastIndex = 0;
  let best = -1;
  let bestLen = 0;
  let bestScore = -1;
  for (let m = ACCOUNT_DIGITS.exec(win); m; m = ACCOUNT_DIGITS.exec(win)) {
    const at = lo + m.index;
    const ctx = t.slice(Math.max(lo, at - 32), at).toLowerCase();
    const score = ACCOUNT_BEFORE.test(ctx) ? 2 : PHONE_BEFORE.test(ctx) ? -1 : 1;
    if (score < 0) continue;
    const dist = Math.abs(at - s);
    if (score > bestScore || (score === bestScore && dist < Math.abs(best - s))) {
      best = at;
      bestLen = m[0].length;
      bestScore = score;
    }
  }
  if (best >= 0) p.push(D.bank_account, best, best + bestLen, false);
  if (best >= 0 || keyed) p.push(D.bank_account, s, e, false);
}

/** Indian state and union territory codes of a vehicle registration (current and former), by (letter1 * 26 + letter2) */
const STATE_CODE = new Uint8Array(26 * 26);
for (const code of 'AN AP AR AS BR CG CH DD DL DN GA GJ HP HR JH JK KA KL LA LD MH ML MN MP MZ NL OD OR PB PY RJ SK TN TR TS TG UK UA UP WB'.split(' ')) {
  STATE_CODE[(code.charCodeAt(0) - 65) * 26 + code.charCodeAt(1) - 65] = 1;
}
/** An upper-case and digit token of at most 10 characters at s: a plate's start when it is a state code or a BH year. */
export function plateToken(p: Pass, s: number, len: number): void {
  const t = p.text;
  const c0 = t.charCodeAt(s);
  if (c0 <= 57) {
    if (len >= 9) plate(p, BH_PLATE, s);
  } else if (len === 2 || isDigitCode(t.charCodeAt(s + 2))) {
    const c1 = t.charCodeAt(s + 1);
    if (c1 >= 65 && STATE_CODE[(c0 - 65) * 26 + c1 - 65] === 1) plate(p, PLATE, s);
  }
}

/** A registration plate at s ("MH 12 AB 1234", "KA01AB1234", "22 BH 1234 AA"), not glued to an identifier. */
export function plate(p: Pass, re: RegExp, s: number): void {
  const t = p.text;
  const prev = s > 0 ? t.charCodeAt(s - 1) : 0;
  if (isAlnumCode(prev) || prev === 95 || prev === 45 || prev === 47 || prev === 46 || prev === 35) return;
  re.lastIndex = s;
  const m = re.exec(t);
  if (!m) return;
  if (NOT_PLATE_BEFORE.test(lineBefore(t, s, 40).toLowerCase())) return;
  p.push(D.vehicle_registration, s, s + m[0].length, false);
}

/** Whether a version word ends at most 4 separators before s ("version=", "build ", "ver: "), without copying. */
function afterVersionWord(t: string, s: number): boolean {
  let k = s;
  while (k > 0 && s - k < 4) {
    const c = t.charCodeAt(k - 1);
    if (c === 10 || isAlnumCode(c)) break;
    k--;
  }
  const we = k;
  while (k > 0 && we - k < 9 && isAlnumCode(t.charCodeAt(k - 1))) k--;
  if (we - k < 2) return false;
  for (const w of VERSION_WORDS) if (we - k >= w.length && startsWithI(t, we - w.length, w)) return true;
  return false;
}

/**
 * Up to `width` characters before s, and after e, on their line: bounded, since looking for the line's ends over the
 * whole line was quadratic in a long one.
 */
function lineBefore(t: string, s: number, width: number): string {
  const w = t.slice(Math.max(0, s - width), s);
  return w.slice(w.lastIndexOf('\n') + 1);
}
function lineAfter(t: string, e: number, width: number): string {
  const w = t.slice(e, e + width);
  const nl = w.indexOf('\n');
  return nl < 0 ? w : w.slice(0, nl);
}

// ------------------------------------------------------------------------------------------ values under keys
/** a value that stands for no value */
export const PLACEHOLDER = /^(?:null|none|nil|n\/?a|na|unknown|undefined|redacted|-+|\.+|x+)$/i;

export const isNameChar = (c: number) =>
  c < 128 ? (CLS16[c] & (UPPER | LOWER)) !== 0 || c === 46 || c === 39 || c === 45 : c !== 0x2028 && c !== 0x2029 && c !== 0xa0;

/** [s, e) without the spaces, ',', ';' and ':' around it */
export function trim(t: string, s: number, e: number): [number, number] {
  while (s < e && isTrimmed(t.charCodeAt(s))) s++;
  while (e > s && isTrimmed(t.charCodeAt(e - 1))) e--;
  return [s, e];
}

const isTrimmed = (c: number) => c === 32 || c === 44 || c === 59 || c === 58 || (c >= 9 && c <= 13) || c === 0xa0;

/** A person's name: letters, spaces, '.', ''' and '-' (and digits with `digits`); no identifier characters; not a placeholder. */
export function validName(v: string, digits = false): boolean {
  if (v.length < 2 || v.length > 80 || PLACEHOLDER.test(v) || v.includes('**')) return false;
  if (!(digits ? /^[\p{L}\p{M}][\p{L}\p{M}\d .'’-]*$/u : /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u).test(v)) return false;
  // one lower-case word with '-' or '.' is a service, file or host name
  if (!v.includes(' ') && v === v.toLowerCase() && /[.-]/.test(v)) return false;
  return /\p{L}.*\p{L}/u.test(v);
}
