/**
 * Person names in free text with nothing around them ("Recurring Payment for Gaurav Kumar", "John Oliver is a
 * comedian"), from a names lexicon (person-names-data.ts: an English NLP library's, with Indian names added from a
 * test-data library's): two or three capitalised words that read as a full name.
 *
 * - a first name and a first or last name: "John Oliver", "Amit Patel";
 * - a first name, any capitalised word or an initial, and a first or last name: "Richard Milhous Nixon",
 *   "Richard M. Nixon", "William Bill Alexander";
 * - a word the lexicon does not know, and a last name: "Gaurav Kumar" (the lexicon knows few Indian first names; a word
 *   it knows, "Order Patel", is not a first name).
 *
 * Not a name: one word alone ("Dan"), a first name before an ordinary word ("Mark Complete", "Grant Access", "Dan
 * Tailor"), words in capitals. A brand or place made of names ("Louis Philippe") is reported: nothing in the text tells
 * it apart.
 */
import { isAlnumCode, isUpperCode } from './char-classes.ts';
import { FIRST_NAMES, LAST_NAMES, OTHER_WORDS } from './person-names-data.ts';

interface Lexicon {
  first: ReadonlySet<string>;
  last: ReadonlySet<string>;
  other: ReadonlySet<string>;
}
let lexicon: Lexicon | undefined;
const isName = (l: Lexicon, w: string) => l.first.has(w) || l.last.has(w);
/** the lists as sets, made on first use (a command that never scans does not pay for them at start-up) */
const sets = (): Lexicon =>
  (lexicon ??= { first: new Set(FIRST_NAMES.split(' ')), last: new Set(LAST_NAMES.split(' ')), other: new Set(OTHER_WORDS.split(' ')) });

const isLower = (c: number) => c >= 97 && c <= 122;
/** a character that may not follow a name's last word: a letter, a digit, '_', '-', '@' (an e-mail's local part) */
const glued = (c: number) => isAlnumCode(c) || c === 95 || c === 45 || c === 64;

/** The end of the capitalised word at p ("Oliver": a capital, then lower-case letters), or -1. */
function capitalisedWord(t: string, p: number): number {
  if (!isUpperCode(t.charCodeAt(p))) return -1;
  let k = p + 1;
  while (isLower(t.charCodeAt(k))) k++;
  return k - p >= 2 && !glued(t.charCodeAt(k)) ? k : -1;
}

/** The end of the initial at p ("M."), or -1. */
function initial(t: string, p: number): number {
  return isUpperCode(t.charCodeAt(p)) && t.charCodeAt(p + 1) === 46 ? p + 2 : -1;
}

/**
 * The end of the full name that starts with the capitalised word [s, e) in `t`, or -1. The caller has seen that a space
 * follows the word; a word glued to what comes before it (an identifier's part) is not looked at.
 */
export function freeTextName(t: string, s: number, e: number): number {
  if (capitalisedWord(t, s) !== e) return -1;
  if (s > 0 && (glued(t.charCodeAt(s - 1)) || t.charCodeAt(s - 1) === 46)) return -1;
  if (!isUpperCode(t.charCodeAt(e + 1))) return -1;
  const l = sets();
  const w1 = t.slice(s, e).toLowerCase();
  const first = l.first.has(w1);
  if (!first && (l.other.has(w1) || l.last.has(w1))) return -1;
  // the second word: a capitalised word, or an initial when a first name comes first
  const p2 = e + 1;
  let e2 = capitalisedWord(t, p2);
  const init = e2 === -1 && first ? initial(t, p2) : -1;
  if (e2 === -1 && init === -1) return -1;
  if (e2 === -1) e2 = init;
  // three words: a first name, anything capitalised or an initial, a name
  if (first && t.charCodeAt(e2) === 32) {
    const e3 = capitalisedWord(t, e2 + 1);
    if (e3 !== -1 && isName(l, t.slice(e2 + 1, e3).toLowerCase())) return e3;
  }
  if (init !== -1) return -1;
  const w2 = t.slice(p2, e2).toLowerCase();
  if (first) return isName(l, w2) ? e2 : -1;
  return l.last.has(w2) ? e2 : -1;
}
