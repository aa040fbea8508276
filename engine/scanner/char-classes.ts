/**
 * Character classes of the scanner's one pass: lookup tables over ASCII (and all UTF-16 code units, for the
 * tokenizer) and the small character tests the validators use.
 */
export const DIGIT = 1;
export const UPPER = 2;
export const LOWER = 4;
export const UNDER = 8;
export const DASH = 16;
/** classes other than digit and dash: a token with one of these has letters or '_' */
export const LETTERS_OR_UNDER = UPPER | LOWER | UNDER;
export const CLS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLS[c] = UPPER;
for (let c = 97; c <= 122; c++) CLS[c] = LOWER;
CLS[95] = UNDER;
CLS[45] = DASH;

/** e-mail local part: [A-Za-z0-9._%+-] */
export const LOCAL = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (CLS[c] & (DIGIT | UPPER | LOWER | UNDER | DASH)) LOCAL[c] = 1;
LOCAL[46] = 1;
LOCAL[37] = 1;
LOCAL[43] = 1;
/** e-mail domain: [A-Za-z0-9.-] */
export const DOMAIN = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (CLS[c] & (DIGIT | UPPER | LOWER | DASH)) DOMAIN[c] = 1;
DOMAIN[46] = 1;
/** base64 (AWS secret keys): [A-Za-z0-9+/] */
export const B64 = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (CLS[c] & (DIGIT | UPPER | LOWER)) B64[c] = 1;
B64[43] = 1;
B64[47] = 1;
/** characters that end an unquoted secret value */
export const UNQUOTED_STOP = new Uint8Array(128);
for (const ch of ' \t\r\n,;&"\'`\\}])<>') UNQUOTED_STOP[ch.charCodeAt(0)] = 1;
for (let c = 0; c < 32; c++) UNQUOTED_STOP[c] = 1;
/** characters that end a quoted secret value (besides its quote) */
export const QUOTED_STOP = new Uint8Array(128);
for (const ch of ' \t\r\n"\'`\\') QUOTED_STOP[ch.charCodeAt(0)] = 1;
for (let c = 0; c < 32; c++) QUOTED_STOP[c] = 1;

/** the same classes over all UTF-16 code units (one load per character, no range check) */
export const CLS16 = new Uint8Array(65536);
CLS16.set(CLS);

export const isDigitCode = (c: number) => c >= 48 && c <= 57;
export const isUpperCode = (c: number) => c >= 65 && c <= 90;
export const isLowerCode = (c: number) => c >= 97 && c <= 122;
export const isAlnumCode = (c: number) => c < 128 && (CLS[c] & (DIGIT | UPPER | LOWER)) !== 0;
export const isHexCode = (c: number) => isDigitCode(c) || ((c | 32) >= 97 && (c | 32) <= 102);

export function isB64Url(c: number): boolean {
  return c < 128 && CLS[c] !== 0;
}

/** Whether `t` has `lower` (lower-case) at `at`, ignoring the case of A-Z. */
export function startsWithI(t: string, at: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = t.charCodeAt(at + k);
    if (c >= 65 && c <= 90) c |= 32;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}
