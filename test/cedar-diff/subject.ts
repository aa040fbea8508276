/**
 * The implementation under test: Tenet's evaluator, its one-shot form (`evaluateOnce`) and its long-lived form
 * (compile once, index once, `authorize` per request), and the production decision path itself: the policy set
 * compiled as activation compiles it, the entities in an entity source the PDP follows as it follows the entity
 * store, and `PolicyDecisionPoint.authorizeWith`. One import point, so the harness never compares cedar-wasm with
 * itself by accident.
 */
import { authorize, compilePolicySet, createEntityIndex, evaluateOnce, splitPolicyText } from '../../engine/authz/evaluator/index.ts';
import { entityFromCedarJson, MemoryEntitySource } from '../../engine/authz/entity-source.ts';
import { PolicyDecisionPoint } from '../../engine/authz/pdp.ts';
import { compilePolicySet as compileForActivation } from '../../engine/authz/policy-set.ts';
import type { CedarAnswer, CedarInput, CedarRequest } from '../../engine/authz/evaluator/index.ts';

export { authorize, compilePolicySet, createEntityIndex, evaluateOnce };
export type { CedarAnswer, CedarInput, CedarRequest, CedarUid, EvaluatorOptions } from '../../engine/authz/evaluator/index.ts';

/** What the harness asks: both entry points. A test of the harness itself passes a deliberately wrong one. */
export interface Subject {
  /**
   * Compiles the policy set and indexes the entities once (may throw: input refused); answers per request, Cedar
   * exactly unless `failClosed` (Tenet's rule: a forbid that errors denies).
   */
  prepare(input: CedarInput): (request: CedarRequest, options?: { failClosed: boolean }) => CedarAnswer;
  evaluateOnce(input: CedarInput, request: CedarRequest): CedarAnswer;
  /**
   * The production decision path over the same input (always Tenet's rule: a forbid that errors denies). A
   * request it cannot decide at all (one the schema refuses) throws, as cedar-wasm refuses it.
   */
  production?(input: CedarInput): (request: CedarRequest) => CedarAnswer;
}

const answerOnly = ({ decision, reasons, errors }: CedarAnswer): CedarAnswer => ({ decision, reasons, errors });

export const tenetEvaluator: Subject = {
  prepare(input) {
    const set = compilePolicySet({ policies: input.policies, templateLinks: input.templateLinks, schema: input.schema });
    const index = createEntityIndex(set, input.entities);
    return (request, options) => answerOnly(authorize(set, index, request, { failClosed: options?.failClosed ?? false }));
  },
  evaluateOnce: (input, request) => answerOnly(evaluateOnce(input, request)),
  production(input) {
    const setSource = {
      name: 'platform' as const,
      policies: input.policies,
      schema: typeof input.schema === 'string' ? input.schema : JSON.stringify(input.schema),
    };
    // Tenet names a template by its @id where it has one (Cedar by its place in the text): links name it so too.
    const bare = compileForActivation(setSource);
    // Tenet keeps each kind's policies in text order, so the n-th static (template) of the text is the n-th key of
    // byId (templates), whatever the texts (two policies may be written identically).
    const statics = Object.keys(bare.byId);
    const templates = Object.keys(bare.templates);
    const tenetId = new Map(splitPolicyText(input.policies).map((p) => [p.id, (p.template ? templates : statics).shift() ?? p.id]));
    const links = input.templateLinks?.map((l) => ({ ...l, templateId: tenetId.get(l.templateId) ?? l.templateId }));
    const policy = links?.length ? compileForActivation({ ...setSource, links }) : bare;
    const source = new MemoryEntitySource(input.entities.map(entityFromCedarJson));
    if (source.size !== input.entities.length) throw new Error('an entity is given more than once');
    const pdp = new PolicyDecisionPoint({ name: 'differential', actionType: 'Action', entities: source });
    pdp.activate(policy);
    if (pdp.refusedEntities.size) throw new Error(`entities the schema refuses: ${[...pdp.refusedEntities.values()][0]}`);
    // Decisions name a policy by its @id where it has one; Cedar names it by its place in the text.
    const positional = new Map([...tenetId].map(([cedar, tenet]) => [tenet, cedar]));
    const cedarId = (id: string) => positional.get(id) ?? id;
    return (request) => {
      const d = pdp.authorizeWith(policy, { principal: request.principal, action: request.action, resource: request.resource, context: request.context });
      const errored = d.errors.map((e) => e.slice(0, e.indexOf(': ')));
      const unexplained = errored.filter((id) => !policy.evaluator.ids.includes(id) && !(input.templateLinks ?? []).some((l) => l.newId === id));
      if (unexplained.length) throw new Error(d.errors.join('; '));
      return { decision: d.decision, reasons: d.reasons.map(cedarId), errors: errored.map(cedarId) };
    };
  },
};
