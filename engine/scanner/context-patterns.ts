import { CONTEXT } from './detectors.ts';

/**
 * A context word list as one regular expression over the window before a value: any word, case-insensitive, at a
 * word start (not after a letter, except camelCase: "buyerPhone").
 */
function contextRe(words: readonly string[]): RegExp {
  const esc = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const anyCase = (w: string) => [...w].map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : esc(c))).join('');
  const camel = (w: string) => esc(w[0].toUpperCase()) + anyCase(w.slice(1));
  return new RegExp(`(?<![A-Za-z])(?:${words.map(anyCase).join('|')})|(?<=[a-z])(?:${words.map(camel).join('|')})`);
}
export const CTX_PHONE = contextRe(CONTEXT.phone);
/** a fixed-line word at the end of the context, before only a "no"/"number" and the key's punctuation */
export const CTX_FIXED_LINE = new RegExp(`(?:${CONTEXT.fixedLine.join('|')})(?:[ _.-]?(?:no|num|number))?[\\s.:="'\\\\]*$`, 'i');
export const CTX_NOT_PHONE = contextRe(CONTEXT.notPhone);
export const CTX_VOTER = contextRe(CONTEXT.voter);
export const CTX_PASSPORT = contextRe(CONTEXT.passport);
export const CTX_UPI = contextRe(CONTEXT.upi);
export const CTX_AADHAAR = contextRe(CONTEXT.aadhaar);
export const CTX_CARD = contextRe(CONTEXT.card);
export const CTX_NOT_CARD = contextRe(CONTEXT.notCard);
export const CTX_NOT_AADHAAR = contextRe(CONTEXT.notAadhaar);
export const CTX_META = contextRe(CONTEXT.meta);
/**
 * The value's key (or the word right before it) names an identifier: `id`, `_id`, `-id`, `adGroupId`, "user id". A
 * plain 12- to 19-digit number there is an object's id, not an Aadhaar, a card or a 91-prefixed phone, unless the key
 * also says so (`aadhaar_id`, `card_id`, `phone_id`).
 */
export const CTX_ID_KEY = /(?:^|[^A-Za-z])(?:id|Id|ID)[^A-Za-z0-9]*$|[a-z0-9]Id[^A-Za-z0-9]*$/;
