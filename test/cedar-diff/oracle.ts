/**
 * The reference: cedar-wasm `isAuthorized` with the schema and every entity, its answer put in the evaluator's
 * shape. The policies are handed to cedar-wasm one by one, keyed by their ids (Cedar's positional ids for the
 * text, see World.policies), templates apart, with the links: cedar-wasm's own text parser takes no templates
 * together with links in one string.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { World } from './model.ts';
import { printPolicy } from './print.ts';
import type { CedarAnswer, CedarInput, CedarRequest } from './subject.ts';

export type Outcome = { kind: 'answer'; answer: CedarAnswer } | { kind: 'refused'; message: string };

/** The evaluator's input for a world: the whole policy text, as an operator would write it. */
export function evaluatorInput(w: World): CedarInput {
  return {
    policies: w.policies.map((p) => printPolicy(p.ast, w.model)).join('\n\n'),
    ...(w.links.length ? { templateLinks: w.links } : {}),
    schema: w.schema,
    entities: w.entities,
  };
}

/** cedar-wasm's policy set for a world. */
export function cedarPolicySet(w: World): cedar.PolicySet {
  const staticPolicies: Record<string, string> = {};
  const templates: Record<string, string> = {};
  for (const p of w.policies) (p.template ? templates : staticPolicies)[p.id] = printPolicy(p.ast, w.model);
  return { staticPolicies, templates, templateLinks: w.links };
}

export function cedarDecide(w: World, policies: cedar.PolicySet, request: CedarRequest): Outcome {
  const r = cedar.isAuthorized({
    principal: request.principal,
    action: request.action,
    resource: request.resource,
    context: request.context as cedar.Context,
    schema: w.schema as cedar.Schema,
    policies,
    entities: w.entities as cedar.Entities,
  });
  return answer(r);
}

function answer(r: cedar.AuthorizationAnswer): Outcome {
  if (r.type === 'failure') return { kind: 'refused', message: r.errors.map((e) => e.message).join('; ') };
  return {
    kind: 'answer',
    answer: {
      decision: r.response.decision,
      reasons: r.response.diagnostics.reason,
      errors: r.response.diagnostics.errors.map((e) => e.policyId),
    },
  };
}

let sessions = 0;

/**
 * cedar-wasm with the schema and the policy set parsed once (preparseSchema / preparsePolicySet) and
 * `statefulIsAuthorized` per request: the same evaluation as `isAuthorized`, without re-parsing. Falls back to
 * plain `isAuthorized` when either does not parse (then every call must report that failure).
 */
export function cedarSession(w: World, policies: cedar.PolicySet): (request: CedarRequest) => Outcome {
  // Names are reused round-robin: cedar-wasm keeps preparsed sets in a thread-local map for the process's life.
  const name = `cedar-diff-${sessions++ % 4}`;
  const s = cedar.preparseSchema(name, w.schema as cedar.Schema);
  const p = cedar.preparsePolicySet(name, policies);
  if (s.type !== 'success' || p.type !== 'success') return (request) => cedarDecide(w, policies, request);
  return (request) =>
    answer(
      cedar.statefulIsAuthorized({
        principal: request.principal,
        action: request.action,
        resource: request.resource,
        context: request.context as cedar.Context,
        preparsedSchemaName: name,
        preparsedPolicySetId: name,
        entities: w.entities as cedar.Entities,
      }),
    );
}
