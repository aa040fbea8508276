import { createHash } from 'node:crypto';
import * as cedar from './cedar-runtime.ts';
import { CedarFaultError, CedarUnavailableError, decidingCedar } from './cedar-runtime.ts';
import { CedarSandboxError, type CedarCall, type CedarSandbox } from './cedar-sandbox.ts';
import { uidKey } from './entity.ts';
import { SchemaModel } from './schema-model.ts';
import { buildActionPlan, type ActionPlan, type PolicyJsonLike } from './action-plan.ts';

/** A policy set as text: the Cedar policies and the schema they are validated against. */
export interface PolicySetSource {
  name: 'platform' | 'tenet';
  policies: string;
  schema: string;
}

/** A parsed policy set, ready to preparse: policies keyed by their stable `@id`. */
export interface CompiledPolicySet extends PolicySetSource {
  hash: string;
  /** policy id → policy text */
  byId: Record<string, string>;
  /** The parsed form of each policy (for per-action plans). */
  policyJson: Record<string, PolicyJsonLike>;
  /** Per-action plans, built on first use (see action-plan.ts). */
  plans: Map<string, ActionPlan>;
  /**
   * Set-of-entity attributes the policies only ever test membership in (`s.contains(x)`, `s.containsAny(..)`,
   * `s.containsAll(..)`, `x in s`): their elements can be cut down to the entities a request can name.
   */
  trimmableSets: Set<string>;
  /** Entity uids written literally in the policies (`Integration::"apollo"`), keys as uidKey makes them. */
  literalUids: Set<string>;
  schemaModel: SchemaModel;
}

export class PolicySetError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message + (problems.length ? ':\n  ' + problems.join('\n  ') : ''));
    this.name = 'PolicySetError';
  }
}

export function hashPolicySet(source: Pick<PolicySetSource, 'policies' | 'schema'>): string {
  return createHash('sha256').update(source.schema).update('\0').update(source.policies).digest('hex');
}

function messages(errors: Array<{ message: string; help?: string | null }>): string[] {
  return errors.map((e) => (e.help ? `${e.message} (${e.help})` : e.message));
}

/** A policy text as Cedar parsed it (in whichever instance: the deciding one, or the sandbox for callers' text). */
export interface ParsedPolicies {
  parts: cedar.PolicySetTextToPartsAnswer;
  /** policyToJson of each part, in order (empty when the parts do not parse). */
  json: cedar.PolicyToJsonAnswer[];
}

/**
 * Splits a policy text into policies keyed by their `@id("...")` annotation. Cedar itself would name them
 * policy0, policy1, ...: names that change when a policy is inserted. Decisions report these stable ids instead.
 * Parses with the deciding instance: for trusted text (shipped files, stored versions) and for text the sandbox
 * has already accepted. Callers' text goes through assessPolicySet.
 */
export function compilePolicySet(source: PolicySetSource): CompiledPolicySet {
  const parts = cedar.policySetTextToParts(source.policies);
  return compileParsedPolicySet(source, { parts, json: parts.type === 'success' ? parts.policies.map((p) => cedar.policyToJson(p)) : [] });
}

/** The policies of a parse keyed by `@id`, with what keeps them from being usable. No Cedar call. */
function policiesById(parsed: ParsedPolicies): { byId: Record<string, string>; policyJson: Record<string, PolicyJsonLike>; problems: string[] } {
  const { parts } = parsed;
  if (parts.type === 'failure') throw new PolicySetError('The policies do not parse', messages(parts.errors));
  if (parts.policy_templates.length > 0) {
    throw new PolicySetError('Templates are not supported in this policy set', [`${parts.policy_templates.length} template(s) found`]);
  }
  const byId: Record<string, string> = {};
  const policyJson: Record<string, PolicyJsonLike> = {};
  const problems: string[] = [];
  parts.policies.forEach((text, index) => {
    const json = parsed.json[index];
    if (!json || json.type === 'failure') {
      problems.push(`policy #${index + 1}: ${json ? messages(json.errors).join('; ') : 'not parsed'}`);
      return;
    }
    const id = json.json.annotations?.id;
    if (!id) {
      problems.push(`policy #${index + 1} has no @id("...") annotation: decisions could not name it`);
      return;
    }
    if (byId[id]) {
      problems.push(`@id("${id}") is used by more than one policy`);
      return;
    }
    byId[id] = text;
    policyJson[id] = json.json as unknown as PolicyJsonLike;
  });
  return { byId, policyJson, problems };
}

/** compilePolicySet over a parse already made. Builds the schema model (one schema parse in the deciding instance). */
export function compileParsedPolicySet(source: PolicySetSource, parsed: ParsedPolicies): CompiledPolicySet {
  const { byId, policyJson, problems } = policiesById(parsed);
  let schemaModel: SchemaModel;
  try {
    schemaModel = new SchemaModel(source.schema);
  } catch (error) {
    if (error instanceof CedarUnavailableError) throw error;
    throw new PolicySetError('The schema is not usable', [(error as Error).message]);
  }
  if (problems.length) throw new PolicySetError('The policy set is not usable', problems);
  const setAttributes = schemaModel.entitySetAttributes();
  const unsafeSets = new Set<string>();
  const literalUids = new Set<string>();
  for (const json of Object.values(policyJson)) {
    collectSetUse((json as unknown as { conditions: unknown }).conditions, setAttributes, unsafeSets);
    collectLiteralUids(json, literalUids);
  }
  const trimmableSets = new Set([...setAttributes].filter((a) => !unsafeSets.has(a)));
  return { ...source, hash: hashPolicySet(source), byId, policyJson, plans: new Map(), trimmableSets, literalUids, schemaModel };
}

/** True if `expr` reads any of `attrs` anywhere inside it. */
function mentions(expr: unknown, attrs: Set<string>): boolean {
  if (Array.isArray(expr)) return expr.some((e) => mentions(e, attrs));
  if (!expr || typeof expr !== 'object') return false;
  for (const [k, v] of Object.entries(expr)) {
    if (k === '.' && v && typeof v === 'object' && attrs.has(String((v as { attr: string }).attr))) return true;
    if (mentions(v, attrs)) return true;
  }
  return false;
}

/**
 * Marks set attributes used where their whole content matters: equality, emptiness, or as the argument of
 * containsAll / containsAny (a smaller argument would make those easier to satisfy).
 */
function collectSetUse(node: unknown, setAttrs: Set<string>, unsafe: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectSetUse(n, setAttrs, unsafe);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    const operands: unknown[] = [];
    if ((k === '==' || k === '!=') && v && typeof v === 'object') operands.push((v as { left: unknown }).left, (v as { right: unknown }).right);
    if (k === 'isEmpty' && v && typeof v === 'object') operands.push((v as { arg: unknown }).arg);
    if ((k === 'containsAll' || k === 'containsAny') && v && typeof v === 'object') operands.push((v as { right: unknown }).right);
    for (const attr of setAttrs) if (operands.some((o) => mentions(o, new Set([attr])))) unsafe.add(attr);
    collectSetUse(v, setAttrs, unsafe);
  }
}

function collectLiteralUids(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectLiteralUids(n, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const ref = (node as { __entity?: { type?: unknown; id?: unknown } }).__entity;
  if (ref && typeof ref.type === 'string' && typeof ref.id === 'string') out.add(uidKey({ type: ref.type, id: ref.id }));
  if ('entity' in node) {
    const e = (node as { entity: unknown }).entity as { type?: unknown; id?: unknown } | undefined;
    if (e && typeof e.type === 'string' && typeof e.id === 'string') out.add(uidKey({ type: e.type, id: e.id }));
  }
  for (const v of Object.values(node)) collectLiteralUids(v, out);
}

export interface PolicyValidation {
  ok: boolean;
  errors: string[];
  warnings: string[];
}

/** The validation report of a compile failure. */
function compileFailure(error: unknown): PolicyValidation {
  if (error instanceof PolicySetError) return { ok: false, errors: error.problems.length ? error.problems : [error.message], warnings: [] };
  throw error;
}

/** Sorted: Cedar lists a policy's errors in hash-map order, which differs between instances (and runs). */
function validationOf(answer: cedar.ValidationAnswer): PolicyValidation {
  if (answer.type === 'failure') return { ok: false, errors: messages(answer.errors), warnings: [] };
  return {
    ok: answer.validationErrors.length === 0,
    errors: answer.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`).sort(),
    warnings: answer.validationWarnings.map((e) => `${e.policyId}: ${e.error.message}`).sort(),
  };
}

/**
 * Strict-mode validation of the policies against the schema, with readable messages, in the deciding instance:
 * for trusted text only (`tenet policy validate` on files). Callers' text goes through assessPolicySet.
 */
export function validatePolicySet(source: PolicySetSource): PolicyValidation {
  let compiled: CompiledPolicySet;
  try {
    compiled = compilePolicySet(source);
  } catch (error) {
    return compileFailure(error);
  }
  const schemaCheck = cedar.checkParseSchema(source.schema);
  if (schemaCheck.type === 'failure') return { ok: false, errors: messages(schemaCheck.errors).map((m) => `schema: ${m}`), warnings: [] };
  return validationOf(cedar.validate({ schema: source.schema, policies: { staticPolicies: compiled.byId }, validationSettings: { mode: 'strict' } }));
}

/**
 * Validates callers' Cedar text (a draft, its schema) in the sandbox, and compiles it for the deciding instance
 * only if the sandbox accepted it: every Cedar call the deciding thread makes on it later (parse, schema, preparse)
 * has then already run, on a smaller stack, in the sandbox. Same report as validatePolicySet. A text that faults
 * or outlasts the sandbox is reported invalid, with why; one that is too large, or a busy sandbox, throws
 * CedarSandboxError.
 */
export async function assessPolicySet(source: PolicySetSource, sandbox: CedarSandbox): Promise<{ validation: PolicyValidation; compiled?: CompiledPolicySet }> {
  try {
    const [schemaCheck, schemaJson, parts] = (await sandbox.run([
      { fn: 'checkParseSchema', args: [source.schema] },
      { fn: 'schemaToJsonWithResolvedTypes', args: [source.schema] },
      { fn: 'policySetTextToParts', args: [source.policies] },
    ])) as [cedar.CheckParseAnswer, cedar.SchemaToJsonWithResolvedTypesAnswer, cedar.PolicySetTextToPartsAnswer];
    const json = parts.type === 'success' && parts.policies.length
      ? ((await sandbox.run(parts.policies.map((p): CedarCall => ({ fn: 'policyToJson', args: [p] })))) as cedar.PolicyToJsonAnswer[])
      : [];
    const parsed: ParsedPolicies = { parts, json };
    let byId: Record<string, string>;
    try {
      const found = policiesById(parsed);
      // The same order of complaints as compilePolicySet: the policies' parse, the schema, then each policy.
      if (schemaJson.type === 'failure') throw new PolicySetError('The schema is not usable', [`schema does not parse: ${schemaJson.errors.map((e) => e.message).join('; ')}`]);
      if (found.problems.length) throw new PolicySetError('The policy set is not usable', found.problems);
      byId = found.byId;
    } catch (error) {
      return { validation: compileFailure(error) };
    }
    if (schemaCheck.type === 'failure') return { validation: { ok: false, errors: messages(schemaCheck.errors).map((m) => `schema: ${m}`), warnings: [] } };
    const [answer, preparsed] = (await sandbox.run([
      { fn: 'validate', args: [{ schema: source.schema, policies: { staticPolicies: byId }, validationSettings: { mode: 'strict' } }] },
      // The deciding instance will preparse this set at activation: let it fault here first, if it faults.
      { fn: 'preparsePolicySet', args: ['sandbox-candidate', { staticPolicies: byId }] },
    ])) as [cedar.ValidationAnswer, cedar.CheckParseAnswer];
    const validation = validationOf(answer);
    if (!validation.ok) return { validation };
    if (preparsed.type === 'failure') return { validation: { ok: false, errors: messages(preparsed.errors), warnings: validation.warnings } };
    try {
      return { validation, compiled: compileParsedPolicySet(source, parsed) };
    } catch (error) {
      // Accepted by the sandbox, faulted here all the same (the sandbox is the first line, not a proof): the text is
      // rejected, and the deciding instance is being replaced with the active sets.
      if (error instanceof CedarFaultError) return { validation: { ok: false, errors: [`Cedar faulted on this text in the deciding instance (${error.fault}); it was replaced.`], warnings: [] } };
      return { validation: compileFailure(error) };
    }
  } catch (error) {
    if (error instanceof CedarSandboxError && (error.kind === 'fault' || error.kind === 'timeout')) {
      return { validation: { ok: false, errors: [error.message], warnings: [] } };
    }
    throw error;
  }
}

/** The plan for one action of a compiled set: its policy subset (preparsed) and what it reads. Cached. */
export function actionPlan(compiled: CompiledPolicySet, actionType: string, actionId: string): ActionPlan {
  let plan = compiled.plans.get(actionId);
  if (plan && !decidingCedar.holds(plan.key)) {
    // Evicted from the deciding instance's list of sets to carry over (least recently used), so possibly missing
    // from a replacement instance: preparse it again (harmless if it is still there).
    const staticPolicies = Object.fromEntries(plan.policyIds.map((id) => [id, compiled.byId[id]]));
    const parsed = cedar.preparsePolicySet(plan.key, { staticPolicies });
    if (parsed.type === 'failure') throw new Error(`policy subset for ${actionId} does not parse: ${parsed.errors.map((e) => e.message).join('; ')}`);
  }
  if (!plan) {
    const policies: Record<string, { text: string; json: PolicyJsonLike }> = {};
    for (const [id, text] of Object.entries(compiled.byId)) policies[id] = { text, json: compiled.policyJson[id] };
    plan = buildActionPlan({
      hash: `${compiled.name}:${compiled.hash}`,
      actionType,
      actionId,
      policies,
      schema: compiled.schemaModel,
      trimmableSets: compiled.trimmableSets,
      literalUids: compiled.literalUids,
    });
    compiled.plans.set(actionId, plan);
  }
  return plan;
}
