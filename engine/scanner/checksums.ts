/**
 * Check digits and value tests used by the PII detectors (and by the corpus generator to plant valid values).
 * Every function works on plain digit arrays or strings and allocates nothing on the validation path.
 */

// ---------------------------------------------------------------- Verhoeff (Aadhaar)
const VD = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VP = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/** Verhoeff check over `digits[0..n)` (the last digit is the check digit). */
export function verhoeffValid(digits: ArrayLike<number>, n = digits.length): boolean {
  let c = 0;
  for (let i = 0; i < n; i++) c = VD[c][VP[i & 7][digits[n - 1 - i]]];
  return c === 0;
}

/** The Verhoeff check digit to append to `payload` (a digit string). */
export function verhoeffCheckDigit(payload: string): number {
  let c = 0;
  const n = payload.length;
  for (let i = 0; i < n; i++) c = VD[c][VP[(i + 1) & 7][payload.charCodeAt(n - 1 - i) - 48]];
  return VINV[c];
}

// ---------------------------------------------------------------- Luhn (cards)
/** Luhn mod-10 over `digits[0..n)`. */
export function luhnValid(digits: ArrayLike<number>, n = digits.length): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = n - 1; i >= 0; i--) {
    let d = digits[i];
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit to append to `payload` (a digit string). */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  let dbl = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Card network by IIN prefix and length (digits[0..n)): Visa 4 (13/16/19), Mastercard 51-55 and 2221-2720 (16),
 * Amex 34/37 (15), RuPay 60/65/81/82/508, Discover 6011/65, Diners 300-305/3095/36/38/39, JCB 35 (14-19), Maestro
 * 5018/5020/5038/5893/6304/6759/6761-6763 (13-19), Dankort 5019 (16), UATP 1 (15). Null if unknown.
 */
export function cardNetwork(d: ArrayLike<number>, n: number): string | null {
  if (n < 13 || n > 19) return null;
  const d0 = d[0];
  const two = d0 * 10 + d[1];
  const four = two * 100 + d[2] * 10 + d[3];
  if (d0 === 4) return n === 13 || n === 16 || n === 19 ? 'visa' : null;
  if (d0 === 1) return n === 15 ? 'uatp' : null;
  if (four === 5018 || four === 5020 || four === 5038 || four === 5893 || four === 6304 || four === 6759 || (four >= 6761 && four <= 6763)) {
    return 'maestro';
  }
  if (n < 14) return null;
  if (two >= 51 && two <= 55) return n === 16 ? 'mastercard' : null;
  if (two === 22 || two === 23 || two === 24 || two === 25 || two === 26 || two === 27) {
    return four >= 2221 && four <= 2720 && n === 16 ? 'mastercard' : null;
  }
  if (two === 34 || two === 37) return n === 15 ? 'amex' : null;
  if (two === 36 || two === 38 || two === 39 || (two === 30 && (d[2] <= 5 || four === 3095))) return 'diners';
  if (two === 35) return 'jcb';
  if (two === 60) return d[2] === 1 && d[3] === 1 ? 'discover' : 'rupay';
  if (two === 65) return 'rupay';
  if (two === 81 || two === 82) return 'rupay';
  if (four === 5019) return n === 16 ? 'dankort' : null;
  if (two === 50 && d[2] === 8) return 'rupay';
  return null;
}

// ---------------------------------------------------------------- GSTIN
const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function b36(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  return -1;
}

/** The GSTIN mod-36 check character for the first 14 characters of `s` starting at `from`. */
export function gstinCheckChar(s: string, from = 0): string {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const v = b36(s.charCodeAt(from + i));
    if (v < 0) return '';
    const p = v * ((i & 1) === 0 ? 1 : 2);
    sum += Math.floor(p / 36) + (p % 36);
  }
  return B36[(36 - (sum % 36)) % 36];
}

/** PAN holder-type letters (the 4th character). */
export const PAN_HOLDER_TYPES = 'PCHFATBLJGK';

export function isPanHolderType(c: number): boolean {
  // P C H F A T B L J G K
  return c === 80 || c === 67 || c === 72 || c === 70 || c === 65 || c === 84 || c === 66 || c === 76 || c === 74 || c === 71 || c === 75;
}

/** GST state codes: 01-38, 97 (other territory), 99 (centre jurisdiction). */
export function isGstStateCode(code: number): boolean {
  return (code >= 1 && code <= 38) || code === 97 || code === 99;
}

// ---------------------------------------------------------------- entropy
const counts = new Int32Array(128);

/** Shannon entropy in bits per character of s[from, to). */
export function shannonEntropy(s: string, from = 0, to = s.length): number {
  const n = to - from;
  if (n <= 0) return 0;
  let other: Map<number, number> | null = null;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) counts[c]++;
    else (other ??= new Map()).set(c, (other.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && counts[c] > 0) {
      const p = counts[c] / n;
      h -= p * Math.log2(p);
      counts[c] = 0;
    }
  }
  if (other) {
    for (const k of other.values()) {
      const p = k / n;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
