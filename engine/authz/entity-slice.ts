import { referencedUids, uidKey, type Entity, type EntityUid } from './entity.ts';

/** A stored entity with what slicing needs precomputed once, at write time rather than on every decision. */
export interface IndexedEntity {
  entity: Entity;
  refs: EntityUid[];
  /** The entity with unread attributes removed, for the policy set whose hash is `trimmedFor`. */
  trimmed?: Entity;
  trimmedFor?: string;
}

/** What slicing needs of a compiled policy set (see policy-set.ts). */
export interface SlicePolicy {
  hash: string;
  attributesRead: Set<string>;
  trimmableSets: Set<string>;
  literalUids: Set<string>;
}

export function indexEntity(entity: Entity): IndexedEntity {
  return { entity, refs: referencedUids(entity.attrs) };
}

function trim(entry: IndexedEntity, policy: SlicePolicy): Entity {
  if (entry.trimmedFor === policy.hash && entry.trimmed) return entry.trimmed;
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry.entity.attrs)) if (policy.attributesRead.has(k)) attrs[k] = v;
  entry.trimmed = { uid: entry.entity.uid, attrs, parents: entry.entity.parents };
  entry.trimmedFor = policy.hash;
  return entry.trimmed;
}

/**
 * The entities one request needs, and no more: the principal and the resource, the entities their attributes
 * reference, and the ancestors of all of these. The evaluator's cost grows with every entity and attribute it is
 * handed (an entity reference costs several times a plain value), so it never sees the whole store, and:
 * - attributes that no policy reads are dropped;
 * - sets of entities that policies only test membership in keep only the elements the request can name
 *   (entities in the slice, references their attributes or the context hold, uids written in the policies):
 *   membership of anything else cannot be asked, so the answer cannot change;
 * - ancestors left with no attributes and no parents are dropped: Cedar knows them from their children's parent
 *   lists, which is all an `in` test reads.
 * A policy that navigates further (an attribute of an attribute of an attribute) finds the entity missing, which
 * is an evaluation error, which is a deny: the slice can make a decision stricter, never looser.
 */
export function sliceEntities(props: {
  principal: EntityUid;
  resource: EntityUid;
  lookup: (key: string) => IndexedEntity | undefined;
  overrides?: Map<string, IndexedEntity>;
  policy: SlicePolicy;
  context?: Record<string, unknown>;
}): Entity[] {
  const out = new Map<string, Entity>();
  const { lookup, overrides, policy } = props;
  const principalKey = uidKey(props.principal);
  const resourceKey = uidKey(props.resource);
  const visit = (uid: EntityUid, followRefs: boolean): void => {
    const key = uidKey(uid);
    if (out.has(key)) return;
    const entry = overrides?.get(key) ?? lookup(key);
    if (!entry) return; // Unknown entities stay unknown: `in` and attribute checks on them fail closed.
    out.set(key, trim(entry, policy));
    for (const parent of entry.entity.parents) visit(parent, false);
    if (followRefs) for (const ref of entry.refs) visit(ref, false);
  };
  visit(props.principal, true);
  visit(props.resource, true);

  const result: Entity[] = [];
  let nameable: Set<string> | undefined;
  for (const [key, e] of out) {
    const attrKeys = Object.keys(e.attrs);
    if (attrKeys.length === 0 && e.parents.length === 0 && key !== principalKey && key !== resourceKey) continue;
    let entity = e;
    for (const k of attrKeys) {
      if (!policy.trimmableSets.has(k) || !Array.isArray(e.attrs[k])) continue;
      nameable ??= nameableUids(out, policy, props.context);
      const kept = (e.attrs[k] as unknown[]).filter((v) => {
        const ref = (v as { __entity?: EntityUid }).__entity;
        return !ref || nameable!.has(uidKey(ref));
      });
      if (kept.length !== (e.attrs[k] as unknown[]).length) entity = { ...entity, attrs: { ...entity.attrs, [k]: kept } };
    }
    result.push(entity);
  }
  return result;
}

function nameableUids(slice: Map<string, Entity>, policy: SlicePolicy, context: Record<string, unknown> | undefined): Set<string> {
  const names = new Set<string>(policy.literalUids);
  for (const [key, e] of slice) {
    names.add(key);
    for (const [k, v] of Object.entries(e.attrs)) {
      if (policy.trimmableSets.has(k)) continue;
      for (const r of referencedUids(v)) names.add(uidKey(r));
    }
  }
  if (context) for (const r of referencedUids(context)) names.add(uidKey(r));
  return names;
}
