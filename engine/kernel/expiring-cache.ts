/** Roughly what a value costs in memory: its JSON length (UTF-16 code units), plus a fixed per-entry overhead. */
const approximateSize = (value: unknown): number => {
  if (value === undefined) return 0;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 1024;
  }
};

const ENTRY_OVERHEAD = 64;

/**
 * A small map whose entries expire: how API keys and console sessions are looked up at most every few seconds.
 * A miss is cached too (`{ value: undefined }`), so a wrong credential does not reach the database on every try.
 * Bounded by entries *and* by bytes (keys and values as they would serialise): a flood of long keys or large
 * values cannot grow it past `maxBytes`. Past either bound it starts over rather than tracking recency: the
 * working set is small, a flood is not.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; until: number; size: number }>();
  private readonly max: number;
  private readonly maxBytes: number;
  private bytes = 0;

  constructor(props: number | { maxEntries?: number; maxBytes?: number } = {}) {
    const p = typeof props === 'number' ? { maxEntries: props } : props;
    this.max = p.maxEntries ?? 10_000;
    this.maxBytes = p.maxBytes ?? 8 * 1024 * 1024;
  }

  /** Bytes held (approximately: keys and values as JSON, plus a fixed overhead per entry). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The entry, if it has not expired; `undefined` is a miss (a cached `undefined` value comes back as `{ value: undefined }`). */
  get(key: string, now = Date.now()): { value: V } | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > now ? { value: hit.value } : undefined;
  }

  /**
   * The entry even if it expired, as long as it expired less than `maxStaleMs` ago: for serving what was last known
   * while the source of truth cannot be asked (see ApiKeyStore.authenticate).
   */
  getStale(key: string, now: number, maxStaleMs: number): { value: V } | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until + maxStaleMs > now ? { value: hit.value } : undefined;
  }

  set(key: string, value: V, until: number): void {
    const size = key.length + approximateSize(value) + ENTRY_OVERHEAD;
    // One entry larger than the whole budget is not kept at all.
    if (size > this.maxBytes) {
      this.delete(key);
      return;
    }
    this.delete(key);
    if (this.entries.size >= this.max || this.bytes + size > this.maxBytes) this.clear();
    this.entries.set(key, { value, until, size });
    this.bytes += size;
  }

  delete(key: string): void {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.bytes -= hit.size;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
