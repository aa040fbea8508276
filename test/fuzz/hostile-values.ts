/**
 * What an attacker puts where a value goes: wrong types, strings PostgreSQL cannot store (NUL, lone surrogates),
 * very deep nesting, huge strings and collections, prototype keys, and text that means something to SQL, shells,
 * templates or Cedar. Two catalogues: JSON values (for body fields and whole bodies) and URL text (for path and query
 * parameters, already percent-encoded so that invalid UTF-8 and lone surrogates can be sent at all).
 */

/** JSON text spliced verbatim into a body: for what JSON.stringify cannot write (1e999, 10,000-deep nesting). */
export class RawJson {
  constructor(readonly text: string) {}
}

export interface Hostile<T> {
  label: string;
  make: () => T;
}

/** An object holding `key` as its own property, even `__proto__` (a literal would set the prototype instead). */
export function ownKeys(entries: Array<[string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** The marker prototype-pollution payloads try to plant on Object.prototype; the suite checks it never appears. */
export const POLLUTION_MARKER = 'fuzzPolluted';

const memo = <T>(f: () => T): (() => T) => {
  let v: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v as T;
  };
};

const nestedArrays = (depth: number) => memo(() => new RawJson('['.repeat(depth) + ']'.repeat(depth)));
const nestedObjects = (depth: number) => memo(() => new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));
const cedarNesting = (depth: number) => memo(() => `permit(principal, action, resource) when { ${'('.repeat(depth)}true${')'.repeat(depth)} };`);

export const HOSTILE_JSON: Array<Hostile<unknown>> = [
  // wrong types
  { label: 'null', make: () => null },
  { label: 'true', make: () => true },
  { label: 'false', make: () => false },
  { label: '0', make: () => 0 },
  { label: '-1', make: () => -1 },
  { label: '1.5', make: () => 1.5 },
  { label: '1e308', make: () => 1e308 },
  { label: '2^53+1', make: () => new RawJson('9007199254740993') },
  { label: 'number 1e999 (Infinity when parsed)', make: () => new RawJson('1e999') },
  { label: 'number -0', make: () => new RawJson('-0') },
  { label: 'number with 400 digits', make: memo(() => new RawJson('9'.repeat(400))) },
  { label: 'empty array', make: () => [] },
  { label: 'empty object', make: () => ({}) },
  { label: '[null]', make: () => [null] },
  { label: '[[[]]]', make: () => [[[]]] },
  { label: 'string "null"', make: () => 'null' },
  { label: 'string "0"', make: () => '0' },
  { label: 'string "true"', make: () => 'true' },
  // strings PostgreSQL (or a careless parser) cannot take
  { label: 'empty string', make: () => '' },
  { label: 'whitespace string', make: () => ' \t\n' },
  { label: 'string with NUL', make: () => 'asha\u0000' },
  { label: 'string of one NUL', make: () => '\u0000' },
  { label: 'string with a lone high surrogate', make: () => 'a\ud800b' },
  { label: 'string with a lone low surrogate', make: () => '\udc00' },
  { label: 'string ending in a high surrogate', make: () => 'x\ud83d' },
  { label: 'reversed surrogate pair', make: () => '\udc00\ud800' },
  { label: 'control characters', make: () => '\u0001\u001b[31m\u007f\u0085\u2028\u2029' },
  { label: 'BOM and bidi override', make: () => '\ufeff\u202eevil' },
  { label: 'emoji and combining marks', make: () => 'ünï😀\u0301\u0301\u0301' },
  { label: 'string with NUL in a known id', make: () => 'o-1001\u0000' },
  // injection-shaped text
  { label: 'SQL', make: () => "' OR 1=1; DROP TABLE decisions; --" },
  { label: 'path traversal', make: () => '../../../../etc/passwd' },
  { label: 'template', make: () => '${7*7}{{7*7}}#{7*7}' },
  { label: 'HTML', make: () => '<script>alert(1)</script>' },
  { label: 'Cedar quoting', make: () => 'a"b\\c::d`e' },
  { label: 'Cedar entity syntax', make: () => 'User::"asha"' },
  { label: 'percent escapes', make: () => '%00%ff%u0000' },
  // size
  { label: 'string of 64 KiB', make: memo(() => 'x'.repeat(64 * 1024)) },
  { label: 'string of 1 MiB', make: memo(() => 'y'.repeat(1024 * 1024)) },
  { label: 'array of 10,000 strings', make: memo(() => Array.from({ length: 10_000 }, (_, i) => `s${i}`)) },
  { label: 'array of 20,000 empty objects', make: memo(() => Array.from({ length: 20_000 }, () => ({}))) },
  { label: 'object with 10,000 keys', make: memo(() => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))) },
  // nesting
  { label: '1,000-deep arrays', make: nestedArrays(1_000) },
  { label: '10,000-deep arrays', make: nestedArrays(10_000) },
  { label: '10,000-deep objects', make: nestedObjects(10_000) },
  { label: '100,000-deep arrays', make: nestedArrays(100_000) },
  { label: 'Cedar policy, 100-deep parentheses', make: cedarNesting(100) },
  { label: 'Cedar policy, 1,000-deep parentheses', make: cedarNesting(1_000) },
  { label: 'Cedar policy, 10,000-deep parentheses', make: cedarNesting(10_000) },
  { label: '10,000 unbalanced "("', make: memo(() => '('.repeat(10_000)) },
  // keys
  { label: 'object with a NUL key', make: () => ({ 'a\u0000b': 1 }) },
  { label: 'object with a lone-surrogate key', make: () => ({ '\ud800': 1 }) },
  { label: 'object with an empty key', make: () => ({ '': 1 }) },
  { label: 'object with a __proto__ key', make: () => ownKeys([['__proto__', { [POLLUTION_MARKER]: 'yes' }]]) },
  { label: 'object with constructor.prototype', make: () => ({ constructor: { prototype: { [POLLUTION_MARKER]: 'yes' } } }) },
  { label: 'object with toString and hasOwnProperty', make: () => ({ toString: 'x', hasOwnProperty: 1, valueOf: null }) },
  // Cedar JSON escapes
  { label: 'entity reference to a store-owned entity', make: () => ({ __entity: { type: 'Integration', id: 'whatsapp' } }) },
  { label: 'entity reference with a NUL id', make: () => ({ __entity: { type: 'User', id: 'asha\u0000' } }) },
  { label: 'bad extension value', make: () => ({ __extn: { fn: 'ip', arg: 'not-an-ip' } }) },
  { label: 'extension with a deep argument', make: () => ({ __extn: { fn: 'decimal', arg: { __extn: { fn: 'decimal', arg: [[[[['1']]]]] } } } }) },
];

/** Whole-body replacements: bodies that are not a JSON object at all, or not JSON. */
export interface HostileBody {
  label: string;
  make: () => { text: string | Buffer; contentType?: string; chunked?: boolean };
}

const chunkedOversize = memo(() => Buffer.alloc(2.5 * 1024 * 1024, 'a'));
export const HOSTILE_BODIES: HostileBody[] = [
  { label: 'JSON null', make: () => ({ text: 'null', contentType: 'application/json' }) },
  { label: 'JSON array', make: () => ({ text: '[1,2,3]', contentType: 'application/json' }) },
  { label: 'JSON string', make: () => ({ text: '"body"', contentType: 'application/json' }) },
  { label: 'JSON number', make: () => ({ text: '42', contentType: 'application/json' }) },
  { label: 'truncated JSON', make: () => ({ text: '{"principal":', contentType: 'application/json' }) },
  { label: 'trailing garbage', make: () => ({ text: '{}garbage', contentType: 'application/json' }) },
  { label: 'single quotes', make: () => ({ text: "{'a':1}", contentType: 'application/json' }) },
  { label: 'empty body declared JSON', make: () => ({ text: '', contentType: 'application/json' }) },
  {
    label: 'invalid UTF-8 bytes',
    make: () => ({ text: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]), contentType: 'application/json' }),
  },
  { label: 'NUL bytes in the body', make: () => ({ text: Buffer.from('{"a":"\u0000"}\u0000\u0000'), contentType: 'application/json' }) },
  { label: '10,000-deep arrays as the body', make: () => ({ text: nestedArrays(10_000)().text, contentType: 'application/json' }) },
  { label: '10,000-deep objects as the body', make: () => ({ text: nestedObjects(10_000)().text, contentType: 'application/json' }) },
  {
    label: 'duplicate keys',
    make: () => ({ text: '{"principal":{"type":"User","id":"asha"},"principal":{"type":"User","id":"dev"}}', contentType: 'application/json' }),
  },
  { label: '__proto__ at the root', make: () => ({ text: `{"__proto__":{"${POLLUTION_MARKER}":"yes"}}`, contentType: 'application/json' }) },
  {
    label: 'constructor.prototype at the root',
    make: () => ({ text: `{"constructor":{"prototype":{"${POLLUTION_MARKER}":"yes"}}}`, contentType: 'application/json' }),
  },
  { label: 'JSON sent as text/plain', make: () => ({ text: '{"name":"x"}', contentType: 'text/plain' }) },
  { label: 'form-encoded', make: () => ({ text: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' }) },
  { label: 'JSON declared UTF-16', make: () => ({ text: '{}', contentType: 'application/json; charset=utf-16' }) },
  { label: 'vendor +json type', make: () => ({ text: '{"a":1}', contentType: 'application/vnd.evil+json' }) },
  { label: 'no content-type', make: () => ({ text: '{"a":1}' }) },
  {
    label: '2.5 MiB JSON string (over the limit)',
    make: memo(() => ({ text: JSON.stringify({ x: 'a'.repeat(2.5 * 1024 * 1024) }), contentType: 'application/json' })),
  },
  { label: '2.5 MiB chunked body (no length)', make: () => ({ text: chunkedOversize(), contentType: 'application/json', chunked: true }) },
];

/** Text for a path or query parameter, already percent-encoded. */
export const HOSTILE_URL: Array<Hostile<string>> = [
  { label: 'NUL (%00)', make: () => 'a%00b' },
  { label: 'only NUL', make: () => '%00' },
  { label: 'lone surrogate (CESU-8 %ED%A0%80)', make: () => 'a%ED%A0%80b' },
  { label: 'invalid UTF-8 (%FF%FE)', make: () => '%FF%FE' },
  { label: 'overlong NUL (%C0%80)', make: () => '%C0%80' },
  { label: 'bare %', make: () => '%' },
  { label: 'bad escape %zz', make: () => '%zz' },
  { label: '%u0000', make: () => '%u0000' },
  { label: 'encoded slash', make: () => 'a%2Fb' },
  { label: 'encoded dot-dot', make: () => '%2e%2e' },
  { label: 'empty', make: () => '' },
  { label: 'plus and space', make: () => 'a+b%20c' },
  { label: '8 KiB value', make: memo(() => 'z'.repeat(8 * 1024)) },
  { label: 'unicode', make: () => encodeURIComponent('ünï😀') },
  { label: 'SQL', make: () => encodeURIComponent("' OR 1=1; --") },
  { label: 'NaN', make: () => 'NaN' },
  { label: 'Infinity', make: () => 'Infinity' },
  { label: '1e999', make: () => '1e999' },
  { label: '-1', make: () => '-1' },
  { label: '0', make: () => '0' },
  { label: '1.5', make: () => '1.5' },
  { label: '99999999999999999999', make: () => '99999999999999999999' },
  { label: 'true', make: () => 'true' },
  { label: 'null', make: () => 'null' },
  { label: '__proto__', make: () => '__proto__' },
  { label: 'constructor', make: () => 'constructor' },
  { label: 'Type::id with a NUL', make: () => 'User::asha%00' },
  { label: 'Type:: with nothing after', make: () => 'User::' },
  { label: 'cursor-like garbage', make: () => '2026-13-45T99:99:99Z%7C' },
];

/** Percent-encodes any JS string, lone surrogates included (as their 3-byte CESU-8 form, which no decoder accepts). */
export function encodeUrlText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isHigh = c >= 0xd800 && c <= 0xdbff;
    const isLow = c >= 0xdc00 && c <= 0xdfff;
    if (isHigh && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (isHigh || isLow) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => '%' + b.toString(16).toUpperCase()).join('');
    } else out += encodeURIComponent(s[i]!);
  }
  return out;
}

/** JSON text for a value that may hold RawJson parts and own `__proto__` keys. */
export function toJsonText(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(toJsonText).join(',') + ']';
  if (typeof v === 'object') {
    return (
      '{' +
      Object.keys(v)
        .map((k) => JSON.stringify(k) + ':' + toJsonText((v as Record<string, unknown>)[k]))
        .join(',') +
      '}'
    );
  }
  return 'null';
}
