import { createHash } from 'node:crypto';
import * as cedar from './cedar-runtime.ts';
import { CedarFaultError, CedarUnavailableError } from './cedar-runtime.ts';
import { CedarSandboxError, type CedarCall, type CedarSandbox } from './cedar-sandbox.ts';
import {
  compilePolicySet as compileForEvaluator,
  compileSchema,
  splitPolicyText,
  EvaluatorInputError,
  SchemaError,
  UnsupportedPolicyError,
  type CompiledPolicySet as EvaluatorPolicySet,
} from './evaluator/index.ts';

/**
 * A policy set as text: the Cedar policies and the schema they are validated against. The schema is Cedar schema
 * text or Cedar's JSON schema format (a text whose first character is `{`).
 */
export interface PolicySetSource {
  name: 'platform' | 'tenet';
  policies: string;
  schema: string;
}

/** A parsed policy set, compiled for Tenet's evaluator. */
export interface CompiledPolicySet extends PolicySetSource {
  hash: string;
  /**
   * policy id → policy text. A policy's id is its `@id("...")` annotation, which stays put when other policies are
   * added; a policy without one gets Cedar's positional id (`policy0`, `policy1`, … by its place in the text).
   */
  byId: Record<string, string>;
  /** The policies compiled into closures over the entity store (evaluator/), which every decision runs. */
  evaluator: EvaluatorPolicySet;
  /** The action entity types the schema declares (`Action`, `NS::Action`, ...). */
  actionTypes: ReadonlySet<string>;
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

/** The schema as Cedar takes it: text, or the object of a JSON schema. */
export function schemaInput(schema: string): string | Record<string, unknown> {
  if (!schema.trimStart().startsWith('{')) return schema;
  try {
    return JSON.parse(schema) as Record<string, unknown>;
  } catch (error) {
    throw new PolicySetError('The schema is not usable', [`the JSON schema does not parse: ${(error as Error).message}`]);
  }
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
 * Splits a policy text into policies keyed by their id: the `@id("...")` annotation where there is one (stable
 * when policies are inserted, so decisions and reports name it), else Cedar's positional id.
 * Parses with the deciding instance: for trusted text (shipped files, stored versions) and for text the sandbox
 * has already accepted. Callers' text goes through assessPolicySet.
 */
export function compilePolicySet(source: PolicySetSource): CompiledPolicySet {
  const parts = cedar.policySetTextToParts(source.policies);
  return compileParsedPolicySet(source, { parts, json: parts.type === 'success' ? parts.policies.map((p) => cedar.policyToJson(p)) : [] });
}

/** The policies of a parse keyed by id, with what keeps them from being usable. No Cedar call. */
function policiesById(source: PolicySetSource, parsed: ParsedPolicies): { byId: Record<string, string>; problems: string[] } {
  const { parts } = parsed;
  if (parts.type === 'failure') throw new PolicySetError('The policies do not parse', messages(parts.errors));
  if (parts.policy_templates.length > 0) {
    throw new PolicySetError('Templates are not supported in this policy set', [`${parts.policy_templates.length} template(s) found`]);
  }
  const jsonOf = new Map<string, cedar.PolicyToJsonAnswer | undefined>();
  parts.policies.forEach((text, i) => jsonOf.set(text, parsed.json[i]));
  let located: ReturnType<typeof splitPolicyText>;
  try {
    located = splitPolicyText(source.policies, parts);
  } catch (error) {
    throw new PolicySetError('The policy set is not usable', [(error as Error).message]);
  }
  const byId: Record<string, string> = {};
  const problems: string[] = [];
  located.forEach((part, index) => {
    const json = jsonOf.get(part.text);
    if (!json || json.type === 'failure') {
      problems.push(`policy #${index + 1}: ${json ? messages(json.errors).join('; ') : 'not parsed'}`);
      return;
    }
    const id = json.json.annotations?.id ?? part.id;
    if (Object.hasOwn(byId, id)) {
      problems.push(`policy id "${id}" is used by more than one policy`);
      return;
    }
    byId[id] = part.text;
  });
  return { byId, problems };
}

/** compilePolicySet over a parse already made: compiles the schema and every policy for the evaluator. */
export function compileParsedPolicySet(source: PolicySetSource, parsed: ParsedPolicies): CompiledPolicySet {
  const { byId, problems } = policiesById(source, parsed);
  let schema: EvaluatorPolicySet['schema'];
  try {
    schema = compileSchema(schemaInput(source.schema));
  } catch (error) {
    if (error instanceof CedarUnavailableError) throw error;
    if (error instanceof PolicySetError) throw error;
    throw new PolicySetError('The schema is not usable', [(error as Error).message]);
  }
  if (problems.length) throw new PolicySetError('The policy set is not usable', problems);
  let evaluator: EvaluatorPolicySet;
  try {
    evaluator = compileForEvaluator({ policies: byId, schema });
  } catch (error) {
    if (error instanceof UnsupportedPolicyError) throw new PolicySetError("The policy set uses Cedar that Tenet's evaluator does not support, so it cannot serve", [(error as Error).message]);
    if (error instanceof EvaluatorInputError || error instanceof SchemaError) throw new PolicySetError('The policy set is not usable', [(error as Error).message]);
    throw error;
  }
  const actionTypes = new Set([...(schema?.actions.values() ?? [])].map((a) => a.uid.type));
  return { ...source, hash: hashPolicySet(source), byId, evaluator, actionTypes };
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
  let schema: string | Record<string, unknown>;
  try {
    compiled = compilePolicySet(source);
    schema = schemaInput(source.schema);
  } catch (error) {
    return compileFailure(error);
  }
  const schemaCheck = cedar.checkParseSchema(schema as cedar.Schema);
  if (schemaCheck.type === 'failure') return { ok: false, errors: messages(schemaCheck.errors).map((m) => `schema: ${m}`), warnings: [] };
  return validationOf(cedar.validate({ schema: schema as cedar.Schema, policies: { staticPolicies: compiled.byId }, validationSettings: { mode: 'strict' } }));
}

/**
 * Validates callers' Cedar text (a draft, its schema) in the sandbox, and compiles it for the deciding instance
 * only if the sandbox accepted it: every Cedar call the deciding thread makes on it later (parse, schema, per-policy parse)
 * has then already run, on a smaller stack, in the sandbox. Same report as validatePolicySet. A text that faults
 * or outlasts the sandbox is reported invalid, with why; one that is too large, or a busy sandbox, throws
 * CedarSandboxError.
 */
export async function assessPolicySet(source: PolicySetSource, sandbox: CedarSandbox): Promise<{ validation: PolicyValidation; compiled?: CompiledPolicySet }> {
  try {
    let schema: string | Record<string, unknown>;
    try {
      schema = schemaInput(source.schema);
    } catch (error) {
      return { validation: compileFailure(error) };
    }
    const [schemaCheck, schemaJson, parts] = (await sandbox.run([
      { fn: 'checkParseSchema', args: [schema] },
      // What the evaluator's schema compiler will ask of the deciding instance.
      typeof schema === 'string' ? { fn: 'schemaToJson', args: [schema] } : { fn: 'checkParseSchema', args: [schema] },
      { fn: 'policySetTextToParts', args: [source.policies] },
    ] as CedarCall[])) as [cedar.CheckParseAnswer, cedar.SchemaToJsonAnswer | cedar.CheckParseAnswer, cedar.PolicySetTextToPartsAnswer];
    const json = parts.type === 'success' && parts.policies.length
      ? ((await sandbox.run(parts.policies.map((p): CedarCall => ({ fn: 'policyToJson', args: [p] })))) as cedar.PolicyToJsonAnswer[])
      : [];
    const parsed: ParsedPolicies = { parts, json };
    let byId: Record<string, string>;
    try {
      const found = policiesById(source, parsed);
      // The same order of complaints as compilePolicySet: the policies' parse, the schema, then each policy.
      if (schemaJson.type === 'failure') throw new PolicySetError('The schema is not usable', [`schema does not parse: ${schemaJson.errors.map((e) => e.message).join('; ')}`]);
      if (found.problems.length) throw new PolicySetError('The policy set is not usable', found.problems);
      byId = found.byId;
    } catch (error) {
      return { validation: compileFailure(error) };
    }
    if (schemaCheck.type === 'failure') return { validation: { ok: false, errors: messages(schemaCheck.errors).map((m) => `schema: ${m}`), warnings: [] } };
    const [answer, ...each] = (await sandbox.run([
      { fn: 'validate', args: [{ schema, policies: { staticPolicies: byId }, validationSettings: { mode: 'strict' } }] },
      // The evaluator's compiler parses each policy on its own in the deciding instance: let it fault here first.
      ...Object.values(byId).map((text): CedarCall => ({ fn: 'policySetTextToParts', args: [text] })),
    ] as CedarCall[])) as [cedar.ValidationAnswer, ...cedar.PolicySetTextToPartsAnswer[]];
    const validation = validationOf(answer);
    if (!validation.ok) return { validation };
    const unparsed = each.find((p) => p.type === 'failure');
    if (unparsed?.type === 'failure') return { validation: { ok: false, errors: messages(unparsed.errors), warnings: validation.warnings } };
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
