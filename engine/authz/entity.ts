import { z } from 'zod';

/** Cedar entity JSON, as app services send it and as the evaluator takes it. */
export const entityUidSchema = z.object({
  type: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/, 'must be a Cedar entity type name'),
  id: z.string().min(1).max(512),
});
export type EntityUid = z.infer<typeof entityUidSchema>;

export const entitySchema = z.object({
  uid: entityUidSchema,
  attrs: z.record(z.string(), z.unknown()).default({}),
  parents: z.array(entityUidSchema).max(1000).default([]),
  /**
   * Cedar entity tags: a map from tag name to a Cedar JSON value, read by policies with `hasTag` and `getTag`. The
   * schema declares one type for all tags of an entity type (`entity T tags String;`); a type without that
   * declaration takes no tags. Absent and `{}` mean the same: no tags.
   */
  tags: z.record(z.string(), z.unknown()).optional().meta({
    description:
      'Cedar entity tags: tag name → Cedar JSON value, read by policies with hasTag/getTag. Only for entity types whose schema declares tags (`entity T tags String;`), with values of the declared type; any other tag is refused as an undeclared attribute is. Absent when the entity has none.',
  }),
});
/** `tags` absent and `tags: {}` are the same entity; the store answers entities without tags with no `tags` key. */
export type Entity = { uid: EntityUid; attrs: Record<string, unknown>; parents: EntityUid[]; tags?: Record<string, unknown> };

export const uidKey = (uid: EntityUid): string => `${uid.type}::${JSON.stringify(uid.id)}`;

/**
 * The platform entity types the store owns for tenancy and posture: who belongs to which agency and client, in
 * which role, and what an integration is and whether it is ready. A decision reads them only from the store; an
 * authorization request may never supply one (not even one the store lacks), or it could rewrite its own tenancy.
 * Every type the platform schema allows as a parent is in this list (a test checks it), so an entity a request
 * adds can join the hierarchy below stored entities but can never become anybody's ancestor.
 */
export const OWNED_ENTITY_TYPES: ReadonlySet<string> = new Set(['Agency', 'Client', 'User', 'Role', 'Integration', 'Service']);

/** The entity as stored and answered: `tags` only when it has at least one (an empty map is no tags). */
export function withTags(entity: Omit<Entity, 'tags'>, tags: Record<string, unknown> | null | undefined): Entity {
  return tags && Object.keys(tags).length > 0 ? { ...entity, tags } : { uid: entity.uid, attrs: entity.attrs, parents: entity.parents };
}

/** The id an entity-reference attribute points at (`{"__entity": {type, id}}`), or undefined. */
export function refId(value: unknown): string | undefined {
  const ref = (value as { __entity?: { id?: unknown } } | null | undefined)?.__entity;
  return ref && typeof ref.id === 'string' ? ref.id : undefined;
}

/**
 * Entity references inside a Cedar JSON value (attributes or tags): `{"__entity": {type, id}}`, at any depth
 * (sets, records).
 */
export function referencedUids(value: unknown, out: EntityUid[] = []): EntityUid[] {
  if (Array.isArray(value)) {
    for (const v of value) referencedUids(v, out);
  } else if (value && typeof value === 'object') {
    const ref = (value as { __entity?: unknown }).__entity;
    if (ref && typeof ref === 'object' && 'type' in ref && 'id' in ref) {
      out.push({ type: String((ref as EntityUid).type), id: String((ref as EntityUid).id) });
    } else if (!('__extn' in value)) {
      for (const v of Object.values(value)) referencedUids(v, out);
    }
  }
  return out;
}
