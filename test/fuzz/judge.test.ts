import { describe, expect, it } from 'vitest';
import type { FuzzCase } from './case-generator.ts';
import { judge } from './fuzz-run.ts';
import { encodeUrlText, toJsonText, ownKeys, RawJson } from './hostile-values.ts';
import type { Answer } from './send.ts';

/** The fuzz's judge must fail the answers it is there to catch: each of these is one a broken server gives. */
const op = (key: string, gate: FuzzCase['op']['gate']): FuzzCase['op'] => {
  const [method, path] = key.split(' ');
  return { key, method: method!.toLowerCase() as 'get', path: path!, pathParams: [], queryParams: [], gate };
};
const decide = op('POST /v1/authorize', { area: 'authorize', action: 'authorize' });
const keysRoute = op('GET /v1/api-keys', { area: 'api_keys', action: 'read' });
const c = (over: Partial<FuzzCase> = {}): FuzzCase => ({
  index: 1,
  op: decide,
  caller: 'service',
  mutation: 'valid request',
  method: 'POST',
  url: '/v1/authorize',
  headers: {},
  ...over,
});
const rid = 'req-00000001';
const answer = (status: number, body: unknown, over: Partial<Answer> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json', 'x-request-id': rid },
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  ms: 5,
  ...over,
});
const error = (code: string) => ({ error: { code, message: 'm', requestId: rid } });
const checks = (cs: FuzzCase, a: Answer) => judge(cs, a, 2000).map((p) => p.check);

describe('the route fuzz judge', () => {
  it('passes a good error and a good answer', () => {
    expect(checks(c(), answer(400, error('invalid_request')))).toEqual([]);
    expect(checks(c(), answer(200, { decision: 'deny' }))).toEqual([]);
  });

  it('fails 5xx, a reset, a hang and a slow answer', () => {
    expect(checks(c(), answer(500, error('internal')))).toContain('5xx');
    expect(checks(c(), answer(0, '', { transportError: 'ECONNRESET: socket hang up' }))).toEqual(['transport']);
    expect(checks(c(), answer(0, '', { transportError: 'no answer within 10000 ms' }))).toEqual(['hang']);
    expect(checks(c(), answer(200, {}, { ms: 2500 }))).toEqual(['slow']);
  });

  it('fails another error shape, a request id that is not the header, an echoing error body', () => {
    expect(checks(c(), answer(400, { message: 'bad' }))).toEqual(['error-shape']);
    expect(checks(c(), answer(400, { error: { code: 'x', message: 'm', requestId: rid }, extra: 1 }))).toEqual(['error-shape']);
    expect(checks(c(), answer(400, { error: { code: 'x', message: 'm', requestId: 'other-id-1' } }))).toEqual(['error-shape']);
    expect(checks(c(), answer(400, '', { headers: {} }))).toEqual(['request-id', 'error-shape']);
    expect(checks(c(), answer(400, { error: { code: 'x', message: 'y'.repeat(70_000), requestId: rid } }))).toEqual(['error-size']);
  });

  it('fails stack traces, source paths and engine faults, but not the sandbox naming a fault of the caller’s text', () => {
    const trace = { error: { code: 'x', message: 'TypeError: boom\n    at decide (/work/main/engine/http/fast-path.ts:88:12)', requestId: rid } };
    expect(checks(c(), answer(400, trace))).toContain('leak');
    expect(checks(c(), answer(200, { errors: ['RuntimeError: memory access out of bounds'] }))).toEqual(['leak']);
    expect(checks(c(), answer(200, { errors: ['Cedar faulted on this text (RangeError: Maximum call stack size exceeded): it nests too deeply'] }))).toEqual(
      [],
    );
  });

  it('fails a caller without a valid key that gets anything but a 401, and a role past its gate', () => {
    expect(checks(c({ caller: 'anonymous' }), answer(200, {}))).toEqual(['unauthenticated-allowed']);
    expect(checks(c({ caller: 'unknown_key', mutation: 'body ← truncated JSON' }), answer(400, error('invalid_json')))).toEqual(['before-authentication']);
    expect(checks(c({ caller: 'anonymous' }), answer(401, error('unauthenticated')))).toEqual([]);
    // An undecodable URL may be refused before authentication.
    expect(checks(c({ caller: 'anonymous', mutation: 'field path.id ← bare %' }), answer(400, error('invalid_request')))).toEqual([]);
    expect(checks(c({ op: keysRoute, caller: 'auditor' }), answer(200, { keys: [] }))).toEqual(['gate']);
    expect(checks(c({ op: keysRoute, caller: 'auditor' }), answer(403, error('forbidden')))).toEqual([]);
  });
});

describe('hostile value encoding', () => {
  it('sends what JSON.stringify cannot: raw numbers, deep nesting, own __proto__ keys, lone surrogates', () => {
    expect(toJsonText({ a: new RawJson('1e999'), b: [new RawJson('[[]]')] })).toBe('{"a":1e999,"b":[[[]]]}');
    const withProto = ownKeys([['__proto__', { x: 1 }]]);
    expect(toJsonText(withProto)).toBe('{"__proto__":{"x":1}}');
    expect(Object.getPrototypeOf(JSON.parse(toJsonText(withProto)))).toBe(Object.prototype);
    expect(toJsonText('a\ud800b')).toBe('"a\\ud800b"');
    expect(encodeUrlText('a\ud800b\u0000')).toBe('a%ED%A0%80b%00');
    expect(encodeUrlText('😀')).toBe('%F0%9F%98%80');
  });
});
