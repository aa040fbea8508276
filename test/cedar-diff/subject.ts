/**
 * The implementation under test: Tenet's evaluator, both its one-shot form (`evaluateOnce`) and the long-lived
 * one production uses (compile once, index once, `authorize` per request). One import point, so the harness
 * never compares cedar-wasm with itself by accident.
 */
import { authorize, compilePolicySet, createEntityIndex, evaluateOnce } from '../../engine/authz/evaluator/index.ts';
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
}

const answerOnly = ({ decision, reasons, errors }: CedarAnswer): CedarAnswer => ({ decision, reasons, errors });

export const tenetEvaluator: Subject = {
  prepare(input) {
    const set = compilePolicySet({ policies: input.policies, templateLinks: input.templateLinks, schema: input.schema });
    const index = createEntityIndex(set, input.entities);
    return (request, options) => answerOnly(authorize(set, index, request, { failClosed: options?.failClosed ?? false }));
  },
  evaluateOnce: (input, request) => answerOnly(evaluateOnce(input, request)),
};
