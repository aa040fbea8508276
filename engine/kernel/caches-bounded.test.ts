import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './expiring-cache.ts';

/** Caches are bounded by bytes, not only by entries. */
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
