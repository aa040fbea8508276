import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { redactMessage, redactValue, MAX_ECHO_CHARS } from '../scanner/redaction.ts';
import { guardInput, MAX_JSON_DEPTH } from './input-guard.ts';

describe('guardInput', () => {
  const refused = (part: 'body' | 'query' | 'path', v: unknown) => {
    try {
      guardInput(part, v);
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).message;
    }
  };

  it('refuses NUL and unpaired surrogates in values and keys, at any depth, naming where', () => {
    expect(refused('body', { a: [{ b: 'x\u0000' }] })).toMatch(/body\.a\.0\.b: contains a NUL/);
    expect(refused('body', { a: 'x\ud800' })).toMatch(/body\.a/);
    expect(refused('body', { a: 'x\udc00y' })).toMatch(/body\.a/);
    expect(refused('body', ['\ud800'])).toMatch(/body\.0/);
    expect(refused('query', { ['k\u0000']: '1' })).toMatch(/query: has a key/);
    expect(refused('path', 'a\u0000')).toMatch(/path/);
  });

  it('accepts well-formed text, surrogate pairs included, and non-string values', () => {
    expect(refused('body', { emoji: '😀 ok', hindi: 'नमस्ते', n: 1, b: true, z: null, arr: [[['deep']]] })).toBeUndefined();
    expect(refused('body', undefined)).toBeUndefined();
  });

  it(`refuses nesting beyond ${MAX_JSON_DEPTH} levels without overflowing its own stack`, () => {
    const nest = (n: number) => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = [v];
      return v;
    };
    expect(refused('body', nest(MAX_JSON_DEPTH))).toBeUndefined();
    expect(refused('body', nest(MAX_JSON_DEPTH + 1))).toMatch(/nested deeper than 32/);
    expect(refused('body', nest(1_000_000))).toMatch(/nested deeper/);
  });

  it('echoes neither the value nor a long key', () => {
    const message = refused('body', { ['k'.repeat(100_000)]: 'priya\u0000' })!;
    expect(message.length).toBeLessThan(400);
    expect(message).not.toContain('priya');
  });
});

describe('redactMessage: the one rule for text that may quote input', () => {
  it('masks personal data the scanner finds, caps the length, and replaces what PostgreSQL cannot store', () => {
    expect(redactMessage('entity User::"priya.sharma.sec@example.in" is invalid')).not.toContain('priya.sharma.sec@example.in');
    expect(redactMessage('phone 9876543210')).not.toContain('9876543210');
    const long = redactMessage('x'.repeat(1_500_000));
    expect(long.length).toBeLessThan(MAX_ECHO_CHARS + 60);
    expect(redactMessage('a\u0000b\ud800c')).toBe('a\ufffdb\ufffdc');
    expect(redactMessage('nothing to hide')).toBe('nothing to hide');
  });

  it('masks a value that straddles the cut', () => {
    const text = 'y'.repeat(MAX_ECHO_CHARS - 10) + ' priya.sharma.sec@example.in';
    expect(redactMessage(text)).not.toContain('priya.sh');
  });

  it('applies to every string of error details, keys included', () => {
    const out = JSON.stringify(redactValue([{ entity: 'User::"priya.sharma.sec@example.in"', message: 'm' }, { ['9876543210']: 'x' }]));
    expect(out).not.toContain('priya.sharma.sec@example.in');
    expect(out).not.toContain('9876543210');
  });
});
