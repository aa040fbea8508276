import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './expiring-cache.ts';

describe('ExpiringCache', () => {
  it('answers until an entry expires, caches misses, and starts over past its size', () => {
    const c = new ExpiringCache<string | undefined>(2);
    c.set('a', 'A', 1_000);
    c.set('miss', undefined, 1_000);
    expect(c.get('a', 999)).toEqual({ value: 'A' });
    expect(c.get('miss', 999)).toEqual({ value: undefined });
    expect(c.get('a', 1_000)).toBeUndefined();
    expect(c.get('never', 0)).toBeUndefined();
    c.set('b', 'B', 2_000); // a third entry: the map starts over
    expect(c.get('a', 0)).toBeUndefined();
    expect(c.get('b', 0)).toEqual({ value: 'B' });
    c.delete('b');
    expect(c.get('b', 0)).toBeUndefined();
  });
});
