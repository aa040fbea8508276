/**
 * A small map whose entries expire: how API keys and console sessions are looked up at most every few seconds.
 * A miss is cached too (`{ value: undefined }`), so a wrong credential does not reach the database on every try.
 * Past `max` entries it starts over rather than tracking recency: the working set is small, a flood is not.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly max = 10_000) {}

  /** The entry, if it has not expired; `undefined` is a miss (a cached `undefined` value comes back as `{ value: undefined }`). */
  get(key: string, now = Date.now()): { value: V } | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > now ? { value: hit.value } : undefined;
  }

  set(key: string, value: V, until: number): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
