import { z } from 'zod';
import type { PolicyDecisionPoint } from '../../authz/pdp.ts';
import { CedarUnavailableError } from '../../authz/cedar-runtime.ts';
import { CedarSandboxError, type CedarSandbox } from '../../authz/cedar-sandbox.ts';
import { assessPolicySet, type CompiledPolicySet } from '../../authz/policy-set.ts';
import type { PolicyStore } from '../../authz/policy-store.ts';
import { entityUidSchema } from '../../authz/entity.ts';
import { InputError, UnavailableError } from '../../kernel/errors.ts';
import { actor, defineRoute, type RouteDef } from '../route.ts';
import { authorizeRequestSchema, toAuthorizationRequest } from './authz-routes.ts';

const name = z.enum(['platform', 'tenet']);
const source = z.object({
  name,
  policies: z.string().min(1).max(1_000_000),
  schema: z.string().min(1).max(1_000_000),
  comment: z.string().max(2000).optional(),
});

const policyLink = z
  .object({
    name,
    id: z.string().meta({ description: 'The linked policy’s id: decisions name it in `reasons`' }),
    templateId: z.string(),
    values: z.object({ principal: entityUidSchema.optional(), resource: entityUidSchema.optional() }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'PolicyLink' });

const versionSchema = z
  .object({
    name,
    version: z.number(),
    hash: z.string(),
    status: z.enum(['active', 'superseded', 'rejected']),
    createdAt: z.string(),
    createdBy: z.string(),
    comment: z.string().nullable(),
  })
  .meta({ id: 'PolicyVersion' });

const checkReportSchema = z
  .object({
    ok: z.boolean(),
    hash: z.string().optional().meta({ description: 'absent when the text does not compile' }),
    validation: z.object({ ok: z.boolean(), errors: z.array(z.string()), warnings: z.array(z.string()) }),
    tables: z
      .object({
        passed: z.number(),
        failed: z.array(
          z.object({ file: z.string(), name: z.string(), expected: z.string(), actual: z.string(), reasons: z.array(z.string()), errors: z.array(z.string()) }),
        ),
      })
      .optional()
      .meta({ description: 'the decision tables, when the text validated' }),
  })
  .meta({ id: 'PolicyCheckReport' });

const linkBody = z
  .object({
    name,
    templateId: z.string().min(1).max(200),
    newId: z
      .string()
      .regex(/^[A-Za-z0-9._:@~-]{1,200}$/)
      .optional()
      .meta({
        description:
          'The link’s id (letters, digits and . _ : @ ~ -). Default: `template:principal id:resource id`, each part kept to those characters, with a short hash of the exact values appended when any part had others.',
      }),
    values: z
      .object({ principal: entityUidSchema.optional(), resource: entityUidSchema.optional() })
      .meta({ description: 'The value of each of the template’s slots (?principal, ?resource): exactly those it has' }),
  })
  .meta({ id: 'PolicyLinkRequest' });

export function policyRoutes(deps: { policyStore: PolicyStore }): RouteDef[] {
  const { policyStore } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/policies',
      summary: 'The active policy sets (text and schema) and their version history.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'read' },
      response: z.object({
        policySets: z.array(
          z.object({
            name,
            hash: z.string(),
            policies: z.string(),
            schema: z.string(),
            policyIds: z.array(z.string()),
            templateIds: z.array(z.string()),
            links: z.number().meta({ description: 'how many live template links' }),
            versions: z.array(versionSchema),
          }),
        ),
      }),
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
              templateIds: Object.keys(active.templates),
              links: (active.links ?? []).length,
              versions: await policyStore.versions(n),
            };
          }),
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/policies/links',
      summary: 'The live template links (per-tenant grants) of a policy set, oldest first.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'read' },
      query: z.object({ name: name.default('platform') }),
      response: z.object({ links: z.array(policyLink) }),
      handler: async ({ query }) => ({ links: await policyStore.links(query.name) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/policies/links',
      summary:
        'Links a template of the active version (a per-tenant grant), without a new version. The set it makes must validate strictly and pass every decision table; it serves at once on this replica, on the others within seconds.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'activate' },
      body: linkBody,
      response: policyLink,
      statuses: {
        201: 'Linked',
        400: 'No such template, a missing or extra slot value, a value of a type no action takes, a link id in use, or a failing decision table',
        503: 'The Cedar sandbox is busy, or the deciding instance is being replaced',
      },
      handler: async ({ body, key, res }) => {
        const link = await policyStore.addLink({
          name: body.name,
          link: { templateId: body.templateId, newId: body.newId, values: body.values },
          createdBy: actor(key),
        });
        res.status(201);
        return link;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/policies/links/:name/:id',
      summary: 'Removes a template link: its grant stops at once on this replica, on the others within seconds.',
      tag: 'Policies',
      gate: { area: 'policies', action: 'activate' },
      params: z.object({ name, id: z.string().min(1).max(200) }),
      statuses: { 204: 'Removed', 404: 'No live link with this id' },
      response: 'none',
      handler: async ({ params, key, res }) => {
        await policyStore.removeLink({ name: params.name, id: params.id, removedBy: actor(key) });
        res.status(204);
        return undefined;
      },
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
      response: checkReportSchema,
      // Judged as a proposal would be: with the set's live template links.
      handler: async ({ body }) =>
        (await policyStore.check({ name: body.name, policies: body.policies, schema: body.schema, links: await policyStore.templateLinks(body.name) })).report,
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
      response: z.object({ version: versionSchema, report: checkReportSchema }),
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
