/**
 * The implementation under test: Tenet's evaluator, both its one-shot form (`evaluateOnce`) and the long-lived
 * one production uses (compile once, index once, `authorize` per request). One import point, so the harness
 * never compares cedar-wasm with itself by accident.
 */
export { authorize, compilePolicySet, createEntityIndex, evaluateOnce } from '../../engine/authz/evaluator/index.ts';
export type {
  CedarAnswer, CedarInput, CedarRequest, CedarUid, CompiledPolicySet, EntityIndex, EvaluatorOptions,
} from '../../engine/authz/evaluator/index.ts';
