import type { Entity, EntityUid } from './entity.ts';

export interface CachedDecision {
  decision: 'allow' | 'deny';
  reasons: string[];
}

/**
 * Memoised decisions, keyed by everything the evaluator sees: the plan (policy version and action), the
 * principal and resource types, the context, and the trimmed slice itself. The key is the content, not a
 * version number, so a changed entity or policy can never be served a stale answer: it simply misses.
 *
 * Many requests share a slice up to the names of their principal and resource (every agency user reading any
 * unredacted Amazon order of one client): those uids are replaced by placeholders when nothing in the slice,
 * the context or the policies can tell them apart — i.e. they are not referenced by another entity, not a parent,
 * not written in a policy, not in the context. Otherwise the real uid stays in the key.
 * Only decisions without evaluation errors are cached; requests that bring their own entities are not.
 */
export class DecisionCache {
  private readonly max: number;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly map = new Map<string, CachedDecision>();
  /** Approximate memory held: key lengths (the key is the request's whole content), reasons, per-entry overhead. */
  private used = 0;
  /**
   * One iterator over the keys, kept across evictions. `map.keys().next()` afresh would scan from the start of V8's
   * hash table over every entry deleted since it was last compacted — measured here at ~60 µs per eviction once the
   * cache is full. A live iterator resumes where it stopped (V8 keeps it valid across deletes and rehashes), and
   * entries re-inserted by get() are appended behind it, so it still yields the least recently used first.
   */
  private evictor: Iterator<string> | undefined;
  hits = 0;
  misses = 0;

  /**
   * `max` entries and `maxBytes` in all (default 64 MiB), whichever binds first: a key holds the request's
   * context and slice, so entries alone do not bound memory (900 requests with a 1 MB `purpose` would hold ~1 GB).
   * An entry over 1/256 of the budget is not cached at all: content that large hardly repeats.
   */
  constructor(props: { max?: number; maxBytes?: number } = {}) {
    this.max = props.max ?? 50_000;
    this.maxBytes = props.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = Math.max(1024, Math.floor(this.maxBytes / 256));
  }

  get size(): number {
    return this.map.size;
  }

  /** Approximate bytes held by the cached entries. */
  get bytes(): number {
    return this.used;
  }

  key(props: {
    planKey: string;
    principal: EntityUid;
    resource: EntityUid;
    context: Record<string, unknown> | undefined;
    slice: Entity[];
    literalUids: Set<string>;
  }): string {
    const { principal, resource, slice } = props;
    const context = props.context ? JSON.stringify(props.context) : '{}';
    const p = JSON.stringify(principal);
    const r = JSON.stringify(resource);
    // Plain loops and string building: this runs on every decision (and an Array.map with object spreads here
    // tripped a V8 deoptimiser crash in Node 20 under load).
    let body = '';
    for (let i = 0; i < slice.length; i++) {
      const e = slice[i];
      const uid = e.uid.type === principal.type && e.uid.id === principal.id ? '"$P"' : e.uid.type === resource.type && e.uid.id === resource.id ? '"$R"' : JSON.stringify(e.uid);
      body += `${uid}${JSON.stringify(e.attrs)}${JSON.stringify(e.parents)};`;
    }
    // Anonymise only if nothing else can name them. Searched for is the id as a JSON string, not the whole uid: a
    // reference can be spelled with its keys in any order ({"id","type"} is how PostgreSQL jsonb returns it), and
    // any spelling of a reference holds the id as a JSON string. An id that merely occurs elsewhere keeps the uid
    // in the key too: that costs cache hits, never a wrong answer.
    const pId = JSON.stringify(principal.id);
    const rId = JSON.stringify(resource.id);
    const pNamed = body.includes(pId) || context.includes(pId) || props.literalUids.has(`${principal.type}::${pId}`);
    const rNamed = body.includes(rId) || context.includes(rId) || props.literalUids.has(`${resource.type}::${rId}`);
    return `${props.planKey}\n${principal.type}${pNamed ? p : ''}\n${resource.type}${rNamed ? r : ''}\n${context}\n${body}`;
  }

  get(key: string): CachedDecision | undefined {
    const hit = this.map.get(key);
    if (hit) {
      this.hits++;
      // Keep recently used entries: re-insert at the end of the Map's order.
      this.map.delete(key);
      this.map.set(key, hit);
    } else this.misses++;
    return hit;
  }

  set(key: string, value: CachedDecision): void {
    const size = entrySize(key, value);
    if (size > this.maxEntryBytes) return;
    const old = this.map.get(key);
    if (old) {
      this.map.delete(key);
      this.used -= entrySize(key, old);
    }
    // Least recently used first (the Map's insertion order; get() re-inserts), until both bounds hold.
    while (this.map.size > 0 && (this.map.size >= this.max || this.used + size > this.maxBytes)) {
      let next = (this.evictor ??= this.map.keys()).next();
      if (next.done) next = (this.evictor = this.map.keys()).next();
      const oldest = next.value as string;
      this.used -= entrySize(oldest, this.map.get(oldest)!);
      this.map.delete(oldest);
    }
    this.map.set(key, value);
    this.used += size;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
    this.evictor = undefined;
  }
}

/**
 * A cached entry's approximate footprint: the key's characters (V8 keeps ASCII strings at one byte each), the
 * reasons, and Map and object overhead.
 */
function entrySize(key: string, value: CachedDecision): number {
  let reasons = 0;
  for (const r of value.reasons) reasons += r.length + 16;
  return key.length + reasons + 96;
}
