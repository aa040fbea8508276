import { uidKey, type Entity, type EntityUid } from './entity.ts';
import type { PlanCondition, PlanValue } from './plan.ts';

/** The keys (`uidKey`) of a stored entity's transitive ancestors: parents, their parents, and so on. */
export type AncestorsOf = (entity: Entity) => ReadonlySet<string>;

/**
 * Whether a plan's condition holds for one stored resource (of the planned type), read in memory as the SQL filter
 * of engine/client/plan-sql.ts reads the resource's row when the table holds the store: a column per attribute, the
 * resource's id, and its ancestors.
 *
 * - `eq` / `in`: the attribute equals the value (one of the values). An entity-valued attribute equals an entity
 *   `{type, id}` when type and id are the same; a primitive equals only the same primitive (`1` is not `"1"`). A
 *   missing attribute equals nothing (SQL's NULL, COALESCEd to false), so `not eq` holds for it.
 * - `is_in_set`: the attribute is a set (array) with an element equal to the value, as `eq` compares them.
 * - `id_in`: the resource's own id is listed (the planned type is the resource's).
 * - `has_ancestor`: the entity is among the resource's transitive ancestors (`resource in entity`).
 * - `and` of nothing holds, `or` of nothing does not; an unknown op throws, as the SQL helper refuses it.
 */
export function planMatches(condition: PlanCondition, resource: Entity, ancestorsOf: AncestorsOf): boolean {
  switch (condition.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return condition.args.every((c) => planMatches(c, resource, ancestorsOf));
    case 'or':
      return condition.args.some((c) => planMatches(c, resource, ancestorsOf));
    case 'not':
      return !planMatches(condition.arg, resource, ancestorsOf);
    case 'eq':
      return equals(attribute(resource, condition.attribute), condition.value);
    case 'in': {
      const v = attribute(resource, condition.attribute);
      return condition.values.some((x) => equals(v, x));
    }
    case 'is_in_set': {
      const v = attribute(resource, condition.attribute);
      return Array.isArray(v) && v.some((x) => equals(x, condition.value));
    }
    case 'id_in':
      return condition.ids.includes(resource.uid.id);
    case 'has_ancestor':
      return ancestorsOf(resource).has(uidKey(condition.entity));
    default:
      throw new Error(`unknown plan condition op ${JSON.stringify((condition as { op: unknown }).op)}`);
  }
}

/** Whether the condition names resources by id (`id_in`): then two resources with the same attributes can differ. */
export function conditionNamesIds(condition: PlanCondition): boolean {
  switch (condition.op) {
    case 'id_in':
      return true;
    case 'and':
    case 'or':
      return condition.args.some(conditionNamesIds);
    case 'not':
      return conditionNamesIds(condition.arg);
    default:
      return false;
  }
}

function attribute(resource: Entity, name: string): unknown {
  return Object.hasOwn(resource.attrs, name) ? resource.attrs[name] : undefined;
}

function equals(stored: unknown, value: PlanValue): boolean {
  if (typeof value !== 'object') return stored === value;
  const ref = entityRef(stored);
  return ref !== undefined && ref.type === value.type && ref.id === value.id;
}

/** An entity reference as the store may hold it: `{"__entity": {type, id}}`, or the implicit `{type, id}`. */
function entityRef(v: unknown): EntityUid | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const inner = (o.__entity ?? o) as Record<string, unknown>;
  return inner && typeof inner.type === 'string' && typeof inner.id === 'string' ? { type: inner.type, id: inner.id } : undefined;
}
