import { referencedUids, uidKey, type Entity, type EntityUid } from './entity.ts';
import type { ActionPlan } from './action-plan.ts';

/** A stored entity with what slicing needs precomputed once, at write time rather than on every decision. */
export interface IndexedEntity {
  entity: Entity;
  /** The entity trimmed for a plan (by plan key), with the references its remaining attributes hold. */
  trimmed?: Map<string, { entity: Entity; refs: EntityUid[] }>;
}

export function indexEntity(entity: Entity): IndexedEntity {
  return { entity };
}

function trimFor(entry: IndexedEntity, plan: ActionPlan): { entity: Entity; refs: EntityUid[] } {
  const cached = entry.trimmed?.get(plan.key);
  if (cached) return cached;
  const read = plan.readByType.get(entry.entity.uid.type);
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry.entity.attrs)) if (read?.has(k) || plan.readOnAnyType.has(k)) attrs[k] = v;
  const out = { entity: { uid: entry.entity.uid, attrs, parents: entry.entity.parents }, refs: referencedUids(attrs) };
  // Bounded: one entry per plan (action) of the policy versions this replica has served.
  if (!entry.trimmed || entry.trimmed.size > 64) entry.trimmed = new Map();
  entry.trimmed.set(plan.key, out);
  return out;
}

/**
 * The entities one request needs, and no more: the principal and the resource, the entities their attributes
 * reference, and the ancestors of all of these. The evaluator's cost grows with every entity and attribute it is
 * handed (an entity reference costs several times a plain value), so it never sees the whole store, and:
 * - attributes that the action's policies cannot read (by entity type, through the schema) are dropped;
 * - sets of entities that policies only test membership in keep only the elements the request can name
 *   (entities in the slice, references their attributes or the context hold, uids written in the policies):
 *   membership of anything else cannot be asked, so the answer cannot change;
 * - ancestors left with no attributes and no parents are dropped: Cedar knows them from their children's parent
 *   lists, which is all an `in` test reads.
 * A policy that navigates further than the slice reaches finds the entity missing, which is an evaluation error,
 * which is a deny: the slice can make a decision stricter, never looser. The property test in
 * platform-policies.property.test.ts checks slice decisions against Cedar on the whole store.
 */
export function sliceEntities(props: {
  principal: EntityUid;
  resource: EntityUid;
  lookup: (key: string) => IndexedEntity | undefined;
  overrides?: Map<string, IndexedEntity>;
  plan: ActionPlan;
  context?: Record<string, unknown>;
}): Entity[] {
  const out = new Map<string, Entity>();
  const { lookup, overrides, plan } = props;
  const principalKey = uidKey(props.principal);
  const resourceKey = uidKey(props.resource);
  const visit = (uid: EntityUid, followRefs: boolean): void => {
    const key = uidKey(uid);
    if (out.has(key)) return;
    const entry = overrides?.get(key) ?? lookup(key);
    if (!entry) return; // Unknown entities stay unknown: `in` and attribute checks on them fail closed.
    const t = trimFor(entry, plan);
    out.set(key, t.entity);
    for (const parent of t.entity.parents) visit(parent, false);
    if (followRefs) for (const ref of t.refs) visit(ref, false);
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
      if (!plan.trimmableSets.has(k) || !Array.isArray(e.attrs[k])) continue;
      nameable ??= nameableUids(out, plan, props.context);
      const seen = new Set<string>();
      const kept = (e.attrs[k] as unknown[]).filter((v) => {
        const ref = (v as { __entity?: EntityUid }).__entity;
        if (!ref) return true;
        const rk = uidKey(ref);
        if (seen.has(rk) || !nameable!.has(rk)) return false;
        seen.add(rk);
        return true;
      });
      if (kept.length !== (e.attrs[k] as unknown[]).length) entity = { ...entity, attrs: { ...entity.attrs, [k]: kept } };
    }
    result.push(entity);
  }
  return result;
}

function nameableUids(slice: Map<string, Entity>, plan: ActionPlan, context: Record<string, unknown> | undefined): Set<string> {
  const names = new Set<string>(plan.literalUids);
  for (const [key, e] of slice) {
    names.add(key);
    for (const [k, v] of Object.entries(e.attrs)) {
      if (plan.trimmableSets.has(k)) continue;
      for (const r of referencedUids(v)) names.add(uidKey(r));
    }
  }
  if (context) for (const r of referencedUids(context)) names.add(uidKey(r));
  return names;
}
