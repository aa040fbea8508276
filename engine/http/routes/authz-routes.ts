import * as cedar from '../../authz/cedar-runtime.ts';
import { z } from 'zod';
import { type DecisionLog } from '../../authz/decision-log.ts';
import { toDecisionRecord } from '../../authz/decision-record.ts';
import { entitySchema, entityUidSchema, OWNED_ENTITY_TYPES, refId, uidKey, type Entity, type EntityUid } from '../../authz/entity.ts';
import type { EntityStore } from '../../authz/entity-store.ts';
import { normaliseEntityRefs } from '../../authz/entity-source.ts';
import { schemaInput } from '../../authz/policy-set.ts';
import type { AuthorizationRequest, PolicyDecisionPoint } from '../../authz/pdp.ts';
import { EntityConflictError, InputError, NotFoundError, UnavailableError } from '../../kernel/errors.ts';
import type { Metrics } from '../../kernel/metrics.ts';
import { redactMessage } from '../../scanner/redaction.ts';
import { defineRoute, type RouteDef } from '../route.ts';

/** The most entities `PUT /v1/entities` takes in one call. */
export const ENTITY_BATCH_MAX = 10_000;
/**
 * Its body limit: 8 MiB, room for 10,000 entities of ~840 bytes each as compact JSON. 10,000 realistic platform
 * entities (UUID agencies, clients and users, Amazon order ids, with their attributes and parents) measure
 * 3.9 MB (~390 bytes each; test/integration/entity-batch-limits.db.test.ts), so the limit is not what stops a
 * batch of 10,000.
 */
export const ENTITY_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * The context is part of every decision's cache key and of its evaluation: capped, so one caller's request cannot
 * hold megabytes of memory or echo a huge key back. Real contexts (mfa, purpose, fields, audience) are far smaller.
 */
const MAX_CONTEXT_CHARS = 16 * 1024;
const MAX_CONTEXT_KEY_CHARS = 200;

export const authorizeRequestSchema = z
  .object({
    principal: entityUidSchema,
    action: z.object({
      type: z.string().max(200).optional().meta({
        description:
          "An action type the platform schema declares (`Action`, or `NS::Action` in a namespaced schema), or absent for the schema's own; any other type is refused",
      }),
      id: z.string().min(1).max(200),
    }),
    resource: entityUidSchema,
    context: z
      .record(z.string().max(MAX_CONTEXT_KEY_CHARS), z.unknown())
      .optional()
      .refine((c) => c === undefined || JSON.stringify(c).length <= MAX_CONTEXT_CHARS, `must be at most ${MAX_CONTEXT_CHARS} characters as JSON`)
      .meta({ description: `Cedar context; keys of at most ${MAX_CONTEXT_KEY_CHARS} characters, at most ${MAX_CONTEXT_CHARS} characters as JSON` }),
    entities: z.array(entitySchema).max(100).optional().meta({
      description:
        'Entities for this request only, added to the stored ones: never one the store holds, never of a type the store owns (Agency, Client, User, Role, Integration, Service); else 400 entity_conflict',
    }),
  })
  .meta({ id: 'AuthorizeRequest' });

const decisionResponseSchema = z
  .object({
    decision: z.enum(['allow', 'deny']),
    reasons: z.array(z.string()).meta({ description: 'The @id of each policy that determined the decision' }),
    errors: z.array(z.string()),
    decisionId: z.string(),
    policyHash: z.string(),
    warnings: z.array(z.string()).optional().meta({
      description:
        'On a deny only, when there is something to say: the principal or resource is neither stored nor among the request entities (`principal User::"nobody" is not stored`)',
    }),
  })
  .meta({ id: 'Decision' });

/** An entity as the store answers it (Cedar entity JSON; `tags` only when it has some). */
const storedEntitySchema = z
  .object({
    uid: z.object({ type: z.string(), id: z.string() }),
    attrs: z.record(z.string(), z.unknown()),
    parents: z.array(z.object({ type: z.string(), id: z.string() })),
    tags: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'StoredEntity' });

/**
 * The PDP's request for an /v1/authorize body. `action.type` defaults to the active schema's action type (`Action`,
 * or `NS::Action` for a namespaced schema); a type the active schema does not declare is refused rather than
 * ignored: `Tenet::Action::"read"` must not be decided as `Action::"read"`.
 */
export const toAuthorizationRequest = (
  b: z.infer<typeof authorizeRequestSchema>,
  pdp: Pick<PolicyDecisionPoint, 'actionTypes'>,
  at = '',
): AuthorizationRequest => {
  const types = pdp.actionTypes;
  if (b.action.type !== undefined && !types.has(b.action.type)) {
    throw new InputError(
      `${at}action.type: the platform schema has no action type ${JSON.stringify(b.action.type)}; use ${[...types].map((t) => JSON.stringify(t)).join(' or ')} or leave it out.`,
    );
  }
  return {
    principal: b.principal,
    action: { type: b.action.type, id: b.action.id },
    resource: b.resource,
    context: b.context,
    entities: b.entities as Entity[] | undefined,
  };
};

/** A uid as an error body may name it: by the one redaction rule of error bodies and decision errors. */
const nameUid = (uid: EntityUid): string => redactMessage(uidKey(uid));

/**
 * Request entities may only add to the store: one whose uid the store holds, or of a type the store owns for
 * tenancy and posture (OWNED_ENTITY_TYPES), is refused with `entity_conflict`, naming the uid. Checked at the
 * request boundary, before any decision, so it holds whatever evaluates the request.
 */
function checkRequestEntities(entities: readonly Entity[] | undefined, store: Pick<EntityStore, 'get'>, at = ''): void {
  if (!entities?.length) return;
  const conflicts: Array<{ path: string; entity: string; reason: 'owned_type' | 'stored' }> = [];
  let why = '';
  entities.forEach((e, i) => {
    const owned = OWNED_ENTITY_TYPES.has(e.uid.type);
    if (!owned && !store.get(e.uid)) return;
    why ||= owned
      ? `${e.uid.type} entities come only from the store (tenancy and posture are Tenet's)`
      : 'the store holds it, and a request may only add entities, never replace one';
    conflicts.push({ path: `${at}entities.${i}`, entity: nameUid(e.uid), reason: owned ? 'owned_type' : 'stored' });
  });
  if (conflicts.length === 0) return;
  const first = conflicts[0];
  throw new EntityConflictError(
    `${first.path}: ${first.entity} cannot be supplied with a request: ${why}${conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''}. Push entities with PUT /v1/entities.`,
    conflicts.slice(0, 20),
  );
}

/** Removes quoted values from Cedar's messages: an error body must not echo personal data sent in attributes. */
function scrubCedarMessage(message: string): string {
  return message.replace(/`[^`]*"[^`]*`/g, '`…`').replace(/value `[^`]*`/g, 'value `…`');
}

export function authzRoutes(deps: { pdp: PolicyDecisionPoint; entityStore: EntityStore; decisionLog: DecisionLog; metrics: Metrics }): RouteDef[] {
  const { pdp, entityStore, decisionLog, metrics } = deps;

  async function decide(request: AuthorizationRequest, requestId: string, caller: string) {
    const decision = pdp.authorize(request);
    metrics.decisions.inc({ policy_set: 'platform', decision: decision.decision });
    metrics.decisionLatency.observe(decision.latencyUs / 1e6);
    let tenancy: { agencyId?: string; clientId?: string } | undefined;
    if (request.action.id === 'reveal_buyer_pii') {
      // The audit's tenancy is the store's, never a request entity's: an order the request supplied is recorded
      // with no agency or client (its claim is not evidence), and its decision lists it among the request entities.
      const order = entityStore.get(request.resource);
      tenancy = { agencyId: refId(order?.attrs.agency), clientId: refId(order?.attrs.client) };
    }
    const record = toDecisionRecord({ request, decision, requestId, caller, tenancy });
    // Answer only once the decision is queued: an answered decision is a logged decision.
    await decisionLog.append(record);
    return {
      decision: decision.decision,
      reasons: decision.reasons,
      errors: decision.errors,
      decisionId: record.id,
      policyHash: decision.policyHash,
      ...(decision.warnings ? { warnings: decision.warnings } : {}),
    };
  }

  /** The requests of one call, checked whole before any is decided: a refused call decides (and logs) nothing. */
  const toRequests = (bodies: Array<z.infer<typeof authorizeRequestSchema>>, batch: boolean): AuthorizationRequest[] =>
    bodies.map((b, i) => {
      const at = batch ? `requests.${i}.` : '';
      checkRequestEntities(b.entities as Entity[] | undefined, entityStore, at);
      return toAuthorizationRequest(b, pdp, at);
    });

  return [
    defineRoute({
      method: 'post',
      path: '/v1/authorize',
      summary: 'May this principal do this action on this resource? Deny by default; every decision is logged.',
      tag: 'Authorization',
      gate: { area: 'authorize', action: 'authorize' },
      hot: true,
      body: authorizeRequestSchema,
      response: decisionResponseSchema,
      statuses: { 400: 'Invalid request; `entity_conflict`: a request entity the store holds or owns' },
      handler: ({ body, requestId, key }) => decide(toRequests([body], false)[0], requestId, key.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/authorize/batch',
      summary: 'Up to 100 decisions in one call, answered in order.',
      tag: 'Authorization',
      gate: { area: 'authorize', action: 'authorize' },
      hot: true,
      body: z.object({ requests: z.array(authorizeRequestSchema).min(1).max(100) }),
      response: z.object({ results: z.array(decisionResponseSchema) }),
      statuses: { 400: 'Invalid request (the whole batch; nothing is decided); `entity_conflict`: a request entity the store holds or owns' },
      handler: async ({ body, requestId, key }) => ({
        results: await Promise.all(toRequests(body.requests, true).map((r) => decide(r, requestId, key.id))),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/entities',
      summary: 'Bulk upsert of platform entities (Cedar entity JSON), validated against the platform schema.',
      tag: 'Entities',
      gate: { area: 'entities', action: 'write' },
      body: z.object({ entities: z.array(entitySchema).min(1).max(ENTITY_BATCH_MAX) }),
      bodyLimit: { bytes: ENTITY_BATCH_BYTES, items: { field: 'entities', max: ENTITY_BATCH_MAX, noun: 'entities' } },
      statuses: {
        413: `More than ${ENTITY_BATCH_MAX.toLocaleString('en-US')} entities, or a body over ${ENTITY_BATCH_BYTES.toLocaleString('en-US')} bytes (8 MiB): the message names both limits; nothing is written`,
      },
      response: z.object({
        upserted: z.number(),
        version: z.string(),
        kept: z.array(z.string()).meta({
          description:
            "Attributes Tenet kept against the pushed value, as `Type::id.attr`: a configured integration's provider, restricted and ready; a status moving away from suspended (only an admin key lifts a suspension)",
        }),
      }),
      handler: async ({ body, key }) => {
        const entities = validateEntities(body.entities as Entity[], pdp);
        // Lifting an integration's suspension is an administrator's act; app services may only suspend.
        const { count, version, kept } = await entityStore.upsert(entities, { privileged: key.role === 'admin' });
        return { upserted: count, version, kept };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/entities',
      summary: 'Stored entities, by type and id prefix (case-insensitive), sorted by type and id: for pickers.',
      tag: 'Entities',
      gate: { area: 'entities', action: 'read' },
      query: z.object({
        type: entityUidSchema.shape.type.optional(),
        q: z.string().max(512).optional().meta({ description: 'id prefix' }),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: z.object({
        entities: z.array(storedEntitySchema),
        truncated: z.boolean().meta({ description: 'more entities match than were returned' }),
      }),
      handler: ({ query }) => {
        const prefix = query.q?.toLowerCase() ?? '';
        const matches: Entity[] = [];
        for (const e of entityStore.all(query.type)) if (!prefix || e.uid.id.toLowerCase().startsWith(prefix)) matches.push(e);
        matches.sort((a, b) => (a.uid.type === b.uid.type ? (a.uid.id < b.uid.id ? -1 : a.uid.id > b.uid.id ? 1 : 0) : a.uid.type < b.uid.type ? -1 : 1));
        return {
          entities: matches.slice(0, query.limit).map((e) => ({ uid: e.uid, attrs: e.attrs, parents: e.parents, ...(e.tags ? { tags: e.tags } : {}) })),
          truncated: matches.length > query.limit,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/entities/:type/:id',
      summary: 'One stored entity.',
      tag: 'Entities',
      gate: { area: 'entities', action: 'read' },
      params: z.object({ type: z.string(), id: z.string() }),
      response: storedEntitySchema,
      handler: ({ params }) => {
        const e = entityStore.get(params as EntityUid);
        if (!e) throw new NotFoundError('No such entity.');
        return e;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/entities/:type/:id',
      summary: 'Deletes one entity.',
      tag: 'Entities',
      gate: { area: 'entities', action: 'write' },
      params: z.object({ type: z.string(), id: z.string() }),
      statuses: { 204: 'Deleted', 404: 'No such entity' },
      response: 'none',
      handler: async ({ params, res }) => {
        if (!(await entityStore.remove(params as EntityUid))) throw new NotFoundError('No such entity.');
        res.status(204);
        return undefined;
      },
    }),
  ];
}

/**
 * Refuses the whole write if any entity does not fit the active schema, naming the entity (not its values).
 * Returns the entities with references in Cedar's `__entity` form, as the schema-less evaluator needs them.
 */
function validateEntities(entities: Entity[], pdp: PolicyDecisionPoint): Entity[] {
  const active = pdp.active;
  if (!active) throw new UnavailableError('No active platform policy set: entities cannot be validated.');
  const schema = schemaInput(active.schema) as cedar.Schema;
  const all = cedar.checkParseEntities({ entities: entities as cedar.Entities, schema });
  // Cedar's check is the reference; the evaluator's reading of each entity (what decisions will read) must agree.
  const problems: Array<{ entity: string; message: string }> = pdp
    .checkEntities(entities)
    .map((p) => ({ entity: nameUid(p.uid), message: redactMessage(scrubCedarMessage(p.message)) }));
  if (all.type === 'success' && problems.length === 0) return entities.map((e) => normaliseEntityRefs(e, active.evaluator.schema));
  const named = new Set(problems.map((p) => p.entity));
  for (const e of entities) {
    if (problems.length >= 20) break;
    // One entry per entity: the evaluator's complaint, else Cedar's.
    if (named.has(nameUid(e.uid))) continue;
    const one = cedar.checkParseEntities({ entities: [e] as cedar.Entities, schema });
    if (one.type === 'failure') problems.push({ entity: nameUid(e.uid), message: one.errors.map((x) => scrubCedarMessage(x.message)).join('; ') });
  }
  if (problems.length === 0 && all.type === 'failure')
    problems.push({ entity: '(set)', message: all.errors.map((x) => scrubCedarMessage(x.message)).join('; ') });
  throw new InputError(
    `${problems.length} entit${problems.length === 1 ? 'y does' : 'ies do'} not fit the platform schema; nothing was written.`,
    problems.slice(0, 20),
  );
}
