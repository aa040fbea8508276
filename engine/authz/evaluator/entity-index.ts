/**
 * The entities the evaluator reads, held parsed (attributes as evaluator values, parents as uids) with each
 * entity's transitive ancestor set kept up to date as entities are written and removed, so `in` is one set
 * lookup per call however deep the hierarchy.
 *
 * Cedar semantics kept here: a parent that is not stored still counts as an ancestor (it is named by the
 * child), but contributes no ancestors of its own; a removed entity's children keep it as a parent until they
 * are rewritten. With a schema, the schema's actions are entities too, with their `memberOf` groups as parents.
 */
import { enumMismatch, typeMismatch } from './conformance.ts';
import { EntityJsonError, recordFromJson, uidFromJson, valueFromJson } from './json-values.ts';
import type { CompiledSchema } from './schema.ts';
import { EntityRef, type CedarRecord } from './values.ts';

export interface StoredEntity {
  uid: EntityRef;
  attrs: CedarRecord;
  tags: CedarRecord;
  parents: EntityRef[];
  /** keys of every transitive ancestor (not the entity itself) */
  ancestors: Set<string>;
}

const EMPTY: CedarRecord = new Map();

/** What the evaluator reads entities through: the index itself, or an overlay of request-supplied entities. */
export interface EntityLookup {
  get(key: string): StoredEntity | undefined;
}

export class EntityIndex implements EntityLookup {
  private readonly entities = new Map<string, StoredEntity>();
  /** parent key → keys of the stored entities that name it as a parent (the parent need not be stored) */
  private readonly children = new Map<string, Set<string>>();
  private readonly schema: CompiledSchema | undefined;
  /** parents the schema gives an action: kept when the action is also written as an entity */
  private readonly schemaParents = new Map<string, EntityRef[]>();

  constructor(props: { schema?: CompiledSchema; entities?: unknown[] } = {}) {
    this.schema = props.schema;
    const initial: StoredEntity[] = [];
    for (const action of props.schema?.actions.values() ?? []) {
      this.schemaParents.set(action.uid.key, action.parents);
      initial.push({ uid: action.uid, attrs: EMPTY, tags: EMPTY, parents: action.parents, ancestors: new Set() });
    }
    const given = new Set<string>();
    for (const json of props.entities ?? []) {
      const e = this.parse(json);
      // Cedar refuses entity data naming one uid twice; taking either would be a guess.
      if (given.has(e.uid.key)) throw new EntityJsonError(`entity ${e.uid.key} is given more than once`);
      given.add(e.uid.key);
      initial.push(e);
    }
    this.bulk(initial);
  }

  get size(): number {
    return this.entities.size;
  }

  get(key: string): StoredEntity | undefined {
    return this.entities.get(key);
  }

  has(key: string): boolean {
    return this.entities.has(key);
  }

  values(): IterableIterator<StoredEntity> {
    return this.entities.values();
  }

  /** Parses Cedar entity JSON (`{uid, attrs, parents, tags?}`) with the schema's types; throws EntityJsonError. */
  parse(json: unknown): StoredEntity {
    if (typeof json !== 'object' || json === null) throw new EntityJsonError('an entity must be an object');
    const e = json as { uid?: unknown; attrs?: unknown; parents?: unknown; tags?: unknown };
    const uid = uidFromJson(e.uid);
    const type = this.schema?.entityTypes.get(uid.type);
    const shape = type?.shape?.k === 'Record' ? type.shape.attrs : undefined;
    const attrs = e.attrs === undefined ? EMPTY : recordFromJson(asObject(e.attrs, 'attrs'), shape);
    let tags = EMPTY;
    if (e.tags !== undefined) {
      tags = new Map();
      const raw = asObject(e.tags, 'tags');
      for (const k of Object.keys(raw)) tags.set(k, valueFromJson(raw[k], type?.tags));
    }
    if (e.parents !== undefined && !Array.isArray(e.parents)) throw new EntityJsonError('parents must be an array');
    const seen = new Set<string>();
    const parents: EntityRef[] = [];
    for (const p of [...((e.parents as unknown[] | undefined) ?? []).map((x) => uidFromJson(x)), ...(this.schemaParents.get(uid.key) ?? [])]) {
      if (!seen.has(p.key)) {
        seen.add(p.key);
        parents.push(p);
      }
    }
    const entity = { uid, attrs, tags, parents, ancestors: new Set<string>() };
    if (this.schema) this.conform(entity, (e.parents as unknown[] | undefined)?.length ?? 0);
    return entity;
  }

  /** Refuses an entity that does not conform to the schema, as Cedar does. */
  private conform(entity: StoredEntity, givenParents: number): void {
    const schema = this.schema!;
    const { uid } = entity;
    const fail = (m: string): never => {
      throw new EntityJsonError(`entity ${uid.key} does not conform to the schema: ${m}`);
    };
    if (schema.actions.has(uid.key)) return;
    const type = schema.entityTypes.get(uid.type);
    if (!type) fail(`entity type ${uid.type} is not declared`);
    const bad = enumMismatch(uid, schema);
    if (bad) fail(bad);
    const shape = type!.shape ?? { k: 'Record' as const, attrs: new Map(), required: new Set<string>(), open: false };
    const m = typeMismatch(entity.attrs, shape, schema, 'attrs');
    if (m) fail(m);
    for (const p of entity.parents.slice(0, givenParents)) if (!type!.memberOfTypes.has(p.type)) fail(`it may not have a parent of type ${p.type}`);
    if (entity.tags.size) {
      if (!type!.tags) fail('its type declares no tags');
      for (const [k, v] of entity.tags) {
        const tm = typeMismatch(v, type!.tags!, schema, `tags.${k}`);
        if (tm) fail(tm);
      }
    }
  }

  /** Writes one entity (replacing any with the same uid) and brings the ancestor sets it affects up to date. */
  upsert(json: unknown): StoredEntity {
    const entity = this.parse(json);
    this.apply([entity]);
    return entity;
  }

  /** Writes many entities, then recomputes ancestor sets once (cheaper than one upsert each for a big load). */
  upsertMany(json: unknown[]): void {
    this.apply(json.map((j) => this.parse(j)));
  }

  /** Writes entities already parsed (by `parse`, or built by the caller), as one batch: all or none. */
  write(entities: StoredEntity[]): void {
    this.apply(entities);
  }

  /**
   * Puts the entities and refreshes what they affect. Cedar refuses a hierarchy with a cycle: if the write makes
   * one, the previous entities are put back and the write is refused.
   */
  private apply(batch: StoredEntity[]): void {
    const previous = new Map<string, StoredEntity | undefined>();
    for (const e of batch) {
      if (!previous.has(e.uid.key)) previous.set(e.uid.key, this.entities.get(e.uid.key));
      this.put(e);
    }
    const memo = new Map<string, Set<string>>();
    let cycle: string | undefined;
    for (const key of this.descendantsOf(new Set(previous.keys()))) if (this.recompute(key, memo) && !cycle) cycle = key;
    if (!cycle) return;
    for (const [key, old] of previous) {
      if (old) this.put(old);
      else this.drop(key);
    }
    const again = new Map<string, Set<string>>();
    for (const key of this.descendantsOf(new Set(previous.keys()))) this.recompute(key, again);
    throw new EntityJsonError(`the entity hierarchy would have a cycle through ${cycle}`);
  }

  private drop(key: string): void {
    const existing = this.entities.get(key);
    if (!existing) return;
    for (const p of existing.parents) this.children.get(p.key)?.delete(key);
    this.entities.delete(key);
  }

  /** Removes an entity; true if it was stored. Schema actions cannot be removed. */
  remove(uid: { type: string; id: string }): boolean {
    const key = new EntityRef(uid.type, uid.id).key;
    const existing = this.entities.get(key);
    if (!existing || this.schemaParents.has(key)) return false;
    this.drop(key);
    // Its descendants keep it as a parent (they name it) but lose the ancestors it brought.
    const affected = this.descendantsOf(new Set([key]));
    affected.delete(key);
    const memo = new Map<string, Set<string>>();
    for (const k of affected) this.recompute(k, memo);
    return true;
  }

  private put(entity: StoredEntity): void {
    const key = entity.uid.key;
    const old = this.entities.get(key);
    if (old) for (const p of old.parents) this.children.get(p.key)?.delete(key);
    for (const p of entity.parents) {
      let set = this.children.get(p.key);
      if (!set) this.children.set(p.key, (set = new Set()));
      set.add(key);
    }
    this.entities.set(key, entity);
  }

  /** The given keys and every stored entity below them. */
  private descendantsOf(keys: Set<string>): Set<string> {
    const out = new Set<string>();
    const stack = [...keys];
    while (stack.length) {
      const k = stack.pop()!;
      if (out.has(k)) continue;
      out.add(k);
      for (const c of this.children.get(k) ?? []) if (!out.has(c)) stack.push(c);
    }
    return out;
  }

  /**
   * Recomputes one entity's ancestor set by walking its parents. `memo` holds sets computed during this
   * refresh; entities outside the refreshed region keep their (still valid) sets. Cycles are walked once.
   */
  private recompute(key: string, memo: Map<string, Set<string>>): boolean {
    const entity = this.entities.get(key);
    if (!entity) return false;
    const out = new Set<string>();
    const stack: EntityRef[] = [...entity.parents];
    while (stack.length) {
      const p = stack.pop()!;
      if (out.has(p.key)) continue;
      out.add(p.key);
      const done = memo.get(p.key);
      if (done) {
        for (const a of done) out.add(a);
        continue;
      }
      const stored = this.entities.get(p.key);
      if (stored) for (const g of stored.parents) if (!out.has(g.key)) stack.push(g);
    }
    const cyclic = out.delete(key);
    entity.ancestors = out;
    memo.set(key, out);
    return cyclic;
  }

  private bulk(entities: StoredEntity[]): void {
    for (const e of entities) this.put(e);
    const memo = new Map<string, Set<string>>();
    for (const e of entities) if (this.recompute(e.uid.key, memo)) throw new EntityJsonError(`the entity hierarchy has a cycle through ${e.uid.key}`);
  }
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EntityJsonError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

/**
 * The store plus a few entities supplied with one request (never replacing a stored one), without copying the
 * store: the extra entities' ancestor sets are walked through both, and a stored entity whose ancestors include
 * an extra entity (it names it as a parent, directly or further up) is given the extra entity's ancestors too.
 */
export class EntityOverlay implements EntityLookup {
  private readonly extra = new Map<string, StoredEntity>();
  private readonly widened = new Map<string, StoredEntity>();

  constructor(
    private readonly base: EntityIndex,
    entities: unknown[],
  ) {
    for (const json of entities) {
      const e = base.parse(json);
      if (base.has(e.uid.key)) throw new EntityJsonError(`${e.uid.key} is stored: a request may add entities, not replace them`);
      if (this.extra.has(e.uid.key)) throw new EntityJsonError(`${e.uid.key} is given twice`);
      this.extra.set(e.uid.key, e);
    }
    for (const e of this.extra.values()) e.ancestors = this.walk(e);
  }

  get(key: string): StoredEntity | undefined {
    const extra = this.extra.get(key);
    if (extra) return extra;
    const stored = this.base.get(key);
    if (!stored || this.extra.size === 0) return stored;
    let reaches = false;
    for (const k of this.extra.keys()) if (stored.ancestors.has(k)) reaches = true;
    if (!reaches) return stored;
    let w = this.widened.get(key);
    if (!w) this.widened.set(key, (w = { ...stored, ancestors: this.walk(stored) }));
    return w;
  }

  private parentsOf(key: string): EntityRef[] {
    return (this.extra.get(key) ?? this.base.get(key))?.parents ?? [];
  }

  private walk(entity: StoredEntity): Set<string> {
    const out = new Set<string>();
    const stack = [...entity.parents];
    while (stack.length) {
      const p = stack.pop()!;
      if (out.has(p.key)) continue;
      out.add(p.key);
      for (const g of this.parentsOf(p.key)) if (!out.has(g.key)) stack.push(g);
    }
    out.delete(entity.uid.key);
    return out;
  }
}
