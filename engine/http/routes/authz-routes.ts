import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { z } from 'zod';
import { toDecisionRecord, type DecisionLog } from '../../authz/decision-log.ts';
import { entitySchema, entityUidSchema, uidKey, type Entity, type EntityUid } from '../../authz/entity.ts';
import type { EntityStore } from '../../authz/entity-store.ts';
import type { AuthorizationRequest, PolicyDecisionPoint } from '../../authz/pdp.ts';
import { InputError, NotFoundError, UnavailableError } from '../../errors.ts';
import type { Metrics } from '../../metrics.ts';
import { defineRoute, type RouteDef } from '../route.ts';

export const authorizeRequestSchema = z
  .object({
    principal: entityUidSchema,
    action: z.object({ type: z.string().optional(), id: z.string().min(1).max(200) }),
    resource: entityUidSchema,
    context: z.record(z.string(), z.unknown()).optional(),
    entities: z.array(entitySchema).max(100).optional(),
  })
  .meta({ id: 'AuthorizeRequest' });

export const decisionResponseSchema = z
  .object({
    decision: z.enum(['allow', 'deny']),
    reasons: z.array(z.string()).meta({ description: 'The @id of each policy that determined the decision' }),
    errors: z.array(z.string()),
    decisionId: z.string(),
    policyHash: z.string(),
  })
  .meta({ id: 'Decision' });

const refId = (value: unknown): string | undefined => {
  const ref = (value as { __entity?: { id?: unknown } } | undefined)?.__entity;
  return typeof ref?.id === 'string' ? ref.id : undefined;
};

/** The PDP's request for an /v1/authorize body (the given entities add to or override the stored ones). */
export const toAuthorizationRequest = (b: z.infer<typeof authorizeRequestSchema>): AuthorizationRequest => ({
  principal: b.principal,
  action: { id: b.action.id },
  resource: b.resource,
  context: b.context,
  entities: b.entities as Entity[] | undefined,
});

/** Removes quoted values from Cedar's messages: an error body must not echo personal data sent in attributes. */
export function scrubCedarMessage(message: string): string {
  return message.replace(/`[^`]*"[^`]*`/g, '`…`').replace(/value `[^`]*`/g, 'value `…`');
}

export function authzRoutes(deps: {
  pdp: PolicyDecisionPoint;
  entityStore: EntityStore;
  decisionLog: DecisionLog;
  metrics: Metrics;
}): RouteDef[] {
  const { pdp, entityStore, decisionLog, metrics } = deps;

  async function decide(request: AuthorizationRequest, requestId: string, caller: string) {
    const decision = pdp.authorize(request);
    metrics.decisions.inc({ policy_set: 'platform', decision: decision.decision });
    metrics.decisionLatency.observe(decision.latencyUs / 1e6);
    let tenancy: { agencyId?: string; clientId?: string } | undefined;
    if (request.action.id === 'reveal_buyer_pii') {
      const override = request.entities?.find((e) => uidKey(e.uid) === uidKey(request.resource));
      const order = override ?? entityStore.get(request.resource);
      tenancy = { agencyId: refId(order?.attrs.agency), clientId: refId(order?.attrs.client) };
    }
    const record = toDecisionRecord({ request, decision, requestId, caller, tenancy });
    // Answer only once the decision is queued: an answered decision is a logged decision.
    await decisionLog.append(record);
    return { decision: decision.decision, reasons: decision.reasons, errors: decision.errors, decisionId: record.id, policyHash: decision.policyHash };
  }

  const toRequest = toAuthorizationRequest;

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
      handler: ({ body, requestId, key }) => decide(toRequest(body), requestId, key.id),
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
      handler: async ({ body, requestId, key }) => ({
        results: await Promise.all(body.requests.map((r) => decide(toRequest(r), requestId, key.id))),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/entities',
      summary: 'Bulk upsert of platform entities (Cedar entity JSON), validated against the platform schema.',
      tag: 'Entities',
      gate: { area: 'entities', action: 'write' },
      body: z.object({ entities: z.array(entitySchema).min(1).max(10_000) }),
      response: z.object({ upserted: z.number(), version: z.string() }),
      handler: async ({ body }) => {
        const entities = validateEntities(body.entities as Entity[], pdp);
        const { count, version } = await entityStore.upsert(entities);
        return { upserted: count, version };
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
        entities: z.array(z.object({ uid: z.object({ type: z.string(), id: z.string() }), attrs: z.record(z.string(), z.unknown()), parents: z.array(z.object({ type: z.string(), id: z.string() })) })),
        truncated: z.boolean().meta({ description: 'more entities match than were returned' }),
      }),
      handler: ({ query }) => {
        const prefix = query.q?.toLowerCase() ?? '';
        const matches: Entity[] = [];
        for (const e of entityStore.all(query.type)) if (!prefix || e.uid.id.toLowerCase().startsWith(prefix)) matches.push(e);
        matches.sort((a, b) => (a.uid.type === b.uid.type ? (a.uid.id < b.uid.id ? -1 : a.uid.id > b.uid.id ? 1 : 0) : a.uid.type < b.uid.type ? -1 : 1));
        return {
          entities: matches.slice(0, query.limit).map((e) => ({ uid: e.uid, attrs: e.attrs, parents: e.parents })),
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
  const schema = active.schema;
  const all = cedar.checkParseEntities({ entities: entities as cedar.Entities, schema });
  if (all.type === 'success') return entities.map((e) => active.schemaModel.normaliseEntity(e));
  const problems: Array<{ entity: string; message: string }> = [];
  for (const e of entities) {
    const one = cedar.checkParseEntities({ entities: [e] as cedar.Entities, schema });
    if (one.type === 'failure') {
      problems.push({ entity: `${e.uid.type}::${JSON.stringify(e.uid.id)}`, message: one.errors.map((x) => scrubCedarMessage(x.message)).join('; ') });
      if (problems.length >= 20) break;
    }
  }
  if (problems.length === 0) problems.push({ entity: '(set)', message: all.errors.map((x) => scrubCedarMessage(x.message)).join('; ') });
  throw new InputError(`${problems.length} entit${problems.length === 1 ? 'y does' : 'ies do'} not fit the platform schema; nothing was written.`, problems);
}
