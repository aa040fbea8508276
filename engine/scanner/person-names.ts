/**
 * Person names in free text with nothing around them ("Recurring Payment for Gaurav Kumar", "John Oliver is a
 * comedian"), from a names lexicon (person-names-data.ts: an English NLP library's, with Indian names added from a
 * test-data library's): two or three capitalised words that read as a full name.
 *
 * - a first name and a first or last name: "John Oliver", "Amit Patel";
 * - a given name that is nothing else ("Dan", not "Mark") and an ordinary word that may be a surname (a noun, an
 *   adjective or an infinitive, not a place or an unknown word), when the words around the two are not capitalised
 *   too: "Dan Tailor", "Dan Bar has a bank account" (but not "Alexa Skills Kit", "Peter England", "Allen Solly");
 * - a first name, any capitalised word or an initial, and a first or last name: "Richard Milhous Nixon",
 *   "Richard M. Nixon", "William Bill Alexander";
 * - a word the lexicon does not know, and a last name: "Gaurav Kumar" (the lexicon knows few Indian first names; a word
 *   it knows, "Order Patel", is not a first name).
 *
 * Not a name: one word alone ("Dan"), a first name that is also a word, or an Indian first name, before an
 * ordinary word ("Mark Complete", "Grant Access", "Dev Mode"), words in capitals. A brand or place made of names
 * ("Louis Philippe") is reported: nothing in the text tells it apart.
 */
import { isAlnumCode, isLowerCode, isUpperCode } from './char-classes.ts';
import { FIRST_NAMES, GIVEN_NAMES, LAST_NAMES, OTHER_WORDS, PLAIN_WORDS } from './person-names-data.ts';

interface Lexicon {
  given: ReadonlySet<string>;
  first: ReadonlySet<string>;
  last: ReadonlySet<string>;
  /** ordinary words that may also be surnames ("tailor", "bar", "brown") */
  plain: ReadonlySet<string>;
  other: ReadonlySet<string>;
}
let lexicon: Lexicon | undefined;
const isName = (l: Lexicon, w: string) => l.given.has(w) || l.first.has(w) || l.last.has(w);
const toSet = (list: string) => new Set(list.split(' '));
/** the lists as sets, made on first use (a command that never scans does not pay for them at start-up) */
const sets = (): Lexicon =>
  (lexicon ??= {
    given: toSet(GIVEN_NAMES),
    first: toSet(FIRST_NAMES),
    last: toSet(LAST_NAMES),
    plain: toSet(PLAIN_WORDS),
    other: toSet(OTHER_WORDS),
  });

/** a character that may not follow a name's last word: a letter, a digit, '_', '-', '@' (an e-mail's local part) */
const glued = (c: number) => isAlnumCode(c) || c === 95 || c === 45 || c === 64;

/** The end of the capitalised word at p ("Oliver": a capital, then lower-case letters), or -1. */
function capitalisedWord(t: string, p: number): number {
  if (!isUpperCode(t.charCodeAt(p))) return -1;
  let k = p + 1;
  while (isLowerCode(t.charCodeAt(k))) k++;
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
  const given = l.given.has(w1);
  const first = given || l.first.has(w1);
  if (!first && (l.other.has(w1) || l.plain.has(w1) || l.last.has(w1))) return -1;
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
  if (!first) return l.last.has(w2) ? e2 : -1;
  if (isName(l, w2)) return e2;
  if (!given || !l.plain.has(w2)) return -1;
  const inTitle = capitalisedBefore(t, s) || (t.charCodeAt(e2) === 32 && capitalisedWord(t, e2 + 1) !== -1);
  return inTitle ? -1 : e2;
}

/** Whether a capitalised word ("Amazon", not "INFO") ends one space before s. */
function capitalisedBefore(t: string, s: number): boolean {
  if (s < 3 || t.charCodeAt(s - 1) !== 32) return false;
  let k = s - 2;
  while (k > 0 && isLowerCode(t.charCodeAt(k))) k--;
  return capitalisedWord(t, k) === s - 1;
}
