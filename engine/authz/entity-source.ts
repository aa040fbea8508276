import { uidKey, type Entity, type EntityUid } from './entity.ts';
import type { CompiledSchema, SType } from './evaluator/schema.ts';

/** Where a PDP's entities come from: the entity store's cache, kept in step through `onChange`. */
export interface EntitySource {
  readonly version: string;
  get(uid: EntityUid): Entity | undefined;
  all(): Iterable<Entity>;
  onChange(listener: (changed: EntityUid[]) => void): () => void;
}

/** An entity source held in memory: the CLI (`tenet check`, `tenet cedar-test`), tests and benchmarks. */
export class MemoryEntitySource implements EntitySource {
  private readonly entities = new Map<string, Entity>();
  private readonly listeners = new Set<(changed: EntityUid[]) => void>();
  private count = 0;

  constructor(entities: Iterable<Entity> = []) {
    for (const e of entities) this.entities.set(uidKey(e.uid), e);
  }

  get version(): string {
    return String(this.count);
  }

  get size(): number {
    return this.entities.size;
  }

  get(uid: EntityUid): Entity | undefined {
    return this.entities.get(uidKey(uid));
  }

  all(): Iterable<Entity> {
    return this.entities.values();
  }

  onChange(listener: (changed: EntityUid[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes entities (replacing any with the same uid) and tells the listeners, as the entity store does. */
  put(...entities: Entity[]): void {
    for (const e of entities) this.entities.set(uidKey(e.uid), e);
    this.changed(entities.map((e) => e.uid));
  }

  remove(...uids: EntityUid[]): void {
    for (const uid of uids) this.entities.delete(uidKey(uid));
    this.changed(uids);
  }

  private changed(uids: EntityUid[]): void {
    this.count++;
    for (const l of this.listeners) l(uids);
  }
}

/** A uid in either of Cedar's JSON forms (`{type, id}` or `{"__entity": {type, id}}`) as `{type, id}`. */
function plainUid(v: unknown): EntityUid {
  return ((v as { __entity?: unknown })?.__entity ?? v) as EntityUid;
}

/** Cedar entity JSON as Tenet's entity model holds it (the store's rows): uid and parents as `{type, id}`. */
export function entityFromCedarJson(json: unknown): Entity {
  const e = json as { uid: unknown; attrs?: Record<string, unknown>; parents?: unknown[]; tags?: Record<string, unknown> };
  const entity: Entity = { uid: plainUid(e.uid), attrs: e.attrs ?? {}, parents: (e.parents ?? []).map(plainUid) };
  if (e.tags) entity.tags = e.tags;
  return entity;
}

/** An entity in Cedar's entity JSON, as the evaluator's index reads it (implicit forms typed by the schema). */
export function cedarEntityJson(e: Entity): Record<string, unknown> {
  const tags = e.tags;
  return tags && Object.keys(tags).length ? { uid: e.uid, attrs: e.attrs, parents: e.parents, tags } : { uid: e.uid, attrs: e.attrs, parents: e.parents };
}

/**
 * Rewrites `{type, id}` references the schema types as entities into Cedar's explicit `{"__entity": {...}}` form, at
 * any depth of sets and records, so the store holds one form of each reference whichever one a caller sent.
 */
export function normaliseEntityRefs(entity: Entity, schema: CompiledSchema | undefined): Entity {
  const type = schema?.entityTypes.get(entity.uid.type);
  let out = entity;
  if (type?.shape?.k === 'Record') {
    const attrs = normalise(entity.attrs, type.shape) as Record<string, unknown>;
    if (attrs !== entity.attrs) out = { ...out, attrs };
  }
  if (type?.tags && entity.tags) {
    const tagType = type.tags;
    const tags = Object.fromEntries(Object.entries(entity.tags).map(([k, v]) => [k, normalise(v, tagType)]));
    if (Object.entries(tags).some(([k, v]) => v !== entity.tags![k])) out = { ...out, tags };
  }
  return out;
}

function normalise(v: unknown, t: SType): unknown {
  if (!v || typeof v !== 'object') return v;
  if (t.k === 'Entity') {
    return !('__entity' in v) && 'type' in v && 'id' in v ? { __entity: { type: (v as EntityUid).type, id: (v as EntityUid).id } } : v;
  }
  if (t.k === 'Set' && Array.isArray(v)) {
    const out = v.map((x) => normalise(x, t.el));
    return out.some((x, i) => x !== v[i]) ? out : v;
  }
  if (t.k === 'Record' && !Array.isArray(v) && !('__extn' in v)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const at = t.attrs.get(k);
      const n = at ? normalise(x, at) : x;
      if (n !== x) changed = true;
      out[k] = n;
    }
    return changed ? out : v;
  }
  return v;
}
