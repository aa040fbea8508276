/**
 * The scanner's hot path: the one pass over the text that finds candidate values, validates them and resolves their
 * overlaps (scanner.ts masks and fingerprints what it finds). This is the one production file allowed over 500 lines:
 * the tokenizer loop and the validators it calls are one class whose methods share the text, the chunk buffer and
 * the candidate arrays in fields, and split across modules they would lose that (and the inlining it allows).
 *
 * Design (for ≥ 50 MB/s on one core): one pass over the text, no per-detector regular expressions and no per-line
 * work. The pass reads the text a chunk at a time into a Uint16Array and cuts it into word tokens ([A-Za-z0-9_-]),
 * looking at each token once by its character classes (OR-ed while reading it), its length and its first
 * characters. Most tokens are dismissed inline (short numbers; words without capitals, which only matter as the name
 * of a secret's key, checked against a reversed suffix trie). Only the few tokens that can be a value (a digit group
 * of the right size and first digit, an upper-case/digit token of length 8, 10, 15 or 20, a known prefix: AKIA,
 * ASIA, ABIA, ACCA, A3T, sk_, rk_, rzp_, whsec_, AIza, EAA, eyJ/eyA/ewo/ew0/ewk, -----BEGIN, a secret-named key
 * followed by an assignment (`=`, `:`, `:=`, `=>`, `?=`..., `"key", "value"`, spaces and a quoted value) or `>` (an
 * XML element), an app id before '|', a 4-digit group before ':') are validated: checksums (Verhoeff, Luhn, GSTIN mod
 * 36), IIN prefixes, context words (Presidio-style) in the value's own context (its key, or the few words right
 * before it: never a log prefix or a sibling field, see contextStart), entropy and placeholders (gitleaks-style). '@'
 * and '%40' are handled where they occur (e-mail or UPI). Line and column numbers are computed at the end from the
 * (few) findings' offsets. Overlapping candidates are resolved once at the end: one value is reported by one detector (the longer,
 * then the more specific).
 */
import { DETECTOR_IDS } from './types.ts';
import { cardNetwork, gstinCheckChar, isGstStateCode, isPanHolderType, luhnValid, shannonEntropy, verhoeffValid } from './checksums.ts';
import {
  D,
  GENERIC_MIN_ENTROPY,
  GENERIC_MIN_LENGTH,
  KEY_AWS_ID,
  KEY_AWS_SECRET,
  KEY_EXCLUDED,
  KEY_GENERIC,
  KEY_RAZORPAY_SECRET,
  KEY_SECRET,
  PLACEHOLDER_RUN,
  SECRET_VALUE_ALLOW_PREFIXES,
  SECRET_VALUE_PLACEHOLDER_SUFFIXES,
  UPI_HANDLES,
  resolveOverlaps,
} from './detectors.ts';
import * as chars from './char-classes.ts';
import * as trie from './secret-key-trie.ts';
import * as ctx from './context-patterns.ts';

// numeric detector ids (module constants: the hot path reads no imported bindings)
const ID_AADHAAR = 0;
const ID_PAN = 1;
const ID_GSTIN = 2;
const ID_IN_PHONE = 3;
const ID_EMAIL = 4;
const ID_CARD = 5;
const ID_UPI = 6;
const ID_IN_PASSPORT = 7;
const ID_VOTER_ID = 8;
const ID_AWS_ACCESS_KEY = 9;
const ID_AWS_SECRET_KEY = 10;
const ID_STRIPE_KEY = 11;
const ID_RAZORPAY_KEY = 12;
const ID_GOOGLE_API_KEY = 13;
const ID_JWT = 14;
const ID_PRIVATE_KEY = 15;
const ID_META_TOKEN = 16;
const ID_GENERIC_SECRET = 17;
for (const [k, v] of Object.entries(D)) if ((DETECTOR_IDS as readonly string[])[v] !== k) throw new Error('detector ids out of order');

const ALLOW_PREFIXES = SECRET_VALUE_ALLOW_PREFIXES.slice();
const K_GENERIC = KEY_GENERIC;
const K_AWS = KEY_AWS_SECRET;
const K_RZP = KEY_RAZORPAY_SECRET;
const K_EXCLUDED = KEY_EXCLUDED;
const K_AWS_ID = KEY_AWS_ID;
const K_SECRET = KEY_SECRET;
const PLACEHOLDER_SUFFIXES = SECRET_VALUE_PLACEHOLDER_SUFFIXES.slice();
const MIN_RUN = PLACEHOLDER_RUN;
const MIN_LEN = GENERIC_MIN_LENGTH;
const MIN_H = GENERIC_MIN_ENTROPY;
const HANDLES = UPI_HANDLES;
// the tables as module constants too
const B64 = chars.B64;
const CLS = chars.CLS;
const CLS16 = chars.CLS16;
const DASH = chars.DASH;
const DIGIT = chars.DIGIT;
const DOMAIN = chars.DOMAIN;
const LETTERS_OR_UNDER = chars.LETTERS_OR_UNDER;
const LOCAL = chars.LOCAL;
const QUOTED_STOP = chars.QUOTED_STOP;
const UNDER = chars.UNDER;
const UNQUOTED_STOP = chars.UNQUOTED_STOP;
const UPPER = chars.UPPER;
const isAlnumCode = chars.isAlnumCode;
const isB64Url = chars.isB64Url;
const isDigitCode = chars.isDigitCode;
const isUpperCode = chars.isUpperCode;
const isLowerCode = chars.isLowerCode;
const startsWithI = chars.startsWithI;
const FOLD = trie.FOLD;
const TRIE_KINDS = trie.TRIE_KINDS;
const TRIE_NEXT = trie.TRIE_NEXT;
const CTX_AADHAAR = ctx.CTX_AADHAAR;
const CTX_CARD = ctx.CTX_CARD;
const CTX_FIXED_LINE = ctx.CTX_FIXED_LINE;
const CTX_META = ctx.CTX_META;
const CTX_NOT_AADHAAR = ctx.CTX_NOT_AADHAAR;
const CTX_NOT_CARD = ctx.CTX_NOT_CARD;
const CTX_NOT_PHONE = ctx.CTX_NOT_PHONE;
const CTX_ID_KEY = ctx.CTX_ID_KEY;
const CTX_PASSPORT = ctx.CTX_PASSPORT;
const CTX_PHONE = ctx.CTX_PHONE;
const CTX_UPI = ctx.CTX_UPI;
const CTX_VOTER = ctx.CTX_VOTER;

// ------------------------------------------------------------------------------------------------ the engine
const PK_BEGIN = '-----BEGIN ';
const MAX_PEM = 16_384;
/** the fewest base64 characters of a private key's body (32 bytes of key material); fewer is a placeholder */
const MIN_PEM_BODY = 44;
/** how far back a value's key or words are looked for */
const CTX_MAX = 64;
/** how many words right before a value in free text are its context */
const CTX_WORDS = 4;
/** a JWT header: one whole JSON object (a header cut short has no closing brace) with "alg" */
const JWT_HEADER = /^\s*\{[\s\S]*"alg"\s*:[\s\S]*\}\s*$/;
const JWT_ALG_NONE = /"alg"\s*:\s*"none"/i;
const JWT_TYP = /"typ"\s*:\s*"JWT"/i;
const JSON_OBJECT = /^\s*\{[\s\S]*\}\s*$/;
/** a lower-case package name and a dotted version (jjwt-jackson-0.11.2, left-pad@1.3.0) */
const PACKAGE_VERSION = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*[-_@:]v?\d+(?:\.\d+)+$/;
const LETTERS_ONLY = /^[A-Za-z_.-]+$/;
const CHAIN_TOKENS = 5; // the most groups of a valid value (a 19-digit card: 4-4-4-4-3)
const CHUNK = 1 << 15;
/** characters that bound a word of free text (see wordsBefore) */
const WORD_STOP = new Uint8Array(128);
for (let c = 0; c <= 32; c++) WORD_STOP[c] = 1;
for (const ch of '"\'`{}[]()<>=|') WORD_STOP[ch.charCodeAt(0)] = 1;
WORD_STOP[127] = 1;
/** a key's characters in `key=value` text: [A-Za-z0-9_.-] */
const isKeyCode = (c: number) => c < 128 && (CLS[c] !== 0 || c === 46);

/** One scanning engine: reusable, one text at a time; the findings are in fDet/fStart/fEnd[0, count). */
export class ScanEngine {
  text = '';
  n = 0;
  enabled = 0;
  // candidate findings in offset order (overlaps resolved by resolve())
  fDet: number[] = [];
  fStart: number[] = [];
  fEnd: number[] = [];
  count = 0;
  /** end of the last secret value looked at */
  valueEnd = 0;
  /** the last search for a PEM END line: from where, and where it was found (-1: nowhere after `from`) */
  pemFrom = -1;
  pemAt = -1;
  maxEnd = 0;
  overlaps = false;
  /** the last context looked at: the value's position and the context's characters */
  ctxPos = -1;
  ctxWin = '';
  // digit chain buffers
  dig = new Uint8Array(64);
  grp = new Int32Array(32);
  tokEnd = new Int32Array(CHAIN_TOKENS);
  tokNd = new Int32Array(CHAIN_TOKENS);
  tokNg = new Int32Array(CHAIN_TOKENS);
  // the chunk being tokenized
  buf = Buffer.alloc(CHUNK * 2);
  u16 = new Uint16Array(this.buf.buffer, this.buf.byteOffset, CHUNK);

  constructor(enabled: number) {
    this.enabled = enabled;
  }

  on(det: number): boolean {
    return (this.enabled & (1 << det)) !== 0;
  }

  /** Record a candidate finding (kept in offset order; overlaps are resolved once, at the end). */
  push(det: number, start: number, end: number): void {
    if ((this.enabled & (1 << det)) === 0 || end <= start) return;
    const n = this.count;
    if (start < this.maxEnd) this.overlaps = true;
    if (end > this.maxEnd) this.maxEnd = end;
    if (n === 0 || this.fStart[n - 1] <= start) {
      this.fDet.push(det);
      this.fStart.push(start);
      this.fEnd.push(end);
    } else {
      let at = n;
      while (at > 0 && this.fStart[at - 1] > start) at--;
      this.fDet.splice(at, 0, det);
      this.fStart.splice(at, 0, start);
      this.fEnd.splice(at, 0, end);
    }
    this.count = n + 1;
  }

  /** One value, one detector (see resolveOverlaps). */
  resolve(): void {
    if (!this.overlaps) return;
    const keep = resolveOverlaps(this.fDet, this.fStart, this.fEnd, this.count);
    const det = keep.map((k) => this.fDet[k]);
    const start = keep.map((k) => this.fStart[k]);
    const end = keep.map((k) => this.fEnd[k]);
    this.fDet = det;
    this.fStart = start;
    this.fEnd = end;
    this.count = keep.length;
  }

  run(text: string): void {
    this.text = text;
    const n = (this.n = text.length);
    this.count = 0;
    this.valueEnd = 0;
    this.pemFrom = -1;
    this.pemAt = -1;
    this.maxEnd = 0;
    this.overlaps = false;
    this.ctxPos = -1;
    this.fDet.length = 0;
    this.fStart.length = 0;
    this.fEnd.length = 0;
    const cls = CLS16;
    const buf = this.buf;
    const u16 = this.u16;
    // The text is read a chunk at a time into a Uint16Array (a typed-array load is cheaper than charCodeAt);
    // validators read the string itself. A chunk starts where the previous one stopped being useful: at the start
    // of a token cut by the chunk's end, or where a validator resumed.
    let base = 0;
    while (base < n) {
      const lim = n - base < CHUNK ? n - base : CHUNK;
      buf.write(text.slice(base, base + lim), 0, 'utf16le');
      let next = base + lim;
      let j = 0;
      while (j < lim) {
        const c = u16[j];
        let k = cls[c];
        if (k === 0) {
          if (c === 64 || (c === 37 && text.charCodeAt(base + j + 1) === 52 && text.charCodeAt(base + j + 2) === 48)) {
            // '@', or '%40' (URL-encoded)
            const r = this.atSign(base + j, c === 64 ? 1 : 3);
            j = r - base;
            if (j > lim) {
              next = r;
              break;
            }
          } else j++;
          continue;
        }
        const sj = j;
        let mask = k;
        while (++j < lim) {
          k = cls[u16[j]];
          if (k === 0) break;
          mask |= k;
        }
        let end = base + j;
        if (j === lim && end < n) {
          if (sj > 0) {
            // the token may go on past the chunk: the next chunk starts with it
            next = base + sj;
            break;
          }
          // a token longer than a chunk: finish it on the string
          while (end < n) {
            k = cls[text.charCodeAt(end)];
            if (k === 0) break;
            mask |= k;
            end++;
          }
        }
        if (end === base + j) {
          // cheap rejections inline (most tokens): short numbers, and words without capitals that cannot start a
          // known prefix, which only matter as the name of a secret's key
          const len = j - sj;
          if ((mask & ~DIGIT) === 0) {
            if (len < 10 && (j >= lim || (u16[j] !== 32 && (u16[j] !== 58 || len !== 4)))) continue;
          } else if ((mask & UPPER) === 0 && (mask & LETTERS_OR_UNDER) !== 0) {
            const c0 = u16[sj];
            const prev = sj > 0 ? u16[sj - 1] : base > 0 ? text.charCodeAt(base - 1) : 0;
            if (c0 !== 115 && c0 !== 114 && c0 !== 119 && c0 !== 45 && prev !== 92) {
              if (len >= 3) {
                // the key's last three characters against the trie ('_' and '-' are skipped there: let them by)
                const node = TRIE_NEXT[128 + FOLD[u16[j - 1]]];
                if (node !== 0) {
                  const p = u16[j - 2];
                  if (p === 95 || p === 45) this.keyValue(base + sj, end);
                  else {
                    const node2 = TRIE_NEXT[node * 128 + FOLD[p]];
                    if (node2 !== 0) {
                      const q = u16[j - 3];
                      if (q === 95 || q === 45 || TRIE_KINDS[node2] !== 0 || TRIE_NEXT[node2 * 128 + FOLD[q]] !== 0) this.keyValue(base + sj, end);
                    }
                  }
                }
              }
              continue;
            }
          }
        }
        const r = this.token(base + sj, end, mask);
        if (r > base + lim) {
          next = r;
          break;
        }
        j = r - base;
      }
      base = next;
    }
    this.resolve();
  }

  /** Look at one token [start, end) with character classes `mask`; returns where scanning resumes (≥ end). */
  token(start: number, end: number, mask: number): number {
    const text = this.text;
    const n = this.n;
    // a JSON/C escape (\n, \t, \u00e9) glued to the token is not part of it
    if (start > 0 && text.charCodeAt(start - 1) === 92) {
      const s2 = this.afterEscape(start, end);
      if (s2 !== start) {
        start = s2;
        if (start >= end) return end;
        mask = 0;
        for (let m = start; m < end; m++) mask |= CLS16[text.charCodeAt(m)];
      }
    }
    // ---- digits (and dashes) only: Aadhaar, card, phone
    if ((mask & ~(DIGIT | DASH)) === 0) {
      const c0 = text.charCodeAt(start);
      if (c0 === 45) return end;
      const after = end < n ? text.charCodeAt(end) : 0;
      if ((mask & DASH) === 0) {
        const dl = end - start;
        // appid|secret (a Meta app access token)
        if (after === 124 && (dl === 15 || dl === 16)) {
          const r = this.metaAppToken(start, end);
          if (r > 0) return r;
        }
        // 1234:5678:9012
        if (after === 58 && dl === 4) return this.colonGroups(start, end);
      }
      if (after === 32 && end < n - 1 && isDigitCode(text.charCodeAt(end + 1))) {
        return this.digitChain(start, end); // groups separated by spaces
      } else if ((mask & DASH) !== 0) {
        if (end - start >= 11) return this.digitChain(start, end);
      } else if (plainDigitsCandidate(end - start, c0, start > 0 ? text.charCodeAt(start - 1) : 0)) {
        return this.digitChain(start, end);
      }
      return end;
    }
    // ---- tokens with letters (one glued to "@domain" is an address's local part, left to the '@')
    const len = end - start;
    if (len >= 8 && !(end < n - 1 && text.charCodeAt(end) === 64 && isAlnumCode(text.charCodeAt(end + 1)))) {
      const c0 = text.charCodeAt(start);
      let consumed = -1;
      switch (c0) {
        case 101: {
          // e: base64 of a JSON header: '{"' eyJ, '{ ' eyA, '{\n' ewo, '{\r' ew0, '{\t' ewk
          const c1 = text.charCodeAt(start + 1);
          const c2 = text.charCodeAt(start + 2);
          if ((c1 === 121 && (c2 === 74 || c2 === 65)) || (c1 === 119 && (c2 === 111 || c2 === 48 || c2 === 107))) consumed = this.jwt(start, end);
          break;
        }
        case 115: // s
        case 114: // r
        case 119: // w
          this.prefixedKey(c0, start, end);
          break;
        case 65: // A
          // a placeholder (one repeated character, low entropy) is not a key
          if (len === 39 && text.startsWith('AIza', start) && shannonEntropy(text, start + 4, end) >= 3) this.push(ID_GOOGLE_API_KEY, start, end);
          break;
        case 45: // -
          if (text.startsWith(PK_BEGIN, start)) consumed = this.privateKey(start);
          break;
        case 69: // E
          if (len >= 103 && (mask & (UNDER | DASH)) === 0 && text.charCodeAt(start + 1) === 65 && text.charCodeAt(start + 2) === 65) {
            this.push(ID_META_TOKEN, start, end);
          }
          break;
      }
      if (consumed > end) return consumed;
      if ((mask & UPPER) !== 0) {
        if ((mask & DASH) === 0) this.segment(start, end);
        else {
          let s = start;
          for (let k = start; k <= end; k++) {
            if (k === end || text.charCodeAt(k) === 45) {
              if (k - s >= 8) this.segment(s, k);
              s = k + 1;
            }
          }
        }
      }
    }
    // ---- a key named like a secret, followed by = or :
    if (len >= 3) {
      const node = TRIE_NEXT[128 + FOLD[text.charCodeAt(end - 1)]];
      if (node !== 0) {
        const p = text.charCodeAt(end - 2);
        if (p === 95 || p === 45) this.keyValue(start, end);
        else {
          const node2 = TRIE_NEXT[node * 128 + FOLD[p]];
          if (node2 !== 0) {
            const q = text.charCodeAt(end - 3);
            if (q === 95 || q === 45 || TRIE_KINDS[node2] !== 0 || TRIE_NEXT[node2 * 128 + FOLD[q]] !== 0) this.keyValue(start, end);
          }
        }
      }
    }
    return end;
  }

  /** Skip a backslash escape's letters at the start of a token (\n, \t, \r, \f, \b, \uXXXX). */
  afterEscape(start: number, end: number): number {
    const t = this.text;
    // the backslash must itself be unescaped: an odd run of backslashes
    let b = 0;
    for (let k = start - 1; k >= 0 && t.charCodeAt(k) === 92; k--) b++;
    if ((b & 1) === 0) return start;
    const c = t.charCodeAt(start);
    if (c === 110 || c === 116 || c === 114 || c === 102 || c === 98) return start + 1;
    if (c === 117 && end - start >= 5) return start + 5;
    return start;
  }

  // ---------------------------------------------------------------------------------------------- PEM
  /** "-----BEGIN ... PRIVATE KEY-----" at s, through its END line when that follows. Returns the end, or -1. */
  privateKey(s: number): number {
    const t = this.text;
    const from = s + PK_BEGIN.length;
    const hdr = t.slice(from, from + 40).indexOf('PRIVATE KEY');
    if (hdr < 0) return -1;
    let e = from + hdr + 11;
    if (t.startsWith(' BLOCK', e)) e += 6; // PGP
    if (!t.startsWith('-----', e)) return -1;
    e += 5;
    // (searches are remembered: a run of BEGIN lines without END lines costs one search, not one each)
    let endAt: number;
    if (this.pemFrom >= 0 && this.pemFrom <= e && (this.pemAt === -1 || this.pemAt >= e)) endAt = this.pemAt;
    else {
      endAt = t.indexOf('-----END ', e);
      this.pemFrom = e;
      this.pemAt = endAt;
    }
    if (endAt >= 0 && endAt - e <= MAX_PEM) {
      // the END line's closing dashes, looked for only as far as they may be
      const k = t.slice(endAt + 9, endAt + 64 + 5).indexOf('-----');
      const close = k < 0 ? -1 : endAt + 9 + k;
      if (close >= 0) {
        // a block whose body is "...", "xxx", "<key>", one repeated character or too short to hold a key is a
        // placeholder: skipped whole
        if (this.pemPlaceholder(e, endAt)) return close + 5;
        this.push(ID_PRIVATE_KEY, s, close + 5);
        return close + 5;
      }
    }
    // no END line: the header alone is reported (the key's lines may be in the next log events), unless the line
    // after it is prose ("-----BEGIN PRIVATE KEY-----\nyabba dabba doo"): a key's body lines hold no spaces
    if (!this.proseAfter(e)) this.push(ID_PRIVATE_KEY, s, e);
    return e;
  }

  /** Whether the line after a PEM header at `from` (past line breaks, also escaped \n) has spaces, as text has. */
  proseAfter(from: number): boolean {
    const t = this.text;
    const n = this.n;
    let k = from;
    for (;;) {
      const c = t.charCodeAt(k);
      if (c === 10 || c === 13 || c === 32 || c === 9) k++;
      else if (c === 92 && (t.charCodeAt(k + 1) === 110 || t.charCodeAt(k + 1) === 114)) k += 2;
      else break;
    }
    // an encrypted key's headers (RFC 1421) come first: Proc-Type: 4,ENCRYPTED
    if (t.startsWith('Proc-Type:', k)) return false;
    const lim = k + 80 < n ? k + 80 : n;
    for (; k < lim; k++) {
      const c = t.charCodeAt(k);
      if (c === 10 || c === 13 || c === 34 || c === 92) return false;
      if (c === 32) return true;
    }
    return false;
  }

  /** Whether the body [from, to) of a BEGIN/END block is a placeholder rather than a key. */
  pemPlaceholder(from: number, to: number): boolean {
    const t = this.text;
    let b64 = 0;
    for (let k = from; k < to; k++) {
      const c = t.charCodeAt(k);
      if (c === 92) {
        k++; // an escaped line break (\n, \r)
        continue;
      }
      if (c < 128 && (B64[c] === 1 || c === 61)) b64++;
    }
    if (b64 < MIN_PEM_BODY) return true;
    if (t.slice(from, to).includes('...')) return true;
    return shannonEntropy(t, from, to) < 3;
  }

  // ---------------------------------------------------------------------------------------------- digits
  /** A run of digit groups joined by '-' (inside a token) or single spaces: Aadhaar, card, phone. */
  digitChain(start: number, end: number): number {
    const t = this.text;
    const n = this.n;
    const prev = start > 0 ? t.charCodeAt(start - 1) : 0;
    // the fraction of a decimal, a version or an address; the domain of an address
    if (prev === 46 && start > 1 && isDigitCode(t.charCodeAt(start - 2))) return end;
    if (prev === 64) return end;
    // a component of an ARN or a colon path (arn:aws:iam::123456789012:role)
    if (prev === 58 && end < n && t.charCodeAt(end) === 58) return end;
    // an AWS account id in a host name or a queue URL (123456789012.dkr.ecr.<region>.amazonaws.com,
    // https://123456789012.signin.aws.amazon.com, https://sqs.<region>.amazonaws.com/123456789012/orders)
    if (end - start === 12 && this.awsAccountPlace(start, end)) return end;
    const dig = this.dig;
    const grp = this.grp;
    let nd = 0;
    let ng = 0;
    let ntok = 0;
    let limited = false;
    let j = start;
    let tokEndPos = end;
    for (;;) {
      // collect the token [j, tokEndPos)
      let cur = 0;
      let bad = false;
      for (let k = j; k < tokEndPos; k++) {
        const c = t.charCodeAt(k);
        if (c === 45) {
          if (cur === 0) bad = true;
          if (ng < 31) grp[ng++] = cur;
          cur = 0;
        } else {
          if (nd < 64) dig[nd++] = c - 48;
          cur++;
        }
      }
      if (cur === 0) bad = true;
      if (ng < 31) grp[ng++] = cur;
      if (bad) {
        if (ntok === 0) return end;
        break;
      }
      this.tokEnd[ntok] = tokEndPos;
      this.tokNd[ntok] = nd;
      this.tokNg[ntok] = ng;
      ntok++;
      if (ntok >= CHAIN_TOKENS || nd > 21) {
        limited = true;
        break;
      }
      // another group after one space?
      if (tokEndPos + 1 >= n || t.charCodeAt(tokEndPos) !== 32 || !isDigitCode(t.charCodeAt(tokEndPos + 1))) break;
      let k = tokEndPos + 1;
      while (k < n) {
        const c = t.charCodeAt(k);
        if (!(isDigitCode(c) || c === 45)) break;
        k++;
      }
      if (k < n) {
        const c = t.charCodeAt(k);
        if (c < 128 && CLS[c] !== 0) break; // a letter or '_': an identifier, not a group
      }
      j = tokEndPos + 1;
      tokEndPos = k;
    }
    // fewer than 10 digits in the whole run: no value in it, nor in any part of it
    if (!limited && this.tokNd[ntok - 1] < 10) return this.tokEnd[ntok - 1];
    const plus = prev === 43;
    // a run of 4-digit groups (a card-shaped number) that fails as a whole is one number: no value inside it
    let cardShaped = ntok >= 2 && this.tokNg[ntok - 1] >= 4;
    for (let k = 0; cardShaped && k < this.tokNg[ntok - 1]; k++) if (grp[k] !== 4) cardShaped = false;
    for (let m = ntok - 1; m >= 0; m--) {
      if (cardShaped && m < ntok - 1) {
        // unless the separator changes after a dash-grouped first token ("4012-8888-8888-1881 4012 8888 8888 1881"
        // is two numbers): that token alone, the groups after it are scanned on their own
        if (this.tokNg[0] < 2) return this.tokEnd[ntok - 1];
        m = 0;
      }
      const e = this.tokEnd[m];
      const nx = e < n ? t.charCodeAt(e) : 0;
      if (nx === 64) continue; // the local part of an address
      if (nx === 46 && e + 1 < n && isDigitCode(t.charCodeAt(e + 1))) continue; // a decimal
      const det = this.classifyDigits(this.tokNd[m], this.tokNg[m], plus, start);
      if (det >= 0) {
        this.push(det, plus ? start - 1 : start, e);
        return e;
      }
    }
    return end;
  }

  /**
   * Whether the 12 digits [start, end) stand where AWS writes an account id outside an ARN: the first label of a host
   * under amazonaws.com or amazon.com (an ECR registry, the console's sign-in address), or the first segment of a
   * path under amazonaws.com (an SQS queue URL). Reads at most 80 characters of the host.
   */
  awsAccountPlace(start: number, end: number): boolean {
    const t = this.text;
    if (start >= 14 && t.charCodeAt(start - 1) === 47 && (t.startsWith('amazonaws.com', start - 14) || t.startsWith('amazonaws.com.cn', start - 17)))
      return end < this.n && t.charCodeAt(end) === 47;
    if (end >= this.n || t.charCodeAt(end) !== 46) return false;
    let k = end;
    const lim = Math.min(this.n, end + 80);
    while (k < lim) {
      const c = t.charCodeAt(k);
      if (!(isAlnumCode(c) || c === 45 || c === 46)) break;
      k++;
    }
    const host = t.slice(end, k).toLowerCase();
    return host.endsWith('.amazonaws.com') || host.endsWith('.amazon.com') || host.endsWith('.amazonaws.com.cn');
  }

  classifyDigits(nd: number, ng: number, plus: boolean, start: number): number {
    const d = this.dig;
    const g = this.grp;
    if (nd < 10 || nd > 19) return -1;
    // Aadhaar: 12 digits, first 2-9, Verhoeff; plain or 4-4-4
    if (nd === 12 && !plus && d[0] >= 2 && (ng === 1 || (ng === 3 && g[0] === 4 && g[1] === 4))) {
      if (verhoeffValid(d, 12)) {
        // a WhatsApp wa_id (91 + mobile) that happens to pass Verhoeff: the field name decides
        if (ng === 1 && d[0] === 9 && d[1] === 1 && d[2] >= 6 && this.on(ID_IN_PHONE) && this.context(start, CTX_PHONE)) return ID_IN_PHONE;
        // a plain 12-digit number under "utr", "account", "order"... is not an Aadhaar unless "aadhaar" is there too
        if (this.on(ID_AADHAAR) && (ng === 3 || this.context(start, CTX_AADHAAR) || !(this.context(start, CTX_NOT_AADHAAR) || this.context(start, CTX_ID_KEY))))
          return ID_AADHAAR;
      }
    }
    // card: 13-19 digits, plain or in groups of 4 (4-6-5 / 4-6-4 for Amex and Diners), IIN, Luhn
    if (nd >= 13 && !plus && this.on(ID_CARD)) {
      let groupsOk = ng === 1;
      if (!groupsOk && ng >= 4) {
        groupsOk = true;
        for (let k = 0; k < ng - 1; k++) if (g[k] !== 4) groupsOk = false;
        if (g[ng - 1] > 4) groupsOk = false;
      }
      if (!groupsOk && ng === 3) groupsOk = g[0] === 4 && g[1] === 6 && (g[2] === 5 || g[2] === 4);
      if (groupsOk && cardNetwork(d, nd) !== null && luhnValid(d, nd)) {
        // a plain run of digits under "segment", "sha", "order"... is an identifier unless "card" is there too; a
        // plain 15-digit number from 1 (UATP) is a card only under "card" (ids of that shape are everywhere)
        if (ng > 1 || this.context(start, CTX_CARD) || (d[0] !== 1 && !(this.context(start, CTX_NOT_CARD) || this.context(start, CTX_ID_KEY)))) return ID_CARD;
      }
      return -1;
    }
    if (!this.on(ID_IN_PHONE)) return -1;
    // mobile: 10 digits starting 6-9, plain, 5-5 or 3-3-4
    if (nd === 10) {
      if (plus) return -1;
      // a landline: an STD code from 1 and the subscriber number, plain, under its own phone word
      if (d[0] < 6) return ng === 1 && d[0] >= 1 && this.fixedLineKey(start) ? ID_IN_PHONE : -1;
      if (ng === 1) return this.phoneByContext(start);
      if (ng === 2 && g[0] === 5) return ID_IN_PHONE;
      // 3-3-4 is also how Google Ads writes a customer id ("823-312-8944"): a phone unless its key or words say otherwise
      if (ng === 3 && g[0] === 3 && g[1] === 3) return this.phoneByContext(start);
      return -1;
    }
    // 91 + mobile (+91 prefix, or a WhatsApp wa_id)
    if (nd === 12) {
      if (d[0] !== 9 || d[1] !== 1 || d[2] < 6) return -1;
      // unprefixed under a key naming an identifier ("id", "adGroupId"), it is one, unless a phone word says otherwise
      if (ng === 1 && !plus && this.context(start, CTX_ID_KEY) && !this.context(start, CTX_PHONE)) return -1;
      if (ng === 1) return plus ? ID_IN_PHONE : this.phoneByContext(start);
      if (g[0] === 2 && (ng === 2 || (ng === 3 && g[1] === 5) || (ng === 4 && g[1] === 3 && g[2] === 3))) return ID_IN_PHONE;
      return -1;
    }
    // 0 + mobile (0 + landline under a phone word)
    if (nd === 11) {
      if (plus || d[0] !== 0) return -1;
      if (d[1] < 6) return ng === 1 && d[1] >= 1 && this.fixedLineKey(start) ? ID_IN_PHONE : -1;
      if (ng === 1) return this.phoneByContext(start);
      if (g[0] === 1 && (ng === 2 || (ng === 3 && g[1] === 5))) return ID_IN_PHONE;
      return -1;
    }
    return -1;
  }

  /**
   * Whether a landline-shaped number at `start` has a phone word ending its key or words (CTX_FIXED_LINE). Most
   * such numbers are epoch seconds under keys like "ts" or "created": a key whose last letter cannot end the word
   * (phone, landline, no, num, number) is dismissed before the context is read.
   */
  fixedLineKey(start: number): boolean {
    const t = this.text;
    let k = start - 1;
    const lo = start > 8 ? start - 8 : 0;
    while (k > lo) {
      const c = t.charCodeAt(k);
      if (c === 32 || c === 34 || c === 39 || c === 46 || c === 58 || c === 61 || c === 92) k--;
      else break;
    }
    const c = t.charCodeAt(k) | 32;
    if (c !== 101 && c !== 111 && c !== 109 && c !== 114) return false;
    return this.context(start, CTX_FIXED_LINE);
  }

  /** A bare number shaped like a phone: a phone unless its key or words say "utr", "awb", "account"... */
  phoneByContext(start: number): number {
    if (!this.context(start, CTX_NOT_PHONE) || this.context(start, CTX_PHONE)) return ID_IN_PHONE;
    return -1;
  }

  /** Whether one of `words` occurs in the context of the value at `pos` (see contextStart; case-insensitive). */
  context(pos: number, words: RegExp): boolean {
    if (pos !== this.ctxPos) {
      this.ctxPos = pos;
      this.ctxWin = this.text.slice(this.contextStart(pos), pos);
    }
    return words.test(this.ctxWin);
  }

  /**
   * Where the context of the value at `pos` starts: the value's own key, never a log prefix or a sibling field.
   * `"key":"value"` and `"key": value` (JSON, also escaped \"key\":\"value\"): the quoted key. `key=value`: the key.
   * `key: value` in text: the key and the few words right before it ("Passport No: ..."). Otherwise (free text) the
   * few words right before the value, up to the start of its string or field (a quote, a tab), a clause's end (",",
   * ";", a sentence's "."), a bracket or a `key=value` word.
   */
  contextStart(pos: number): number {
    const t = this.text;
    const lo = pos - CTX_MAX > 0 ? pos - CTX_MAX : 0;
    let j = pos;
    let c = j > lo ? t.charCodeAt(j - 1) : 0;
    // the value's opening quote
    if (c === 34 || c === 39 || c === 96) {
      j--;
      if (j > lo && t.charCodeAt(j - 1) === 92) j--;
    }
    while (j > lo && t.charCodeAt(j - 1) === 32) j--;
    c = j > lo ? t.charCodeAt(j - 1) : 0;
    if (c === 58 || c === 61) {
      // key = value, key: value
      const sep = c;
      j--;
      while (j > lo && t.charCodeAt(j - 1) === 32) j--;
      c = j > lo ? t.charCodeAt(j - 1) : 0;
      if (c === 34 || c === 39) {
        // a quoted key: back to its opening quote
        let k = j - 2;
        while (k >= lo && t.charCodeAt(k) !== c && t.charCodeAt(k) !== 10) k--;
        return k >= lo && t.charCodeAt(k) === c ? k : j;
      }
      let k = j;
      while (k > lo && isKeyCode(t.charCodeAt(k - 1))) k--;
      if (k === j) return pos;
      return sep === 58 ? this.wordsBefore(k, lo, CTX_WORDS - 1) : k;
    }
    return this.wordsBefore(pos, lo, CTX_WORDS);
  }

  /** Where the (at most `count`) words of free text right before `pos` start (see contextStart). */
  wordsBefore(pos: number, lo: number, count: number): number {
    const t = this.text;
    let start = pos;
    let m = pos;
    for (let w = 0; w < count; w++) {
      while (m > lo && t.charCodeAt(m - 1) === 32) m--;
      const e = m;
      while (m > lo) {
        const c = t.charCodeAt(m - 1);
        if (c < 128 && WORD_STOP[c] !== 0) break;
        m--;
      }
      if (m === e) break;
      const last = t.charCodeAt(e - 1);
      // a clause ends after this word (the first word may end with '.' or ':': "No.", "No.:")
      if (last === 44 || last === 59 || last === 33 || last === 63) break;
      if ((last === 46 || last === 58) && w > 0) break;
      const stop = m > lo ? t.charCodeAt(m - 1) : 0;
      // a word glued to '=' (a key=value pair) or to a closing bracket is not a word of this text
      if (stop === 61 || stop === 93 || stop === 125 || stop === 41 || stop === 124) break;
      start = m;
      // a word at the start of a string or field is the first of this text
      if (stop !== 32) break;
    }
    return start;
  }

  // ---------------------------------------------------------------------------------------------- upper-case ids
  /** A token segment of [A-Za-z0-9_]: PAN, GSTIN, passport, EPIC, AWS access key id. */
  segment(s: number, e: number): void {
    const t = this.text;
    const len = e - s;
    if (len === 10) {
      // PAN: AAAAA9999A with a holder type 4th; EPIC: AAA9999999
      if (!isUpperCode(t.charCodeAt(s)) || !isUpperCode(t.charCodeAt(s + 1)) || !isUpperCode(t.charCodeAt(s + 2))) return;
      const c3 = t.charCodeAt(s + 3);
      if (isUpperCode(c3)) {
        if (isPanHolderType(c3) && isUpperCode(t.charCodeAt(s + 4)) && this.digitsAt(s + 5, 4) && isUpperCode(t.charCodeAt(s + 9))) {
          this.push(ID_PAN, s, e);
        }
      } else if (this.digitsAt(s + 3, 7) && this.on(ID_VOTER_ID) && this.context(s, CTX_VOTER)) {
        this.push(ID_VOTER_ID, s, e);
      }
    } else if (len === 15) {
      // GSTIN: state code, PAN, entity, 'Z', mod-36 check character
      if (!this.digitsAt(s, 2)) return;
      const state = (t.charCodeAt(s) - 48) * 10 + (t.charCodeAt(s + 1) - 48);
      if (!isGstStateCode(state)) return;
      for (let k = 2; k < 7; k++) if (!isUpperCode(t.charCodeAt(s + k))) return;
      if (!isPanHolderType(t.charCodeAt(s + 5))) return;
      if (!this.digitsAt(s + 7, 4) || !isUpperCode(t.charCodeAt(s + 11))) return;
      const ent = t.charCodeAt(s + 12);
      if (!((ent >= 49 && ent <= 57) || isUpperCode(ent))) return;
      if (t.charCodeAt(s + 13) !== 90) return;
      if (gstinCheckChar(t, s).charCodeAt(0) !== t.charCodeAt(s + 14)) return;
      this.push(ID_GSTIN, s, e);
    } else if (len === 8) {
      // passport: a letter and 7 digits, next to the word passport
      if (isUpperCode(t.charCodeAt(s)) && this.digitsAt(s + 1, 7) && this.on(ID_IN_PASSPORT) && this.context(s, CTX_PASSPORT)) {
        this.push(ID_IN_PASSPORT, s, e);
      }
    } else if (len === 20) {
      // AWS access key id: AKIA, ASIA, ABIA, ACCA, A3T[A-Z0-9] + 16 base32 [A-Z2-7]
      if (t.charCodeAt(s) !== 65) return;
      if (!(t.startsWith('AKIA', s) || t.startsWith('ASIA', s) || t.startsWith('ABIA', s) || t.startsWith('ACCA', s))) {
        if (!t.startsWith('A3T', s)) return;
        const c3 = t.charCodeAt(s + 3);
        if (!(isUpperCode(c3) || isDigitCode(c3))) return;
      }
      for (let k = s + 4; k < e; k++) {
        const c = t.charCodeAt(k);
        if (!(isUpperCode(c) || (c >= 50 && c <= 55))) return;
      }
      if (this.placeholder(s + 4, e)) return;
      this.push(ID_AWS_ACCESS_KEY, s, e);
    }
  }

  /** A documentation value (…EXAMPLE, …EXAMPLEKEY) or a placeholder (a run of one character: AKIAXXXXXXXXXXXXXXXX). */
  placeholder(s: number, e: number): boolean {
    const t = this.text;
    for (const p of PLACEHOLDER_SUFFIXES) if (e - s >= p.length && t.startsWith(p, e - p.length)) return true;
    let run = 1;
    for (let k = s + 1; k < e; k++) {
      if (t.charCodeAt(k) === t.charCodeAt(k - 1)) {
        if (++run >= MIN_RUN) return true;
      } else run = 1;
    }
    return false;
  }

  digitsAt(s: number, count: number): boolean {
    const t = this.text;
    for (let k = s; k < s + count; k++) if (!isDigitCode(t.charCodeAt(k))) return false;
    return true;
  }

  alnumRun(s: number, e: number): boolean {
    const t = this.text;
    for (let k = s; k < e; k++) if (!isAlnumCode(t.charCodeAt(k))) return false;
    return true;
  }

  // ---------------------------------------------------------------------------------------------- prefixed keys
  /**
   * sk_ / rk_ + live_ / test_ / prod_ (Stripe secret and restricted keys; gitleaks' stripe rule takes prod_ too),
   * whsec_ (Stripe), rzp_live_ / rzp_test_ (Razorpay key id).
   */
  prefixedKey(c0: number, s: number, e: number): void {
    const t = this.text;
    const len = e - s;
    if (c0 === 119) {
      if (len >= 30 && t.startsWith('whsec_', s) && this.alnumRun(s + 6, e)) this.push(ID_STRIPE_KEY, s, e);
      return;
    }
    if (t.charCodeAt(s + 1) === 107 && t.charCodeAt(s + 2) === 95) {
      // sk_ / rk_
      if (len >= 32 && (t.startsWith('live_', s + 3) || t.startsWith('test_', s + 3) || t.startsWith('prod_', s + 3)) && this.alnumRun(s + 8, e)) {
        this.push(ID_STRIPE_KEY, s, e);
      }
      return;
    }
    if (c0 === 114 && len === 23 && (t.startsWith('rzp_live_', s) || t.startsWith('rzp_test_', s)) && this.alnumRun(s + 9, e)) {
      this.push(ID_RAZORPAY_KEY, s, e);
    }
  }

  // ---------------------------------------------------------------------------------------------- JWT
  /**
   * header.payload.signature (the signature may be empty), base64url, the header a whole JSON object with "alg"
   * (compact or pretty-printed; a header cut short is not one); a two-part header.payload only with "alg":"none" or
   * with a header that declares itself a JWT ("typ":"JWT", RFC 7519 5.1) over a JSON object payload: a token whose
   * signature was cut or stripped still carries its claims. Returns the end, or -1.
   */
  jwt(s: number, headerEnd: number): number {
    const t = this.text;
    const n = this.n;
    if (headerEnd >= n || t.charCodeAt(headerEnd) !== 46) return -1;
    const p2 = headerEnd + 1;
    let k = p2;
    while (k < n && isB64Url(t.charCodeAt(k))) k++;
    if (k === p2) return -1;
    const twoPart = k >= n || t.charCodeAt(k) !== 46;
    if (!twoPart) {
      k++;
      while (k < n && isB64Url(t.charCodeAt(k))) k++;
    }
    if (headerEnd - s > 2048) return -1;
    if (k < n - 1 && t.charCodeAt(k) === 64 && isAlnumCode(t.charCodeAt(k + 1))) return -1; // an address's local part
    const header = Buffer.from(t.slice(s, headerEnd), 'base64url').toString('latin1');
    if (!JWT_HEADER.test(header)) return -1;
    if (twoPart && !JWT_ALG_NONE.test(header) && !(JWT_TYP.test(header) && JSON_OBJECT.test(Buffer.from(t.slice(p2, k), 'base64url').toString('latin1')))) {
      return -1;
    }
    this.push(ID_JWT, s, k);
    return k;
  }

  // ---------------------------------------------------------------------------------------------- e-mail, UPI
  /** An address or a VPA around the '@' at `at` (`w` = 1), or around a URL-encoded '%40' (`w` = 3). */
  atSign(at: number, w: number): number {
    const t = this.text;
    const n = this.n;
    const ds = at + w;
    let ls = at;
    const lmin = at - 65 > 0 ? at - 65 : 0;
    while (ls > lmin) {
      const c = t.charCodeAt(ls - 1);
      if (c >= 128 || LOCAL[c] === 0) break;
      ls--;
    }
    // a local part is at most 64 characters: a longer run is not an address
    if (at - ls > 64) return ds;
    // a value found before, that the local part would cut into, keeps its characters; one that reaches past the '@'
    // (a secret's value holding the address) is only a candidate: both go to resolveOverlaps, which keeps the longer
    // and whatever it does not overlap, so the address is not lost when that value itself loses to another
    for (let k = this.count - 1; k >= 0 && k >= this.count - 4; k--) {
      const pe = this.fEnd[k];
      if (this.fStart[k] < ls && pe > ls && pe < at) ls = pe;
    }
    while (ls < at && t.charCodeAt(ls) === 46) ls++;
    if (w === 3) {
      // URL-encoded: a local part starts after an encoded character no address holds (%3D '=', %2F '/', %3A ':')
      for (let k = ls; k < at - 2; k++) {
        if (t.charCodeAt(k) !== 37) continue;
        const v = parseInt(t.slice(k + 1, k + 3), 16);
        if (!(v < 128 && LOCAL[v] === 1 && v !== 37)) ls = k + 3;
      }
    }
    if (ls === at) return ds;
    // after a run of '*' the characters are what a mask kept of a value ("ra********is@..."), not a local part
    if (ls >= 2 && t.charCodeAt(ls - 1) === 42 && t.charCodeAt(ls - 2) === 42) return ds;
    let de = ds;
    const dmax = ds + 253 < n ? ds + 253 : n;
    let dots = 0;
    while (de < dmax) {
      const c = t.charCodeAt(de);
      if (c >= 128 || DOMAIN[c] === 0) break;
      if (c === 46) dots++;
      de++;
    }
    // trailing punctuation is not part of the address
    while (de > ds) {
      const c = t.charCodeAt(de - 1);
      if (c !== 46 && c !== 45) break;
      if (c === 46) dots--;
      de--;
    }
    if (de === ds || !isAlnumCode(t.charCodeAt(ds))) return ds;
    // the domain: labels non-empty, the TLD 2-24 letters; a last label that is no TLD ends the address before its
    // dot ("9876543210@ybl.AIzaSy..." is a VPA followed by something else)
    while (dots > 0) {
      if (t.charCodeAt(at - 1) === 46) return ds;
      let prevDot = ds - 1;
      for (let k = ds; k < de; k++) {
        if (t.charCodeAt(k) === 46) {
          if (k === prevDot + 1) return ds;
          prevDot = k;
        }
      }
      const tld = de - prevDot - 1;
      let ok = tld >= 2 && tld <= 24;
      for (let k = prevDot + 1; ok && k < de; k++) {
        const c = t.charCodeAt(k) | 32;
        if (c < 97 || c > 122) ok = false;
      }
      // an internationalised TLD in punycode (xn--h2brj9c)
      if (!ok && tld >= 5 && tld <= 63 && startsWithI(t, prevDot + 1, 'xn--')) ok = this.alnumRun(prevDot + 5, de);
      if (ok) {
        this.push(ID_EMAIL, ls, de);
        return de;
      }
      de = prevDot;
      dots--;
      while (de > ds && t.charCodeAt(de - 1) === 45) de--;
      if (de === ds) return ds;
    }
    // no dot: a UPI VPA name@handle
    if (!this.on(ID_UPI)) return ds;
    const hl = de - ds;
    if (hl < 2 || hl > 32) return ds;
    for (let k = ds; k < de; k++) {
      const c = t.charCodeAt(k) | 32;
      if (c < 97 || c > 122) return ds;
    }
    // the VPA's local part: [A-Za-z0-9._-]
    let vs = at;
    while (vs > ls) {
      const c = t.charCodeAt(vs - 1);
      if (c === 43 || c === 37) break;
      vs--;
    }
    if (at - vs < 2) return ds;
    const handle = t.slice(ds, de).toLowerCase();
    let ok = HANDLES.has(handle);
    if (!ok) {
      // a mobile number (optionally 91-prefixed) as the local part
      const ln = at - vs;
      let digits = true;
      for (let k = vs; k < at; k++) if (!isDigitCode(t.charCodeAt(k))) digits = false;
      const f = t.charCodeAt(vs);
      ok = digits && ((ln === 10 && f >= 54) || (ln === 12 && f === 57 && t.charCodeAt(vs + 1) === 49 && t.charCodeAt(vs + 2) >= 54));
      if (!ok) ok = this.context(vs, CTX_UPI);
    }
    if (!ok) return ds;
    this.push(ID_UPI, vs, de);
    return de;
  }

  // ---------------------------------------------------------------------------------------------- key = value
  keyValue(ks: number, ke: number): void {
    const t = this.text;
    const n = this.n;
    // a key inside the value of a key already looked at ("password=password=...") is part of that value
    if (ks < this.valueEnd) return;
    // the key's name, matched from its end (lower-case, '_' and '-' skipped); the longest suffix wins
    let node = TRIE_NEXT[128 + FOLD[t.charCodeAt(ke - 1)]];
    if (node === 0) return;
    let kind = TRIE_KINDS[node];
    for (let k = ke - 2; k >= ks; k--) {
      const c = t.charCodeAt(k);
      if (c === 95 || c === 45) continue;
      node = TRIE_NEXT[node * 128 + FOLD[c]];
      if (node === 0) break;
      if (TRIE_KINDS[node] !== 0) kind = TRIE_KINDS[node];
    }
    if (kind === 0 || kind === K_EXCLUDED) return;
    // a component of an ARN or a colon path (arn:aws:secretsmanager:...:secret:name) is not a key
    if (ks > 0 && t.charCodeAt(ks - 1) === 58) return;
    let j = ke;
    let c = t.charCodeAt(j);
    let quoted = 0;
    /** `"key", "value"`: a pair of arguments or list items */
    let pair = false;
    /** `key 'value'`: no operator, the value quoted */
    let bare = false;
    if (c === 62 && ks > 0 && t.charCodeAt(ks - 1) === 60) {
      // an XML element: <SecretAccessKey>value</SecretAccessKey>, the value maybe on its own (indented) line
      j++;
      for (;;) {
        c = t.charCodeAt(j);
        if (c === 32 || c === 9 || c === 10 || c === 13) j++;
        else if (c === 92 && (t.charCodeAt(j + 1) === 110 || t.charCodeAt(j + 1) === 114 || t.charCodeAt(j + 1) === 116)) j += 2;
        else break;
      }
    } else {
      // the assignment: optional closing quote (\" in escaped JSON) and subscript bracket (dict["secret"] = ...),
      // spaces, a declared type (Go: var token string = ...), the operator, spaces, optional opening quote
      let keyQuoted = false;
      if (c === 92 && t.charCodeAt(j + 1) === 34) {
        j += 2;
        keyQuoted = true;
      } else if (c === 34 || c === 39) {
        j++;
        keyQuoted = true;
      }
      if (keyQuoted && t.charCodeAt(j) === 93) j++;
      while (j < n && (t.charCodeAt(j) === 32 || t.charCodeAt(j) === 9)) j++;
      if (startsWithI(t, j, 'string ')) {
        j += 7;
        while (j < n && t.charCodeAt(j) === 32) j++;
      }
      // the operator: = : => := ::= :::= ?= .= (gitleaks' generic rule takes these; Go, Make, Ruby/PHP/logstash
      // hashes, PHP), or ',' between a quoted key and a quoted value
      c = t.charCodeAt(j);
      if (c === 61) {
        j += t.charCodeAt(j + 1) === 62 ? 2 : 1;
      } else if (c === 58) {
        let k = j + 1;
        while (k < j + 3 && t.charCodeAt(k) === 58) k++;
        if (t.charCodeAt(k) === 61) j = k + 1;
        else if (k === j + 1) j = k;
        else return; // Type::member, ::1
      } else if ((c === 63 || c === 46) && t.charCodeAt(j + 1) === 61) {
        j += 2;
      } else if (c === 44 && keyQuoted) {
        pair = true;
        j++;
      } else if (!keyQuoted && j > ke && (c === 34 || c === 39 || c === 96 || (c === 92 && t.charCodeAt(j + 1) === 34))) {
        bare = true; // private_key 'value' (detect-secrets takes it): the value must be quoted and closed
      } else return;
      while (j < n && (t.charCodeAt(j) === 32 || t.charCodeAt(j) === 9)) j++;
      c = t.charCodeAt(j);
      // a C# verbatim string: @"..."
      if (c === 64 && (t.charCodeAt(j + 1) === 34 || (t.charCodeAt(j + 1) === 92 && t.charCodeAt(j + 2) === 34))) c = t.charCodeAt(++j);
      if (c === 92 && t.charCodeAt(j + 1) === 34) {
        quoted = 34;
        j += 2;
      } else if (c === 34 || c === 39 || c === 96) {
        quoted = c;
        j++;
      } else if (pair) return;
    }
    // "Bearer <token>", "Basic <credentials>"
    if (kind === K_GENERIC || kind === K_SECRET) {
      const w = t.charCodeAt(j) | 32;
      if ((w === 98 && (startsWithI(t, j, 'bearer ') || startsWithI(t, j, 'basic '))) || (w === 116 && startsWithI(t, j, 'token '))) {
        j = t.indexOf(' ', j) + 1;
        while (j < n && t.charCodeAt(j) === 32) j++;
      }
    }
    const vs = j;
    const vmax = vs + 1024 < n ? vs + 1024 : n;
    if (quoted) {
      while (j < vmax) {
        const ch = t.charCodeAt(j);
        if (ch < 128 && QUOTED_STOP[ch] === 1) break;
        j++;
      }
    } else {
      // unquoted: a closing bracket (or '>') ends the value only when it closes nothing opened in it, so that
      // Config{password=...} and (token=...) end at their bracket while a password may hold brackets
      let depth = 0;
      while (j < vmax) {
        const ch = t.charCodeAt(j);
        if (ch === 40 || ch === 91 || ch === 123) depth++;
        else if (ch === 41 || ch === 93 || ch === 125 || ch === 62) {
          if (depth === 0) break;
          if (ch !== 62) depth--;
        } else if (ch < 128 && UNQUOTED_STOP[ch] === 1) break;
        j++;
      }
      // an expression, not a value: a subscript or a call with a string argument (request.json['x'], getenv("X"))
      if (depth > 0 && (t.charCodeAt(j - 1) === 91 || t.charCodeAt(j - 1) === 40)) {
        this.valueEnd = j;
        return;
      }
    }
    const ve = j;
    if (bare) {
      const close = t.charCodeAt(ve);
      if (!(close === 34 || close === 39 || close === 96 || close === 92)) return;
      // prose names a secret more often than it quotes one ('fetch secret "prod/payments/stripe-webhook"'): without
      // an operator, a value with a path separator or of one kind of character is a name
      if (!this.mixed(vs, ve)) return;
    }
    // (not after ','; the string may be the next key: "grant_type":"refresh_token","refresh_token":"...")
    if (!pair) this.valueEnd = ve;
    const len = ve - vs;
    if (len < MIN_LEN - 6) return;
    // AWS's documentation keys and placeholders
    if (this.placeholder(vs, ve)) return;
    if (kind === K_AWS_ID) {
      // the access key id (16-128 upper-case alphanumerics), not a secret
      if (len >= 16 && len <= 128 && t.charCodeAt(vs) === 65) {
        for (let k = vs; k < ve; k++) {
          const ch = t.charCodeAt(k);
          if (!(isUpperCode(ch) || isDigitCode(ch))) return;
        }
        this.push(ID_AWS_ACCESS_KEY, vs, ve);
      }
      return;
    }
    if ((kind === K_AWS || kind === K_SECRET) && len === 40 && this.awsSecretShape(vs, ve)) {
      this.push(ID_AWS_SECRET_KEY, vs, ve);
      return;
    }
    if (kind === K_SECRET && len === 32 && this.hexRun(vs, ve) && this.context(vs, CTX_META)) {
      // a Meta app secret (app_secret / client_secret next to "facebook", "meta"...)
      this.push(ID_META_TOKEN, vs, ve);
      return;
    }
    if (kind === K_RZP && len >= 20 && len <= 32 && this.alnumRun(vs, ve) && shannonEntropy(t, vs, ve) >= 3) {
      this.push(ID_RAZORPAY_KEY, vs, ve);
      return;
    }
    if (len < MIN_LEN) return;
    for (const p of ALLOW_PREFIXES) if (t.startsWith(p, vs)) return;
    if (shannonEntropy(t, vs, ve) < MIN_H) return;
    // a package and its version (io.jsonwebtoken:jjwt-jackson-0.11.2), not a secret
    if (PACKAGE_VERSION.test(t.slice(vs, ve))) return;
    // a list of names (["access_token", "refresh_token_expiry"]): a value of letters only is a name, not a secret
    if (pair && LETTERS_ONLY.test(t.slice(vs, ve))) return;
    if (pair) this.valueEnd = ve;
    this.push(ID_GENERIC_SECRET, vs, ve);
  }

  /**
   * Whether [vs, ve) has characters of two kinds or more (lower case, upper case, digits, others; '-', '_', '.' aside)
   * and no '/' (a path names a secret).
   */
  mixed(vs: number, ve: number): boolean {
    const t = this.text;
    let kinds = 0;
    for (let k = vs; k < ve; k++) {
      const ch = t.charCodeAt(k);
      if (ch === 47) return false;
      if (isLowerCode(ch)) kinds |= 1;
      else if (isUpperCode(ch)) kinds |= 2;
      else if (isDigitCode(ch)) kinds |= 4;
      else if (ch !== 45 && ch !== 95 && ch !== 46) kinds |= 8;
    }
    return (kinds & (kinds - 1)) !== 0;
  }

  /** 40 base64 characters with upper and lower case (an AWS secret access key; a hex digest is not one). */
  awsSecretShape(vs: number, ve: number): boolean {
    const t = this.text;
    let upper = false;
    let lower = false;
    for (let k = vs; k < ve; k++) {
      const ch = t.charCodeAt(k);
      if (ch >= 128 || B64[ch] === 0) return false;
      if (isUpperCode(ch)) upper = true;
      else if (isLowerCode(ch)) lower = true;
    }
    return upper && lower;
  }

  hexRun(s: number, e: number): boolean {
    const t = this.text;
    for (let k = s; k < e; k++) {
      const c = t.charCodeAt(k) | 32;
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------- other forms
  /** appid|secret: a Meta app access token (15-16 digit app id, '|', 32 hex or a 27-character client token). */
  metaAppToken(start: number, end: number): number {
    const t = this.text;
    const n = this.n;
    if (start > 0 && isB64Url(t.charCodeAt(start - 1))) return -1;
    const s2 = end + 1;
    let k = s2;
    while (k < n && isB64Url(t.charCodeAt(k))) k++;
    const len = k - s2;
    if (len !== 32 && len !== 27) return -1;
    if (len === 32 && !this.hexRun(s2, k)) return -1;
    if (shannonEntropy(t, s2, k) < 3 || this.placeholder(s2, k)) return -1;
    this.push(ID_META_TOKEN, start, k);
    return k;
  }

  /** 1234:5678:9012: an Aadhaar written in colon-separated groups (not a part of a longer colon path). */
  colonGroups(start: number, end: number): number {
    const t = this.text;
    const n = this.n;
    if (start > 0) {
      const p = t.charCodeAt(start - 1);
      if (p === 58 || p === 46 || isAlnumCode(p)) return end;
    }
    const e = end + 10;
    if (e > n || !this.digitsAt(end + 1, 4) || t.charCodeAt(end + 5) !== 58 || !this.digitsAt(end + 6, 4)) return end;
    if (e < n) {
      const c = t.charCodeAt(e);
      if (c === 58 || isB64Url(c) || (c === 46 && e + 1 < n && isDigitCode(t.charCodeAt(e + 1)))) return end;
    }
    if (!this.on(ID_AADHAAR)) return end;
    const d = this.dig;
    let nd = 0;
    for (let k = start; k < e; k++) {
      const c = t.charCodeAt(k);
      if (c !== 58) d[nd++] = c - 48;
    }
    if (d[0] < 2 || !verhoeffValid(d, 12)) return end;
    this.push(ID_AADHAAR, start, e);
    return e;
  }
}

/**
 * Whether a plain run of digits can be a value at all, by length and first digit (before any work): 10 digits 1-9
 * (mobile from 6, landline from 1-5 under a phone word), 11 from 0 (0 + mobile or landline), 12 from 2-9 (Aadhaar,
 * 91 + mobile), 13-19 with a card IIN's first digit (15: 1 too, UATP); '+' before: 12 digits from 9. Epoch
 * milliseconds (13 digits from 1) fail here; epoch seconds (10 digits from 1) go on only to fail the landline's
 * phone word.
 */
function plainDigitsCandidate(len: number, c0: number, prev: number): boolean {
  if (prev === 43) return len === 12 && c0 === 57;
  switch (len) {
    case 10:
      return c0 >= 49;
    case 11:
      return c0 === 48;
    case 12:
      return c0 >= 50;
    case 15:
      // 1: UATP
      return c0 >= 49 && c0 <= 56 && c0 !== 55;
    default:
      // 2 (Mastercard), 3 (Amex, Diners, JCB), 4 (Visa), 5 (Mastercard, RuPay), 6 (RuPay, Discover), 8 (RuPay)
      return len >= 13 && len <= 19 && c0 >= 50 && c0 <= 56 && c0 !== 55;
  }
}
