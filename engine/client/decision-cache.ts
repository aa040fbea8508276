/**
 * A short local memory of decisions, keyed by the request's canonical JSON (object keys sorted at every level), so
 * `{principal, action, resource}` asked twice in either key order is one entry. Entries live `ttlMs`; past
 * `maxEntries` the oldest is dropped. Only answers Tenet gave are kept, never a fail-closed deny: an outage must not
 * outlive itself in the cache.
 */
export class DecisionCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(props: { ttlMs: number; maxEntries?: number; now?: () => number }) {
    if (!(props.ttlMs > 0)) throw new RangeError('cache.ttlMs must be a positive number of milliseconds');
    this.ttlMs = props.ttlMs;
    this.maxEntries = Math.max(1, props.maxEntries ?? 10_000);
    this.now = props.now ?? Date.now;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    // A Map iterates in insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** JSON with object keys sorted at every level: one text per request, whatever order its keys were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = sortKeys(v);
  }
  return out;
}
