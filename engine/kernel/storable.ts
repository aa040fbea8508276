/**
 * NUL and unpaired UTF-16 surrogates: PostgreSQL's text and jsonb cannot hold them (`invalid byte sequence`,
 * `unsupported Unicode escape sequence`). In unicode mode a surrogate *pair* is one code point, so `\p{Cs}`
 * matches only a lone half.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /[\u0000\p{Cs}]/u;
// eslint-disable-next-line no-control-regex -- as above
const UNSTORABLE_ALL = /[\u0000\p{Cs}]/gu;

/** Whether PostgreSQL can store this string in a text or jsonb column. */
export const isStorable = (s: string): boolean => !UNSTORABLE.test(s);

/** The string with NUL and unpaired surrogates written as `\u` escapes (as JSON.stringify writes them). */
export const escapeUnstorable = (s: string): string => s.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The string with NUL and unpaired surrogates replaced by U+FFFD (for text shown to people). */
export const replaceUnstorable = (s: string): string => s.replace(UNSTORABLE_ALL, '\ufffd');
