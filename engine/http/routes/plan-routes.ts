import { z } from 'zod';
import { entityUidSchema } from '../../authz/entity.ts';
import type { EntityStore } from '../../authz/entity-store.ts';
import type { PolicyDecisionPoint } from '../../authz/pdp.ts';
import { planWith } from '../../authz/plan.ts';
import type { PlanCondition } from '../../authz/plan.ts';
import { InputError } from '../../kernel/errors.ts';
import { defineRoute, type RouteDef } from '../route.ts';
import { authorizeRequestSchema } from './authz-routes.ts';

const planValueSchema = z.union([z.string(), z.number(), z.boolean(), z.object({ type: z.string(), id: z.string() })]).meta({ id: 'PlanValue' });

const planConditionSchema: z.ZodType<PlanCondition> = z
  .union([
    z.object({ op: z.literal('true') }),
    z.object({ op: z.literal('false') }),
    z.object({
      op: z.literal('and'),
      get args() {
        return z.array(planConditionSchema);
      },
    }),
    z.object({
      op: z.literal('or'),
      get args() {
        return z.array(planConditionSchema);
      },
    }),
    z.object({
      op: z.literal('not'),
      get arg() {
        return planConditionSchema;
      },
    }),
    z.object({ op: z.literal('eq'), attribute: z.string(), value: planValueSchema }),
    z.object({ op: z.literal('in'), attribute: z.string(), values: z.array(planValueSchema) }),
    z.object({ op: z.literal('is_in_set'), attribute: z.string(), value: planValueSchema }),
    z.object({ op: z.literal('id_in'), ids: z.array(z.string()) }),
    z.object({ op: z.literal('has_ancestor'), entity: z.object({ type: z.string(), id: z.string() }) }),
  ])
  .meta({
    id: 'PlanCondition',
    description:
      'A predicate over one resource: `eq` (attribute == value), `in` (attribute is one of values), `is_in_set` (value is an element of a set attribute), `id_in` (the resource is one of these ids), `has_ancestor` (resource in entity), `and`, `or`, `not`, `true`, `false`. Entity values are {type, id}.',
  });

const planRequestSchema = z
  .object({
    principal: entityUidSchema,
    action: authorizeRequestSchema.shape.action,
    resourceType: entityUidSchema.shape.type.meta({ description: 'The type of the resources to filter (e.g. `Order`)' }),
    context: authorizeRequestSchema.shape.context,
  })
  .meta({ id: 'PlanRequest' });

const planResponseSchema = z
  .object({
    kind: z.enum(['always_allowed', 'always_denied', 'conditional']),
    condition: planConditionSchema.optional().meta({ description: 'Present when `kind` is `conditional`: the resources it holds for are allowed' }),
    errors: z.array(z.string()),
    policyHash: z.string(),
  })
  .meta({ id: 'Plan' });

/** `POST /v1/authorize/plan`: which resources of a type may this principal act on (list filtering). */
export function planRoutes(deps: { pdp: PolicyDecisionPoint; entityStore: EntityStore }): RouteDef[] {
  const { pdp, entityStore } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/authorize/plan',
      summary:
        'Which resources of a type may this principal act on? Answers always_allowed, always_denied, or a condition over the resource attributes and ancestors to filter a list with (partial evaluation).',
      tag: 'Authorization',
      gate: { area: 'authorize', action: 'authorize' },
      body: planRequestSchema,
      response: planResponseSchema,
      statuses: { 400: 'Invalid request', 422: '`plan_unsupported`: the policies need what the condition language cannot express exactly' },
      handler: ({ body }) => {
        const types = pdp.actionTypes;
        if (body.action.type !== undefined && !types.has(body.action.type))
          throw new InputError(`action.type: the platform schema has no action type ${JSON.stringify(body.action.type)}.`);
        return planWith(pdp, entityStore, {
          principal: body.principal,
          action: { type: body.action.type, id: body.action.id },
          resourceType: body.resourceType,
          context: body.context,
        });
      },
    }),
  ];
}
