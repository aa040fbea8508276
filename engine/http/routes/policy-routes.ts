import { z } from 'zod';
import type { PolicyStore } from '../../authz/policy-store.ts';
import { defineRoute, type RouteDef } from '../route.ts';

const name = z.enum(['platform', 'tenet']);
const source = z.object({
  name,
  policies: z.string().min(1).max(1_000_000),
  schema: z.string().min(1).max(1_000_000),
  comment: z.string().max(2000).optional(),
});

export function policyRoutes(deps: { policyStore: PolicyStore }): RouteDef[] {
  const { policyStore } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/policies',
      summary: 'The active policy sets (text and schema) and their version history.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'read' },
      handler: async () => ({
        policySets: await Promise.all(
          (['platform', 'tenet'] as const).map(async (n) => {
            const active = policyStore.active(n);
            return {
              name: n,
              hash: active.hash,
              policies: active.policies,
              schema: active.schema,
              policyIds: Object.keys(active.byId),
              versions: await policyStore.versions(n),
            };
          }),
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/policies/validate',
      summary: 'Validates a draft strictly against its schema and runs the decision tables. Stores nothing.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'read' },
      body: source,
      handler: async ({ body }) => (await policyStore.check({ name: body.name, policies: body.policies, schema: body.schema })).report,
    }),
    defineRoute({
      method: 'put',
      path: '/v1/policies',
      summary: 'Proposes a new version; it goes live only if it validates and every decision table passes (else 409 with the failing cases).',
      tag: 'Policies',
      gate: { area: 'policies', action: 'activate' },
      body: source,
      statuses: { 409: 'Rejected: validation errors or failing decision tables, in error.details' },
      handler: async ({ body, key }) =>
        policyStore.propose({ source: { name: body.name, policies: body.policies, schema: body.schema }, createdBy: `api-key:${key.id}`, comment: body.comment }),
    }),
  ];
}
