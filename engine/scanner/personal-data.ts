/**
 * What Amazon buyer data is made of, found in one pass after the engine's: names, postal addresses and dates of birth
 * under personal-field keys (the SP-API Orders API's `BuyerInfo.BuyerName`, `ShippingAddress.Name`/`AddressLine1`/
 * `City`/`PostalCode`, and the usual spellings) or in an object with a city and a postal code, names after "my name
 * is" or a form of address ("Mr. ..."), full names in free text from a names lexicon (person-names.ts), Indian
 * addresses in free text (a PIN code after an address word), public IP addresses, international phone numbers
 * (validated by libphonenumber-js), Indian bank account numbers next to an IFSC or under an account key (and the IFSC
 * with them, or under an IFSC key), Indian vehicle registration plates, dates of birth after a DOB word.
 *
 * Linear in the text: one walk over its characters cuts word tokens ([A-Za-z0-9_-]) and looks at each by its
 * character classes, length and next character; only a token that can start a value (a key followed by `:` or `=`
 * whose name ends like a personal key, a 1-3 digit group followed by '.', a 6-digit number, an 11-character IFSC
 * shape, a state code, a mixed-case run, a form of address, a capitalised word before another) or a '+' before a digit
 * is looked at further. Base64 and URL-encoded runs are collected for decode-pass.ts.
 */
import { CLS16, DASH, DIGIT, isAlnumCode, isHexCode, isUpperCode, startsWithI, UNDER, UPPER } from './char-classes.ts';
import { FOLD } from './secret-key-trie.ts';
import { D } from './detectors.ts';
import {
  ADDRESS_WORDS,
  BH_PLATE,
  e164,
  ifsc,
  ipv4,
  ipv6,
  isNameChar,
  nationalPhone,
  pin,
  PLACEHOLDER,
  plate,
  plateToken,
  trim,
  validName,
} from './free-text-values.ts';
import {
  K_ACCOUNT,
  K_ADDRESS,
  K_CTX_ADDRESS,
  K_CTX_NAME,
  K_DOB,
  K_EMAIL,
  K_IFSC,
  K_NAME,
  K_NUMBER,
  K_PHONE,
  K_SYSTEM,
  K_VALUE,
  PARENT_TRIE,
  PERSONAL_WORDS,
  keyKind,
  type KeyTrie,
} from './personal-keys.ts';
import { dateAt, DOB_GAP } from './dates.ts';
import { freeTextName } from './person-names.ts';
import type { CountryCode } from 'libphonenumber-js/max';

const LOWER = 4;
const PLUS = 32;
const PERCENT = 64;
const BRACE = 128;
/** token classes, with '+' and '%' marked (they start a phone number and an encoded run), and '{', '}', '\n' */
const T = new Uint8Array(65536);
T.set(CLS16);
T[43] = PLUS;
T[37] = PERCENT;
T[123] = BRACE;
T[125] = BRACE;
T[10] = BRACE;

/** base64 and base64url characters */
const B64X = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (CLS16[c] !== 0) B64X[c] = 1;
B64X[43] = 1;
B64X[47] = 1;
/** characters of a URL-encoded value */
const URLX = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (CLS16[c] !== 0) URLX[c] = 1;
for (const ch of '%.~+*@:/,!') URLX[ch.charCodeAt(0)] = 1;

export const ENC_BASE64 = 1;
const ENC_URL = 2;

const CHUNK = 1 << 15;
const MAX_DEPTH = 64;

/** what may stand between a phone or account word and its number in free text ("phone number is", "account no:") */
const NUMBER_GAP = /^(?:[\s"'\\:=#_-]|numbers?|num|no\.?|is|are|of)*/i;
/** between two numbers of a list: ',', '/', ';', "or", "and" (group 1), or only spaces (a list after a plural word) */
const LIST_SEP = /^(?:\s*([,/;])\s*|\s+(or|and)\s+|\s+)/i;
/** the words before "account" in free text that make it a bank account ("bank account no", "savings account") */
const BANK_WORDS: ReadonlySet<string> = new Set(['bank', 'banking', 'savings']);
/** a possessive before "name is" or "number is": the name or number is a person's own ("my name is", "her number is") */
const POSSESSIVE = /(?:^|[^A-Za-z])(?:my|his|her|your|their)$/i;
/**
 * what may stand between a possessive and "number": a word saying which phone ("my work number"), or a country (below:
 * "my US number"). Not any word: "my Aadhaar number", "my order number", "my account number" are no phone's.
 */
const NUMBER_QUALIFIER =
  /^(?:home|work|office|personal|cell|landline|alternate|alternative|contact|emergency|whatsapp|new|old|primary|secondary|international)$/i;
/**
 * a qualifier that names a country says how to read a national number ("my Israeli number is 09-7625400"): the
 * country's own numbering plan, before the marketplaces' (India's numbers are in_phone's)
 */
const QUALIFIER_COUNTRY: ReadonlyMap<string, CountryCode> = new Map(
  Object.entries({
    us: 'US',
    usa: 'US',
    american: 'US',
    uk: 'GB',
    british: 'GB',
    uae: 'AE',
    emirati: 'AE',
    israeli: 'IL',
    canadian: 'CA',
    australian: 'AU',
    german: 'DE',
    french: 'FR',
    italian: 'IT',
    spanish: 'ES',
    dutch: 'NL',
    brazilian: 'BR',
    mexican: 'MX',
    japanese: 'JP',
    singaporean: 'SG',
    saudi: 'SA',
    turkish: 'TR',
    egyptian: 'EG',
    irish: 'IE',
    polish: 'PL',
    swedish: 'SE',
    belgian: 'BE',
    nepali: 'NP',
    bangladeshi: 'BD',
    pakistani: 'PK',
  } satisfies Record<string, CountryCode>),
);
/**
 * forms of address before a name, as written ("Mr. Mayers", "Mrs Iyer", "Smt. Kavya Rao"); "Shri", "Sri", "Dr" and "Mx"
 * also start business, place and product names ("Shri Balaji Traders", "Sri Lanka", "Dr. Reddy's", "Mx Player")
 */
const HONORIFICS: ReadonlySet<string> = new Set(['Mr', 'Mrs', 'Ms', 'Smt']);

/** objCtx bits */
const CONTACT = 1;
const PHONE_SYSTEM = 2;

const isHexOrColon = (c: number) => c === 58 || isHexCode(c);
/** the first character of a base64 quad that encodes ASCII text: its top six bits 0x08-0x1f, 'I'-'Z' or 'a'-'f' */
const isQuadStart = (c: number) => (c >= 73 && c <= 90) || (c >= 97 && c <= 102);

export interface PersonalCandidates {
  det: number[];
  start: number[];
  end: number[];
  /** a value found by its key or a word before it: a more specific value inside it (a phone in an address) splits it */
  soft: boolean[];
  /** encoded runs [start, end, ENC_BASE64 | ENC_URL], in offset order */
  encoded: number[];
}

/** The personal-data pass: reusable, one text at a time. */
export class PersonalPass {
  text = '';
  n = 0;
  out: PersonalCandidates = { det: [], start: [], end: [], soft: [], encoded: [] };
  /** where the last encoded run ended (its tokens are not looked at again) */
  encEnd = 0;
  /** the objects open on this line: where each starts ('{'), and whether it is personal (0: not known yet, 1, 2: not) */
  objStart = new Int32Array(MAX_DEPTH);
  objState = new Uint8Array(MAX_DEPTH);
  /**
   * the address parts seen in each open object that is not known to be personal (1: a city, 2: a postal code), and where
   * their values start: an object with both is a postal address (a FHIR `Address`, an address without its parent key)
   */
  objAddr = new Uint8Array(MAX_DEPTH);
  objAddrAt = new Int32Array(MAX_DEPTH * 2);
  /**
   * what the fields seen so far say of each open object (CONTACT: it has an e-mail or phone field; PHONE_SYSTEM: its
   * `system` is "phone"), and where its `name` and `value` values start (-1: none yet), for a field whose meaning
   * comes from a sibling that may follow it
   */
  objCtx = new Uint8Array(MAX_DEPTH);
  objNameAt = new Int32Array(MAX_DEPTH);
  objValueAt = new Int32Array(MAX_DEPTH);
  /** where the value under the last IFSC key starts (an IFSC there is reported on its own) */
  ifscAt = -1;
  depth = 0;
  buf = Buffer.alloc(CHUNK * 2);
  u16 = new Uint16Array(this.buf.buffer, this.buf.byteOffset, CHUNK);
  readonly ipOn: boolean;
  readonly addressOn: boolean;
  readonly plateOn: boolean;
  readonly bankOn: boolean;
  readonly nameOn: boolean;

  constructor(
    readonly enabled: number,
    readonly keys: KeyTrie,
  ) {
    this.ipOn = this.on(D.ip_address);
    this.addressOn = this.on(D.postal_address);
    this.plateOn = this.on(D.vehicle_registration);
    this.bankOn = this.on(D.bank_account);
    this.nameOn = this.on(D.person_name);
  }

  on(det: number): boolean {
    return (this.enabled & (1 << det)) !== 0;
  }

  run(text: string): PersonalCandidates {
    this.text = text;
    const n = (this.n = text.length);
    this.out = { det: [], start: [], end: [], soft: [], encoded: [] };
    this.encEnd = 0;
    this.depth = 0;
    this.ifscAt = -1;
    const buf = this.buf;
    const u16 = this.u16;
    const next = this.keys.next;
    // read a chunk at a time into a Uint16Array, as the engine does; a chunk starts at a token the previous one cut
    let base = 0;
    while (base < n) {
      const lim = n - base < CHUNK ? n - base : CHUNK;
      buf.write(text.slice(base, base + lim), 0, 'utf16le');
      let stop = base + lim;
      let j = 0;
      while (j < lim) {
        let k = T[u16[j]];
        if (k === 0) {
          j++;
          continue;
        }
        if (k >= PLUS) {
          if (k === BRACE) {
            const c = u16[j++];
            if (c === 123) {
              if (this.depth < MAX_DEPTH) {
                this.objStart[this.depth] = base + j - 1;
                this.objState[this.depth] = 0;
                this.objAddr[this.depth] = 0;
                this.objCtx[this.depth] = 0;
                this.objNameAt[this.depth] = -1;
                this.objValueAt[this.depth] = -1;
              }
              this.depth++;
            } else if (c === 10) this.depth = 0;
            else if (this.depth > 0) this.depth--;
            continue;
          }
          const r = k === PLUS ? e164(this, base + j) : this.percent(base + j);
          j = r - base;
          if (j > lim) {
            stop = r;
            break;
          }
          continue;
        }
        const sj = j;
        let mask = k;
        while (++j < lim) {
          k = T[u16[j]];
          if (k === 0 || k >= PLUS) break;
          mask |= k;
        }
        if (j === lim && base + j < n && sj > 0) {
          stop = base + sj; // the token may go on in the next chunk
          break;
        }
        let e = base + j;
        if (j === lim) {
          while (e < n && T[text.charCodeAt(e)] !== 0 && T[text.charCodeAt(e)] < PLUS) mask |= T[text.charCodeAt(e++)];
          // a token longer than the chunk: the next chunk starts after it (not inside it, which read it again and again)
          stop = e;
        }
        const len = e - base - sj;
        const nx = e === base + j && j < lim ? u16[j] : e < n ? text.charCodeAt(e) : 0;
        // inline rejections (most tokens): numbers that cannot start a value; words that can only be a key (no
        // upper-case, or a camelCase word that cannot be base64 text), whose last two characters end no personal key
        if ((mask & ~DIGIT) === 0) {
          if (len !== 6 && !(len <= 4 && (nx === 46 || nx === 58 || nx === 32 || nx === 45 || nx === 66))) continue;
        } else if (
          !(nx === 58 && len <= 4) &&
          ((mask & UPPER) === 0 || ((mask & LOWER) !== 0 && (len < 8 || (!isQuadStart(u16[sj]) && !(sj > 0 && (u16[sj - 1] === 43 || u16[sj - 1] === 47))))))
        ) {
          // "Mr", "Mrs", "Ms", "Smt" before a name
          if (len <= 3 && (u16[sj] === 77 || u16[sj] === 83) && (nx === 46 || nx === 32)) this.honorific(base + sj, e);
          // a full name in free text ("John Oliver"): its other words are not looked at again
          if (nx === 32 && (mask & ~(UPPER | LOWER)) === 0 && this.nameOn && e === base + j) {
            const r = this.freeName(base + sj, e);
            if (r > e && r - base <= lim) j = r - base;
          }
          if (len >= 3) {
            const last = e === base + j ? u16[j - 1] : text.charCodeAt(e - 1);
            const n1 = next[128 + FOLD[last]];
            if (n1 !== 0) {
              const c2 = text.charCodeAt(e - 2);
              if (c2 === 95 || c2 === 45 || next[n1 * 128 + FOLD[c2]] !== 0) {
                const kind = keyKind(this.keys, text, base + sj, e);
                if (kind !== 0) this.key(kind, base + sj, e);
              }
            }
          }
          continue;
        }
        const r = this.token(base + sj, e, mask, len, nx);
        if (r > base + lim) {
          stop = r;
          break;
        }
        if (r > base + j) j = r - base;
      }
      base = stop;
    }
    const out = this.out;
    this.text = '';
    return out;
  }

  /** A full name in free text starting with the word [s, e): reported; returns its end, or -1 (see person-names.ts). */
  freeName(s: number, e: number): number {
    const r = freeTextName(this.text, s, e);
    if (r > e) this.push(D.person_name, s, r, false);
    return r;
  }

  push(det: number, start: number, end: number, soft: boolean): void {
    if (!this.on(det) || end <= start) return;
    this.out.det.push(det);
    this.out.start.push(start);
    this.out.end.push(end);
    this.out.soft.push(soft);
  }

  /** One token [s, e) with character classes `mask`, followed by `nx`; returns where scanning resumes (≥ e). */
  token(s: number, e: number, mask: number, len: number, nx: number): number {
    const t = this.text;
    if ((mask & ~DIGIT) === 0) {
      if (nx === 46 && len <= 3) {
        if (this.ipOn) return ipv4(this, s, e);
      } else if (nx === 58 && len <= 4) {
        if (this.ipOn && isHexOrColon(t.charCodeAt(e + 1))) return ipv6(this, s, e);
      } else if (len === 6) {
        if (t.charCodeAt(s) !== 48 && this.addressOn) pin(this, s, e);
      } else if (len === 2 && (nx === 32 || nx === 45 || nx === 66) && this.plateOn) plate(this, BH_PLATE, s);
      return e;
    }
    if (nx === 58 && len <= 4 && (mask & (UNDER | DASH)) === 0 && this.ipOn && isHexOrColon(t.charCodeAt(e + 1))) {
      let hex = true;
      for (let k = s; k < e; k++) if (!isHexCode(t.charCodeAt(k))) hex = false;
      if (hex) return ipv6(this, s, e);
    }
    if ((mask & UPPER) !== 0) {
      if (nx === 32 && (mask & ~(UPPER | LOWER)) === 0 && this.nameOn) {
        const r = this.freeName(s, e);
        if (r > e) return r;
      }
      if ((mask & (LOWER | UNDER | DASH)) === 0) {
        if (len === 11 && this.bankOn) ifsc(this, s, e, s === this.ifscAt);
        if (len <= 10 && this.plateOn) plateToken(this, s, len);
      } else if ((mask & LOWER) !== 0 && len >= 8 && s >= this.encEnd) this.base64(s, e);
    }
    if (len >= 3 && (mask & (UPPER | LOWER)) !== 0) {
      const kind = keyKind(this.keys, t, s, e);
      if (kind !== 0) this.key(kind, s, e);
    }
    return e;
  }

  // ------------------------------------------------------------------------------------------ keys and their values
  key(kind: number, s: number, e: number): void {
    if (kind === K_DOB) {
      if (this.on(D.date_of_birth)) this.dob(e);
      return;
    }
    // "account" alone is a bank account's only after "bank", in free text (`"account":"123456789012"` is AWS's)
    if (kind === K_ACCOUNT && e - s === 7 && !(this.afterKey(e) < 0 && BANK_WORDS.has(this.previousWord(s)))) return;
    // "number" alone is a phone's only after a possessive (`"number":` is an invoice's, a card's, a count)
    if (kind === K_NUMBER && !this.possessiveNumber(s)) return;
    let j = this.afterKey(e);
    const isKey = j >= 0;
    if (j < 0) {
      // free text: "my name is Dan", "customer name is Asha Rao"
      if (kind === K_CTX_NAME && this.on(D.person_name)) this.nameIs(s, e);
      // free text: "my phone number is ...", "bank account no 1234...", "my number is ..."
      if ((kind !== K_PHONE && kind !== K_ACCOUNT && kind !== K_NUMBER) || e >= this.n || this.text.charCodeAt(e) !== 32) return;
      j = e + (NUMBER_GAP.exec(this.text.slice(e, e + 24))?.[0].length ?? 0);
    }
    switch (kind) {
      case K_NAME:
        if (this.on(D.person_name)) this.nameValue(j);
        break;
      case K_ADDRESS:
        if (this.on(D.postal_address)) this.addressValue(j, false);
        break;
      case K_CTX_NAME:
        if (!this.on(D.person_name)) break;
        if (this.personal(s)) this.nameValue(j);
        else this.sibling(K_CTX_NAME, j);
        break;
      case K_EMAIL:
      case K_SYSTEM:
      case K_VALUE:
        this.sibling(kind, j);
        break;
      case K_CTX_ADDRESS:
        if (this.on(D.postal_address)) {
          const personal = this.personal(s);
          // "address" outside a personal object is an address by its content (not a remote or e-mail address)
          if (personal || (e - s === 7 && startsWithI(this.text, s, 'address'))) this.addressValue(j, !personal);
          else this.addressPart(s, e, j);
        }
        break;
      case K_PHONE:
      case K_NUMBER:
        // a plural word announces a list ("phones 052 5552606 074-7111234")
        if (this.on(D.intl_phone)) this.phoneValue(j, (this.text.charCodeAt(e - 1) | 32) === 115, kind === K_NUMBER ? this.qualifierCountry(s) : undefined);
        if (kind === K_PHONE && isKey) this.sibling(K_EMAIL, j);
        break;
      case K_ACCOUNT:
        if (this.on(D.bank_account)) this.accountValue(j);
        break;
      case K_IFSC: {
        const c = this.text.charCodeAt(j);
        this.ifscAt = c === 34 || c === 39 ? j + 1 : c === 92 && this.text.charCodeAt(j + 1) === 34 ? j + 2 : j;
        break;
      }
    }
  }

  /** Whether "number" at s follows a possessive, with at most one word between ("my number", "my US number"). */
  possessiveNumber(s: number): boolean {
    const t = this.text;
    if (s < 3 || t.charCodeAt(s - 1) !== 32) return false;
    if (POSSESSIVE.test(t.slice(Math.max(0, s - 8), s - 1))) return true;
    let k = s - 1;
    while (k > 0 && isAlnumCode(t.charCodeAt(k - 1))) k--;
    const w = t.slice(k, s - 1);
    if (k === s - 1 || k < 2 || t.charCodeAt(k - 1) !== 32 || !(NUMBER_QUALIFIER.test(w) || QUALIFIER_COUNTRY.has(w.toLowerCase()))) return false;
    return POSSESSIVE.test(t.slice(Math.max(0, k - 8), k - 1));
  }

  /** The country a qualifier before "number" at s names ("my Israeli number"), if any. */
  qualifierCountry(s: number): CountryCode | undefined {
    const t = this.text;
    let k = s - 1;
    while (k > 0 && isAlnumCode(t.charCodeAt(k - 1))) k--;
    return k < s - 1 ? QUALIFIER_COUNTRY.get(t.slice(k, s - 1).toLowerCase()) : undefined;
  }

  /**
   * "name is" in free text: the name after it, when it is a person's: after a possessive ("my name is Dan") or a personal
   * word ("buyer name is Asha Rao"); not "the report name is Daily Sales".
   */
  nameIs(s: number, e: number): void {
    const t = this.text;
    if (!(t.charCodeAt(e) === 32 && (t.charCodeAt(e + 1) | 32) === 105 && (t.charCodeAt(e + 2) | 32) === 115 && t.charCodeAt(e + 3) === 32)) return;
    if (!this.personal(s) && !(t.charCodeAt(s - 1) === 32 && POSSESSIVE.test(t.slice(Math.max(0, s - 8), s - 1)))) return;
    this.nameValue(e + 4);
  }

  /** A form of address at [s, e) ("Mr", "Mrs."): the capitalised words after it are a name. */
  honorific(s: number, e: number): void {
    const t = this.text;
    if (!this.on(D.person_name) || !HONORIFICS.has(t.slice(s, e))) return;
    let j = e;
    if (t.charCodeAt(j) === 46) j++;
    if (t.charCodeAt(j) !== 32) return;
    this.nameValue(j + 1);
  }

  /**
   * A city or postal-code key in an object not known to be personal: an object that has both is a postal address, and
   * from then on personal (its other parts are reported too).
   */
  addressPart(s: number, e: number, j: number): void {
    const d = this.depth - 1;
    if (d < 0 || d >= MAX_DEPTH) return;
    const key = this.text.slice(s, e).toLowerCase().replace(/[_-]/g, '');
    const part = key === 'city' ? 1 : key === 'postalcode' || key === 'pincode' || key === 'zipcode' || key === 'zip' || key === 'postcode' ? 2 : 0;
    if (part === 0) return;
    this.objAddr[d] |= part;
    this.objAddrAt[d * 2 + part - 1] = j;
    if (this.objAddr[d] !== 3) return;
    this.objState[d] = 1;
    this.addressValue(this.objAddrAt[d * 2], false);
    this.addressValue(this.objAddrAt[d * 2 + 1], false);
  }

  /**
   * A field whose meaning comes from its siblings in the same object, in either order: a `name` beside an e-mail or
   * phone field is a person's (`{"name":"Gaurav Kumar","email":...}`), and the `value` of an object whose `system` is
   * "phone" is a phone number (a FHIR `ContactPoint`). `kind` K_EMAIL stands for any contact field; j is the field's
   * value.
   */
  sibling(kind: number, j: number): void {
    const d = this.depth - 1;
    if (d < 0 || d >= MAX_DEPTH) return;
    const ctx = this.objCtx[d];
    if (kind === K_CTX_NAME) {
      if ((ctx & CONTACT) !== 0) this.nameValue(j, true);
      else this.objNameAt[d] = j;
    } else if (kind === K_EMAIL) {
      if ((ctx & CONTACT) !== 0) return;
      this.objCtx[d] = ctx | CONTACT;
      if (this.objNameAt[d] >= 0 && this.on(D.person_name)) this.nameValue(this.objNameAt[d], true);
    } else if (kind === K_SYSTEM) {
      const q = this.quoted(j);
      if (!q || q[1] - q[0] !== 5 || !startsWithI(this.text, q[0], 'phone')) return;
      this.objCtx[d] = ctx | PHONE_SYSTEM;
      if (this.objValueAt[d] >= 0 && this.on(D.intl_phone)) this.phoneValue(this.objValueAt[d], false);
    } else if ((ctx & PHONE_SYSTEM) !== 0) {
      if (this.on(D.intl_phone)) this.phoneValue(j, false);
    } else this.objValueAt[d] = j;
  }

  /** After a key: an optional closing quote, spaces, ':' or '=', spaces. The value's first position, or -1. */
  afterKey(e: number): number {
    const t = this.text;
    const n = this.n;
    let j = e;
    let c = t.charCodeAt(j);
    if (c === 92 && t.charCodeAt(j + 1) === 34) j += 2;
    else if (c === 34 || c === 39) j++;
    while (j < n && (t.charCodeAt(j) === 32 || t.charCodeAt(j) === 9)) j++;
    c = t.charCodeAt(j);
    if (c !== 58 && c !== 61) return -1;
    j++;
    while (j < n && t.charCodeAt(j) === 32) j++;
    return j < n ? j : -1;
  }

  /** A quoted value at j ("...", \"...\", '...'): [start, end], or null (not quoted, or unterminated on its line). */
  quoted(j: number): [number, number] | null {
    const t = this.text;
    const lim = Math.min(this.n, j + 600);
    const c = t.charCodeAt(j);
    if (c === 92 && t.charCodeAt(j + 1) === 34) {
      // an escaped quote (JSON inside a JSON string): the value ends at the next \"
      for (let k = j + 2; k < lim; k++) {
        const ch = t.charCodeAt(k);
        if (ch === 92) {
          if (t.charCodeAt(k + 1) === 34) return [j + 2, k];
          k++;
        } else if (ch === 10) return null;
      }
      return null;
    }
    if (c !== 34 && c !== 39) return null;
    for (let k = j + 1; k < lim; k++) {
      const ch = t.charCodeAt(k);
      if (ch === 92) k++;
      else if (ch === c) return [j + 1, k];
      else if (ch === 10) return null;
    }
    return null;
  }

  /** Whether the key at s is inside a personal object (its parent key) or follows a personal word ("buyer name:"). */
  personal(s: number): boolean {
    if (this.depth > 0 && this.depth <= MAX_DEPTH && this.objectIsPersonal(this.depth - 1)) return true;
    return PERSONAL_WORDS.has(this.previousWord(s));
  }

  /**
   * Whether the object open at depth d is personal: its key is (`"ShippingAddress":{`, `"recipients":[{`), or it is
   * inside a personal object (`"addresses":{"residential":{...}}`). Worked out when first asked, then remembered.
   */
  objectIsPersonal(d: number): boolean {
    if (this.objState[d] === 0) this.objState[d] = this.parentKeyIsPersonal(this.objStart[d]) || (d > 0 && this.objectIsPersonal(d - 1)) ? 1 : 2;
    return this.objState[d] === 1;
  }

  /** Whether the key before the '{' at p names a personal object. */
  parentKeyIsPersonal(p: number): boolean {
    const t = this.text;
    let k = p - 1;
    while (k >= 0 && (t.charCodeAt(k) === 32 || t.charCodeAt(k) === 91)) k--;
    if (k <= 0 || (t.charCodeAt(k) !== 58 && t.charCodeAt(k) !== 61)) return false;
    k--;
    while (k >= 0 && (t.charCodeAt(k) === 32 || t.charCodeAt(k) === 34 || t.charCodeAt(k) === 39 || t.charCodeAt(k) === 92)) k--;
    const ke = k + 1;
    while (k >= 0 && (isAlnumCode(t.charCodeAt(k)) || t.charCodeAt(k) === 95 || t.charCodeAt(k) === 45)) k--;
    return ke - k - 1 >= 3 && keyKind(PARENT_TRIE, t, k + 1, ke) === 1;
  }

  /** The word before the token at s, separated by one space or '_' (lower-cased; '' if none). */
  previousWord(s: number): string {
    const t = this.text;
    let k = s - 1;
    if (k <= 0 || (t.charCodeAt(k) !== 32 && t.charCodeAt(k) !== 95)) return '';
    const we = k;
    while (k > 0 && isAlnumCode(t.charCodeAt(k - 1))) k--;
    return we - k >= 3 && we - k <= 12 ? t.slice(k, we).toLowerCase() : '';
  }

  /**
   * The name at j. `fromSiblings`: a name known only from its e-mail or phone sibling, reported only when it starts with
   * a capital, and with any digits the person gave ("Test User 21").
   */
  nameValue(j: number, fromSiblings = false): void {
    const t = this.text;
    const q = this.quoted(j);
    if (q) {
      const [vs, ve] = trim(t, q[0], q[1]);
      if (fromSiblings && !isUpperCode(t.charCodeAt(vs)) && !(t.charCodeAt(vs) > 127 && /\p{Lu}/u.test(t[vs]))) return;
      if (validName(t.slice(vs, ve), fromSiblings)) this.push(D.person_name, vs, ve, true);
      return;
    }
    // free text: up to four words that start with a capital ("Asha Rao", "A. K. Sharma")
    let k = j;
    let end = -1;
    for (let w = 0; w < 4; w++) {
      const c = t.charCodeAt(k);
      if (!(isUpperCode(c) || (c > 127 && /\p{Lu}/u.test(t[k])))) break;
      let m = k + 1;
      while (m < this.n && isNameChar(t.charCodeAt(m))) m++;
      end = m;
      if (t.charCodeAt(m) !== 32) break;
      k = m + 1;
    }
    if (end > j && end - j >= 2 && validName(t.slice(j, end))) this.push(D.person_name, j, end, true);
  }

  addressValue(j: number, needsContent: boolean): void {
    const t = this.text;
    const q = this.quoted(j);
    let vs: number;
    let ve: number;
    if (q) [vs, ve] = q;
    else {
      const c = t.charCodeAt(j);
      if (c === 123 || c === 91) return; // an object or array: its fields are looked at on their own
      vs = j;
      ve = j;
      const lim = Math.min(this.n, j + 200);
      while (ve < lim) {
        const ch = t.charCodeAt(ve);
        if (ch === 10 || ch === 13 || ch === 9 || ch === 34 || ch === 124 || ch === 59 || ch === 38 || ch === 125 || ch === 93) break;
        ve++;
      }
      // free text ends after its PIN code, or before the next key=value
      const tail = /(?<!\d)[1-9]\d{5}(?!\d)| [A-Za-z_]+=/.exec(t.slice(vs, ve));
      if (tail) ve = vs + tail.index + (tail[0].charCodeAt(0) === 32 ? 0 : 6);
    }
    [vs, ve] = trim(t, vs, ve);
    const v = t.slice(vs, ve);
    if (ve - vs < 3 || PLACEHOLDER.test(v) || v.includes('**') || !/[\p{L}\p{N}]/u.test(v)) return;
    if (needsContent && !ADDRESS_WORDS.test(v.toLowerCase()) && !/(?<!\d)[1-9]\d{5}(?!\d)/.test(v)) return;
    this.push(D.postal_address, vs, ve, true);
  }

  /**
   * A national-format number under a phone key or after a phone word (E.164 numbers are found at their '+'), and the
   * numbers listed after it ("020 7946 0958 or 020 7946 0959"; only spaces between them after a plural word).
   */
  phoneValue(j: number, plural: boolean, country?: CountryCode): void {
    const q = this.quoted(j);
    const lim = q ? q[1] : this.n;
    let end = nationalPhone(this, q ?? [j, Math.min(this.n, j + 32)], q !== null, country);
    for (let more = 0; end > 0 && more < 4; more++) {
      const sep = LIST_SEP.exec(this.text.slice(end, Math.min(lim, end + 8)));
      if (!sep || (!plural && sep[1] === undefined && sep[2] === undefined)) return;
      const ns = end + sep[0].length;
      end = nationalPhone(this, [ns, Math.min(lim, ns + 32)], false);
    }
  }

  /** A bank account number (9-18 digits) under an account key ("account_number", "bank account no"). */
  accountValue(j: number): void {
    const t = this.text;
    const q = this.quoted(j);
    const [vs, ve] = q ?? [j, Math.min(this.n, j + 20)];
    const m = /^\d{9,18}(?![\w-])/.exec(t.slice(vs, ve));
    if (m) this.push(D.bank_account, vs, vs + m[0].length, false);
  }

  /** A date after a DOB word or key ("dob=1988-03-12", "date of birth: 12 Mar 1988", "born on 12/03/1988"). */
  dob(e: number): void {
    const t = this.text;
    const gap = DOB_GAP.exec(t.slice(e, Math.min(this.n, e + 24)));
    const ds = e + (gap ? gap[0].length : 0);
    let c = t.charCodeAt(ds);
    let start = ds;
    if (c === 34 || c === 39) start++;
    else if (c === 92 && t.charCodeAt(ds + 1) === 34) start += 2;
    c = t.charCodeAt(start);
    if (!isAlnumCode(c)) return;
    const end = dateAt(t, start);
    if (end > start) this.push(D.date_of_birth, start, end, true);
  }

  // ------------------------------------------------------------------------------------------ encoded runs
  /** A mixed-case token: the base64 run around it, kept when it can hold ASCII text. */
  base64(s: number, e: number): void {
    const t = this.text;
    // a token that starts a run (a JSON value, a camelCase key) must itself pass the ASCII-text test below
    const prev = s > 0 ? t.charCodeAt(s - 1) : 0;
    if (!(prev < 128 && B64X[prev] === 1) && !(isQuadStart(t.charCodeAt(s)) && (e - s < 5 || isQuadStart(t.charCodeAt(s + 4))))) return;
    let rs = s;
    while (rs > this.encEnd && t.charCodeAt(rs - 1) < 128 && B64X[t.charCodeAt(rs - 1)] === 1) rs--;
    let re = e;
    while (re < this.n && t.charCodeAt(re) < 128 && B64X[t.charCodeAt(re)] === 1) re++;
    let pad = 0;
    while (pad < 2 && t.charCodeAt(re) === 61) {
      re++;
      pad++;
    }
    this.encEnd = re;
    if (re - rs < 16 || (re - rs - pad) % 4 === 1) return;
    // base64 of ASCII text: each quad's first character encodes a byte's top six bits, 0x20-0x7f: 'I'-'Z' or 'a'-'f'
    for (let q = rs; q < rs + 16; q += 4) if (!isQuadStart(t.charCodeAt(q))) return;
    this.out.encoded.push(rs, re, ENC_BASE64);
  }

  /** '%' and two hex digits: the URL-encoded run around it. */
  percent(i: number): number {
    const t = this.text;
    if (!isHexCode(t.charCodeAt(i + 1)) || !isHexCode(t.charCodeAt(i + 2)) || i < this.encEnd) return i + 1;
    let rs = i;
    while (rs > this.encEnd && t.charCodeAt(rs - 1) < 128 && URLX[t.charCodeAt(rs - 1)] === 1) rs--;
    let re = i;
    while (re < this.n && t.charCodeAt(re) < 128 && URLX[t.charCodeAt(re)] === 1) re++;
    this.encEnd = re;
    this.out.encoded.push(rs, re, ENC_URL);
    // the run's tokens are still looked at (a plain value next to an encoded one)
    return i + 1;
  }
}
