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
  /** Links of the templates in `policies` (per-tenant grants): each one a policy of its own, named `newId`. */
  links?: TemplateLink[];
}

/** A template link as Cedar has it: the template's id, the linked policy's id, and the value of each slot. */
export interface TemplateLink {
  templateId: string;
  newId: string;
  values: Partial<Record<'?principal' | '?resource', { type: string; id: string }>>;
}

/** A parsed policy set, compiled for Tenet's evaluator. */
export interface CompiledPolicySet extends PolicySetSource {
  hash: string;
  /**
   * policy id → policy text. A policy's id is its `@id("...")` annotation, which stays put when other policies are
   * added; a policy without one gets Cedar's positional id (`policy0`, `policy1`, … by its place in the text).
   */
  byId: Record<string, string>;
  /** template id → template text (a template decides nothing until it is linked) */
  templates: Record<string, string>;
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

/** The version's identity: schema, policies and (when there are any) the template links, in a canonical order. */
export function hashPolicySet(source: Pick<PolicySetSource, 'policies' | 'schema' | 'links'>): string {
  const hash = createHash('sha256').update(source.schema).update('\0').update(source.policies);
  if (source.links?.length) {
    const links = [...source.links]
      .sort((a, b) => (a.newId < b.newId ? -1 : a.newId > b.newId ? 1 : 0))
      .map((l) =>
        [l.newId, l.templateId, l.values['?principal'] ?? null, l.values['?resource'] ?? null].map((v) => (v && typeof v === 'object' ? [v.type, v.id] : v)),
      );
    hash.update('\0').update(JSON.stringify(links));
  }
  return hash.digest('hex');
}

/** The policy set as cedar-wasm takes it (validation). */
function cedarPolicySet(compiled: Pick<CompiledPolicySet, 'byId' | 'templates' | 'links'>): cedar.PolicySet {
  return { staticPolicies: compiled.byId, templates: compiled.templates, templateLinks: (compiled.links ?? []) as cedar.TemplateLink[] };
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
interface ParsedPolicies {
  parts: cedar.PolicySetTextToPartsAnswer;
  /** policyToJson of each policy, in the parts' order (empty when the parts do not parse). */
  json: cedar.PolicyToJsonAnswer[];
  /** templateToJson of each template, in the parts' order. */
  templateJson: cedar.PolicyToJsonAnswer[];
}

/**
 * Splits a policy text into policies keyed by their id: the `@id("...")` annotation where there is one (stable
 * when policies are inserted, so decisions and reports name it), else Cedar's positional id.
 * Parses with the deciding instance: for trusted text (shipped files, stored versions) and for text the sandbox
 * has already accepted. Callers' text goes through assessPolicySet.
 */
export function compilePolicySet(source: PolicySetSource): CompiledPolicySet {
  const parts = cedar.policySetTextToParts(source.policies);
  return compileParsedPolicySet(source, {
    parts,
    json: parts.type === 'success' ? parts.policies.map((p) => cedar.policyToJson(p)) : [],
    templateJson: parts.type === 'success' ? parts.policy_templates.map((p) => cedar.templateToJson(p)) : [],
  });
}

/** The policies of a parse keyed by id, with what keeps them from being usable. No Cedar call. */
function policiesById(
  source: PolicySetSource,
  parsed: ParsedPolicies,
): { byId: Record<string, string>; templates: Record<string, string>; problems: string[] } {
  const { parts } = parsed;
  if (parts.type === 'failure') throw new PolicySetError('The policies do not parse', messages(parts.errors));
  const jsonOf = new Map<string, cedar.PolicyToJsonAnswer | undefined>();
  const templateJsonOf = new Map<string, cedar.PolicyToJsonAnswer | undefined>();
  parts.policies.forEach((text, i) => jsonOf.set(text, parsed.json[i]));
  parts.policy_templates.forEach((text, i) => templateJsonOf.set(text, parsed.templateJson[i]));
  let located: ReturnType<typeof splitPolicyText>;
  try {
    located = splitPolicyText(source.policies, parts);
  } catch (error) {
    throw new PolicySetError('The policy set is not usable', [(error as Error).message]);
  }
  const byId: Record<string, string> = {};
  const templates: Record<string, string> = {};
  const problems: string[] = [];
  const ids = new Set<string>();
  located.forEach((part, index) => {
    const json = (part.template ? templateJsonOf : jsonOf).get(part.text);
    if (!json || json.type === 'failure') {
      problems.push(`${part.template ? 'template' : 'policy'} #${index + 1}: ${json ? messages(json.errors).join('; ') : 'not parsed'}`);
      return;
    }
    const id = json.json.annotations?.id ?? part.id;
    if (ids.has(id)) {
      problems.push(`policy id "${id}" is used by more than one policy`);
      return;
    }
    ids.add(id);
    (part.template ? templates : byId)[id] = part.text;
  });
  for (const link of source.links ?? []) {
    if (ids.has(link.newId)) problems.push(`policy id "${link.newId}" is used by more than one policy (a template link)`);
    else if (!Object.hasOwn(templates, link.templateId)) problems.push(`template link ${link.newId}: there is no template "${link.templateId}"`);
    ids.add(link.newId);
  }
  return { byId, templates, problems };
}

/** compilePolicySet over a parse already made: compiles the schema and every policy for the evaluator. */
function compileParsedPolicySet(source: PolicySetSource, parsed: ParsedPolicies): CompiledPolicySet {
  const { byId, templates, problems } = policiesById(source, parsed);
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
    evaluator = compileForEvaluator({
      policies: { ...byId, ...templates },
      templateLinks: source.links?.map((l) => ({ ...l, values: l.values as Record<string, { type: string; id: string }> })),
      schema,
    });
  } catch (error) {
    if (error instanceof UnsupportedPolicyError)
      throw new PolicySetError("The policy set uses Cedar that Tenet's evaluator does not support, so it cannot serve", [(error as Error).message]);
    if (error instanceof EvaluatorInputError || error instanceof SchemaError)
      throw new PolicySetError('The policy set is not usable', [(error as Error).message]);
    throw error;
  }
  const actionTypes = new Set([...(schema?.actions.values() ?? [])].map((a) => a.uid.type));
  return { ...source, hash: hashPolicySet(source), byId, templates, evaluator, actionTypes };
}

/**
 * A slot value must be an entity type some action takes in that place (Cedar's validator checks templates, not
 * the values they are linked with): a link that could never apply is refused rather than stored.
 */
function linkProblems(compiled: CompiledPolicySet): string[] {
  const schema = compiled.evaluator.schema;
  if (!schema) return [];
  const principals = new Set<string>();
  const resources = new Set<string>();
  for (const a of schema.actions.values()) {
    for (const t of a.principalTypes) principals.add(t);
    for (const t of a.resourceTypes) resources.add(t);
  }
  const out: string[] = [];
  for (const l of compiled.links ?? []) {
    for (const [slot, allowed] of [
      ['?principal', principals],
      ['?resource', resources],
    ] as const) {
      const v = l.values[slot];
      if (v && !allowed.has(v.type)) out.push(`template link ${l.newId}: ${slot} is a ${v.type}, which no action of the schema takes as its ${slot.slice(1)}`);
    }
  }
  return out;
}

export interface PolicyValidation {
  ok: boolean;
  errors: string[];
  warnings: string[];
}

function withLinkProblems(validation: PolicyValidation, compiled: CompiledPolicySet): PolicyValidation {
  const problems = linkProblems(compiled);
  return problems.length ? { ok: false, errors: [...validation.errors, ...problems], warnings: validation.warnings } : validation;
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
  return withLinkProblems(
    validationOf(cedar.validate({ schema: schema as cedar.Schema, policies: cedarPolicySet(compiled), validationSettings: { mode: 'strict' } })),
    compiled,
  );
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
    const converted =
      parts.type === 'success' && parts.policies.length + parts.policy_templates.length
        ? ((await sandbox.run([
            ...parts.policies.map((p): CedarCall => ({ fn: 'policyToJson', args: [p] })),
            ...parts.policy_templates.map((p): CedarCall => ({ fn: 'templateToJson', args: [p] })),
          ])) as cedar.PolicyToJsonAnswer[])
        : [];
    const statics = parts.type === 'success' ? parts.policies.length : 0;
    const parsed: ParsedPolicies = { parts, json: converted.slice(0, statics), templateJson: converted.slice(statics) };
    let found: ReturnType<typeof policiesById>;
    try {
      found = policiesById(source, parsed);
      // The same order of complaints as compilePolicySet: the policies' parse, the schema, then each policy.
      if (schemaJson.type === 'failure')
        throw new PolicySetError('The schema is not usable', [`schema does not parse: ${schemaJson.errors.map((e) => e.message).join('; ')}`]);
      if (found.problems.length) throw new PolicySetError('The policy set is not usable', found.problems);
    } catch (error) {
      return { validation: compileFailure(error) };
    }
    if (schemaCheck.type === 'failure') return { validation: { ok: false, errors: messages(schemaCheck.errors).map((m) => `schema: ${m}`), warnings: [] } };
    const [answer, ...each] = (await sandbox.run([
      { fn: 'validate', args: [{ schema, policies: cedarPolicySet({ ...found, links: source.links }), validationSettings: { mode: 'strict' } }] },
      // The evaluator's compiler parses each policy on its own in the deciding instance: let it fault here first.
      ...[...Object.values(found.byId), ...Object.values(found.templates)].map((text): CedarCall => ({ fn: 'policySetTextToParts', args: [text] })),
    ] as CedarCall[])) as [cedar.ValidationAnswer, ...cedar.PolicySetTextToPartsAnswer[]];
    const validation = validationOf(answer);
    if (!validation.ok) return { validation };
    const unparsed = each.find((p) => p.type === 'failure');
    if (unparsed?.type === 'failure') return { validation: { ok: false, errors: messages(unparsed.errors), warnings: validation.warnings } };
    try {
      const compiled = compileParsedPolicySet(source, parsed);
      const checked = withLinkProblems(validation, compiled);
      return checked.ok ? { validation: checked, compiled } : { validation: checked };
    } catch (error) {
      // Accepted by the sandbox, faulted here all the same (the sandbox is the first line, not a proof): the text is
      // rejected, and the deciding instance is being replaced with the active sets.
      if (error instanceof CedarFaultError)
        return { validation: { ok: false, errors: [`Cedar faulted on this text in the deciding instance (${error.fault}); it was replaced.`], warnings: [] } };
      return { validation: compileFailure(error) };
    }
  } catch (error) {
    if (error instanceof CedarSandboxError && (error.kind === 'fault' || error.kind === 'timeout')) {
      return { validation: { ok: false, errors: [error.message], warnings: [] } };
    }
    throw error;
  }
}
