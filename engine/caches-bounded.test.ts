import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecisionCache } from './authz/decision-cache.ts';
import { ExpiringCache } from './expiring-cache.ts';

/** Caches are bounded by bytes, not only by entries. */
describe('DecisionCache byte budget', () => {
  const key = (i: number, size: number) => `plan\nUser\nOrder\n{"purpose":"${String(i).padEnd(size, 'x')}"}\n`;

  it('900 entries with a 1 MB context stay within the byte budget (and are not cached at all past 1/256 of it)', () => {
    const cache = new DecisionCache({ max: 50_000, maxBytes: 64 * 1024 * 1024 });
    for (let i = 0; i < 900; i++) cache.set(key(i, 1_000_000), { decision: 'allow', reasons: ['p'] });
    expect(cache.bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(cache.size).toBe(0);
  });

  it('evicts least recently used entries to stay under the budget', () => {
    const cache = new DecisionCache({ max: 50_000, maxBytes: 1_000_000 });
    for (let i = 0; i < 1_000; i++) {
      cache.set(key(i, 3_000), { decision: 'deny', reasons: [] });
      if (i > 0) cache.get(key(0, 3_000)); // keep the first one in use
    }
    expect(cache.bytes).toBeLessThanOrEqual(1_000_000);
    expect(cache.size).toBeGreaterThan(200);
    expect(cache.size).toBeLessThan(340);
    expect(cache.get(key(0, 3_000))).toEqual({ decision: 'deny', reasons: [] });
    expect(cache.get(key(1, 3_000))).toBeUndefined();
    expect(cache.get(key(999, 3_000))).toBeDefined();
    cache.clear();
    expect(cache.bytes).toBe(0);
  });

  it('still bounds entries, and replacing a key does not double-count it', () => {
    const cache = new DecisionCache({ max: 10 });
    for (let i = 0; i < 25; i++) cache.set(key(i, 10), { decision: 'allow', reasons: [] });
    expect(cache.size).toBe(10);
    const before = cache.bytes;
    cache.set(key(24, 10), { decision: 'allow', reasons: [] });
    expect(cache.bytes).toBe(before);
  });
});

describe('DecisionCache eviction order', () => {
  it('evicts exactly what a plain least-recently-used list would, across many evictions (the live eviction iterator)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 400 }), fc.integer({ min: 1, max: 12 }), (ops, max) => {
        const cache = new DecisionCache({ max });
        const model: string[] = []; // least recently used first
        for (const [isGet, n] of ops) {
          const k = `k${n}`;
          if (isGet) {
            const hit = cache.get(k);
            const i = model.indexOf(k);
            expect(Boolean(hit)).toBe(i >= 0);
            if (i >= 0) model.push(...model.splice(i, 1));
          } else {
            cache.set(k, { decision: 'allow', reasons: [] });
            const i = model.indexOf(k);
            if (i >= 0) model.splice(i, 1);
            else if (model.length >= max) model.shift();
            model.push(k);
          }
        }
        expect(cache.size).toBe(model.length);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe('ExpiringCache byte budget', () => {
  it('starts over before its bytes exceed the budget, and never keeps an entry larger than it', () => {
    const cache = new ExpiringCache<string>({ maxEntries: 10_000, maxBytes: 100_000 });
    for (let i = 0; i < 1_000; i++) {
      cache.set(`k${i}`.padEnd(1_000, 'k'), 'v'.repeat(500), Number.MAX_SAFE_INTEGER);
      expect(cache.size.bytes).toBeLessThanOrEqual(100_000);
    }
    expect(cache.size.entries).toBeGreaterThan(0);
    cache.set('huge', 'x'.repeat(200_000), Number.MAX_SAFE_INTEGER);
    expect(cache.get('huge', 0)).toBeUndefined();
    expect(cache.size.bytes).toBeLessThanOrEqual(100_000);
  });
});
