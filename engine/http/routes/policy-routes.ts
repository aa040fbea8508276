import { z } from 'zod';
import type { PolicyDecisionPoint } from '../../authz/pdp.ts';
import { CedarUnavailableError } from '../../authz/cedar-runtime.ts';
import { CedarSandboxError, type CedarSandbox } from '../../authz/cedar-sandbox.ts';
import { assessPolicySet, type CompiledPolicySet } from '../../authz/policy-set.ts';
import type { PolicyStore } from '../../authz/policy-store.ts';
import { InputError, UnavailableError } from '../../errors.ts';
import { actor, defineRoute, type RouteDef } from '../route.ts';
import { authorizeRequestSchema, toAuthorizationRequest } from './authz-routes.ts';

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
      summary:
        'Validates a draft strictly against its schema (in the Cedar sandbox, never in the deciding instance) and runs the decision tables. Stores nothing.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'read' },
      body: source,
      statuses: { 503: 'The Cedar sandbox is busy with other drafts, or the deciding instance is being replaced' },
      handler: async ({ body }) => (await policyStore.check({ name: body.name, policies: body.policies, schema: body.schema })).report,
    }),
    defineRoute({
      method: 'put',
      path: '/v1/policies',
      summary: 'Proposes a new version; it goes live only if it validates and every decision table passes (else 409 with the failing cases).',
      tag: 'Policies',
      gate: { area: 'policies', action: 'activate' },
      body: source,
      statuses: {
        409: 'Rejected: validation errors (including text that faults Cedar) or failing decision tables, in error.details',
        503: 'The Cedar sandbox is busy with other drafts, or the deciding instance is being replaced',
      },
      handler: async ({ body, key }) =>
        policyStore.propose({ source: { name: body.name, policies: body.policies, schema: body.schema }, createdBy: actor(key), comment: body.comment }),
    }),
  ];
}

/**
 * The policy playground: a request decided by the platform PDP (stored entities plus the given ones, as
 * /v1/authorize does) with the active set or a draft, answered with each deciding policy's Cedar text. Nothing is
 * written to the decision log. Mounted by authzRoutes, which holds the platform PDP.
 */
export function policyTryRoutes(deps: { pdp: PolicyDecisionPoint; sandbox: CedarSandbox }): RouteDef[] {
  const { pdp, sandbox } = deps;
  const body = z
    .object({
      ...authorizeRequestSchema.shape,
      policies: z.string().min(1).max(1_000_000).optional().meta({ description: 'A draft of the platform policies; default: the active set' }),
    })
    .meta({ id: 'PolicyTryRequest' });
  const response = z
    .object({
      decision: z.enum(['allow', 'deny']),
      reasons: z.array(z.object({ id: z.string(), effect: z.enum(['permit', 'forbid']), text: z.string().meta({ description: 'The policy’s Cedar source' }) })),
      errors: z.array(z.string()),
      diagnostics: z.string().optional(),
      policyHash: z.string(),
      draft: z.boolean(),
    })
    .meta({ id: 'PolicyTryResult' });
  return [
    defineRoute({
      method: 'post',
      path: '/v1/policies/try',
      summary:
        'Decides a request with the active platform policies, or with a draft (validated against the active platform schema), over the stored entities plus the given ones; answers with the deciding policies’ text. Not logged.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'read' },
      body,
      response,
      statuses: { 503: 'no active platform policy set, or the Cedar sandbox is busy' },
      handler: async ({ body: b }) => {
        const active = pdp.active;
        if (!active) throw new UnavailableError('No active platform policy set.');
        let set: CompiledPolicySet = active;
        let warnings: string[] = [];
        if (b.policies !== undefined) {
          const source = { name: 'platform' as const, policies: b.policies, schema: active.schema };
          // A draft is a caller's Cedar text: parsed and validated in the sandbox, never first in the deciding instance.
          let assessed: Awaited<ReturnType<typeof assessPolicySet>>;
          try {
            assessed = await assessPolicySet(source, sandbox);
          } catch (error) {
            if (error instanceof CedarSandboxError && error.kind === 'too_large') throw new InputError(error.message);
            if (error instanceof CedarSandboxError || error instanceof CedarUnavailableError) throw new UnavailableError(error.message);
            throw error;
          }
          const { validation, compiled } = assessed;
          if (!validation.ok || !compiled) {
            const shown = validation.errors.slice(0, 20);
            throw new InputError(
              `The draft policies are not usable with the active platform schema: ${shown.join('; ')}${validation.errors.length > shown.length ? ` (and ${validation.errors.length - shown.length} more)` : ''}`,
              { errors: validation.errors },
            );
          }
          set = compiled;
          warnings = validation.warnings;
        }
        const request = toAuthorizationRequest(b, set);
        const decision = set === active ? pdp.authorize(request) : pdp.authorizeWith(set, request);
        const notes = [
          `Decided with the ${set === active ? 'active' : 'draft'} platform policy set ${set.hash.slice(0, 12)} over entity version ${decision.entityVersion}${request.entities?.length ? ` plus ${request.entities.length} given entit${request.entities.length === 1 ? 'y' : 'ies'}` : ''}; not written to the decision log.`,
          ...warnings.map((w) => `warning: ${w}`),
        ];
        return {
          decision: decision.decision,
          reasons: decision.reasons.map((id) => ({
            id,
            effect: set.evaluator.policies.find((p) => p.id === id)?.effect === 'forbid' ? ('forbid' as const) : ('permit' as const),
            text: set.byId[id] ?? '',
          })),
          errors: decision.errors,
          diagnostics: notes.join('\n'),
          policyHash: decision.policyHash,
          draft: set !== active,
        };
      },
    }),
  ];
}
