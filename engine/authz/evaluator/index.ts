/**
 * Tenet's Cedar evaluator: policies compiled once into closures, evaluated over an entity index in place.
 *
 * cedar-wasm stays the parser (policy text → Cedar's JSON policy format, schema text → JSON); everything after
 * that is here. `evaluateOnce` is the one-shot form (build everything, answer one request) that the differential
 * tests compare with cedar-wasm `isAuthorized`; `compilePolicySet` + `EntityIndex` + `authorize` is the long-lived
 * form: no slice, no copy, no JSON round trip per call.
 *
 * Policy ids follow cedar-wasm for policy text: positional `policy0`, `policy1`, … in the order the policies
 * and templates appear in the text (an `@id` annotation does not change the id). Tenet's PDP names policies by
 * their `@id`; `compilePolicySet(…, { ids: 'annotation' })` does that, and a record `{id: text}` keeps its keys.
 */
import * as cedar from '../cedar-runtime.ts';
import { compilePolicy, UnsupportedPolicyError, type CompiledPolicy, type Env } from './compile.ts';
import { EntityIndex, EntityOverlay, type EntityLookup, type StoredEntity } from './entity-index.ts';
import { EntityJsonError, recordFromJson } from './json-values.ts';
import { enumMismatch, typeMismatch } from './conformance.ts';
import { compileSchema, SchemaError, type CompiledSchema } from './schema.ts';
import { CedarEvalError, EntityRef, type CedarRecord } from './values.ts';

export { UnsupportedPolicyError, EntityIndex, EntityOverlay, EntityJsonError, SchemaError, compileSchema };
export type { EntityLookup, StoredEntity };

export interface CedarUid {
  type: string;
  id: string;
}
export interface CedarInput {
  /** Cedar policy text: static policies and templates (cedar-wasm parses it) */
  policies: string;
  /** links of the templates in `policies`: values for ?principal / ?resource */
  templateLinks?: Array<{ templateId: string; newId: string; values: Record<string, CedarUid> }>;
  /** Cedar schema text or Cedar JSON schema; absent = schema-less */
  schema?: string | Record<string, unknown>;
  /** Cedar entity JSON: {uid, attrs, parents, tags?}, __entity/__extn and (with a schema) implicit forms */
  entities: unknown[];
}
export interface CedarRequest {
  principal: CedarUid;
  action: CedarUid;
  resource: CedarUid;
  context: Record<string, unknown>;
}
/** errors: ids of the policies that errored */
export interface CedarAnswer {
  decision: 'allow' | 'deny';
  reasons: string[];
  errors: string[];
}
export interface EvaluatorOptions {
  /** false = Cedar exactly (default); true = Tenet: an erroring forbid denies */
  failClosed?: boolean;
  /**
   * With a schema, refuse (RequestValidationError) a request Cedar's request validation refuses: an undeclared
   * action, a principal or resource type outside its appliesTo, a context that does not conform. Default true,
   * as cedar-wasm `isAuthorized`.
   */
  validateRequest?: boolean;
}
/** The long-lived API's answer: the Cedar answer plus what each error was. */
export interface AuthorizeAnswer extends CedarAnswer {
  errorDetails: Array<{ policyId: string; message: string }>;
}

/** Thrown for input that cannot be evaluated at all (policy text or schema that does not parse, bad entity JSON). */
export class EvaluatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluatorInputError';
  }
}

/** A request the schema does not allow (Cedar refuses to answer it). */
export class RequestValidationError extends EvaluatorInputError {
  constructor(message: string) {
    super(message);
    this.name = 'RequestValidationError';
  }
}

export interface CompiledPolicySet {
  policies: CompiledPolicy[];
  /** every policy id, in the order Cedar numbers them (templates' ids included) */
  ids: string[];
  /** template id → its JSON, for links added later */
  templates: Map<string, Record<string, unknown>>;
  schema?: CompiledSchema;
}

export interface PolicySetSourceInput {
  /** policy text, or `{id: policy text}` (one policy or template per entry, as cedar-wasm's `staticPolicies` record) */
  policies: string | Record<string, string>;
  templateLinks?: CedarInput['templateLinks'];
  schema?: string | Record<string, unknown> | CompiledSchema;
}

export interface Part {
  id: string;
  text: string;
  template: boolean;
}

/**
 * Splits policy text into policies and templates with Cedar's positional ids. cedar-wasm hands the parts back
 * sorted by id (so `policy10` before `policy2`) and split by kind, as slices of the source text; their offsets
 * in the text give the positional order back, and the sort order cedar-wasm used is checked against it.
 */
export function splitPolicyText(text: string, parts: cedar.PolicySetTextToPartsAnswer = cedar.policySetTextToParts(text)): Part[] {
  if (parts.type === 'failure') throw new EvaluatorInputError(`the policies do not parse: ${parts.errors.map((e) => e.message).join('; ')}`);
  const located: Array<{ text: string; template: boolean; at: number }> = [];
  const all = [...parts.policies.map((t) => ({ text: t, template: false })), ...parts.policy_templates.map((t) => ({ text: t, template: true }))];
  // Longest first, each claiming a range no other part holds: a short policy's text can also occur inside a
  // longer one (an annotated copy), but never outside the policies.
  const claimed: Array<[number, number]> = [];
  const free = (at: number, end: number) => claimed.every(([a, b]) => end <= a || at >= b);
  for (const part of [...all].sort((a, b) => b.text.length - a.text.length)) {
    let at = text.indexOf(part.text);
    while (at >= 0 && !free(at, at + part.text.length)) at = text.indexOf(part.text, at + 1);
    if (at < 0) throw new UnsupportedPolicyError('cannot locate a policy in the text to give it its positional id');
    claimed.push([at, at + part.text.length]);
    located.push({ ...part, at });
  }
  located.sort((a, b) => a.at - b.at);
  const out = located.map((p, i) => ({ id: `policy${i}`, text: p.text, template: p.template }));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const statics = out.filter((p) => !p.template);
  const sorted = [...statics].sort((a, b) => cmp(a.id, b.id));
  // Identical texts may swap places harmlessly; anything else means the positional order was not recovered.
  if (sorted.some((p, i) => p.text !== parts.policies[i])) throw new UnsupportedPolicyError('positional policy ids could not be recovered from the text');
  return out;
}

/**
 * cedar-wasm hands policies back as JSON with integers as JavaScript numbers, which round anything beyond 2^53
 * (two different literals can even become the same number). So before conversion, each such literal in the text
 * is swapped for a unique string marker, and the compiler turns the marker back into the exact 64-bit value.
 * Only tokens outside string literals and comments are touched; the parser does not type-check, so a string in
 * the integer's place parses the same way.
 */
function protectBigIntegers(text: string): { text: string; markers: Map<string, bigint> } {
  const markers = new Map<string, bigint>();
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < text.length && /[0-9]/.test(text[j])) j++;
      const tok = text.slice(i, j);
      if (!Number.isSafeInteger(Number(tok))) {
        let marker = `#tenet-int-${markers.size}#`;
        // A marker must not be a string the policy itself holds.
        while (text.includes(marker)) marker += '#';
        markers.set(marker, BigInt(tok));
        out += text.slice(last, i) + `"${marker}"`;
        last = j;
      }
      i = j;
    } else i++;
  }
  return markers.size ? { text: out + text.slice(last), markers } : { text, markers };
}

function toJson(text: string, template: boolean, id: string): Record<string, unknown> {
  const answer = template ? cedar.templateToJson(text) : cedar.policyToJson(text);
  if (answer.type === 'failure') throw new EvaluatorInputError(`policy ${id} does not convert: ${answer.errors.map((e) => e.message).join('; ')}`);
  return answer.json as unknown as Record<string, unknown>;
}

const isCompiledSchema = (s: unknown): s is CompiledSchema => typeof s === 'object' && s !== null && (s as CompiledSchema).entityTypes instanceof Map;

/** Compiles a policy set (policies, templates and their links) once; throws UnsupportedPolicyError for what it cannot evaluate exactly. */
export function compilePolicySet(source: PolicySetSourceInput, options: { ids?: 'positional' | 'annotation' } = {}): CompiledPolicySet {
  const schema = source.schema === undefined ? undefined : isCompiledSchema(source.schema) ? source.schema : compileSchema(source.schema);
  let parts: Part[];
  if (typeof source.policies === 'string') parts = splitPolicyText(source.policies);
  else {
    parts = [];
    for (const [id, text] of Object.entries(source.policies)) {
      const split = cedar.policySetTextToParts(text);
      if (split.type === 'failure') throw new EvaluatorInputError(`policy ${id} does not parse: ${split.errors.map((e) => e.message).join('; ')}`);
      if (split.policies.length + split.policy_templates.length !== 1) throw new EvaluatorInputError(`entry ${id} must hold exactly one policy`);
      parts.push({ id, text, template: split.policy_templates.length === 1 });
    }
  }
  const policies: CompiledPolicy[] = [];
  const templates = new Map<string, Record<string, unknown>>();
  const ids: string[] = [];
  const seen = new Set<string>();
  const bigByTemplate = new Map<string, Map<string, bigint>>();
  for (const part of parts) {
    const protectedText = protectBigIntegers(part.text);
    const json = toJson(protectedText.text, part.template, part.id);
    let id = part.id;
    if (options.ids === 'annotation') {
      const annotated = (json.annotations as Record<string, string> | undefined)?.id;
      if (annotated) id = annotated;
    }
    if (seen.has(id)) throw new EvaluatorInputError(`policy id ${id} is used more than once`);
    seen.add(id);
    ids.push(id);
    const bigLiterals = protectedText.markers;
    if (part.template) {
      templates.set(id, json);
      bigByTemplate.set(id, bigLiterals);
    } else policies.push(compilePolicy(json, { policyId: id, slots: {}, bigLiterals }));
  }
  for (const link of source.templateLinks ?? []) {
    const json = templates.get(link.templateId);
    if (!json) throw new EvaluatorInputError(`template link ${link.newId}: no template ${link.templateId}`);
    if (seen.has(link.newId)) throw new EvaluatorInputError(`policy id ${link.newId} is used more than once`);
    seen.add(link.newId);
    const slots: Record<string, EntityRef> = {};
    for (const [k, v] of Object.entries(link.values)) slots[k.startsWith('?') ? k : `?${k}`] = new EntityRef(v.type, v.id);
    policies.push(compilePolicy(json, { policyId: link.newId, slots, bigLiterals: bigByTemplate.get(link.templateId)! }));
  }
  return { policies, ids, templates, schema };
}

/** Builds the entity index for a compiled set's schema. */
export function createEntityIndex(compiled: Pick<CompiledPolicySet, 'schema'>, entities: unknown[] = []): EntityIndex {
  return new EntityIndex({ schema: compiled.schema, entities });
}

export interface AuthorizeRequest {
  principal: CedarUid;
  action: CedarUid;
  resource: CedarUid;
  /** Cedar JSON (implicit forms read with the action's context type from the schema), or a record already parsed */
  context?: Record<string, unknown> | CedarRecord;
}

/** Parses a request context with the schema's context type for the action. */
function parseContext(compiled: Pick<CompiledPolicySet, 'schema'>, action: CedarUid, context: Record<string, unknown> | undefined): CedarRecord {
  if (!context) return new Map();
  const type = compiled.schema?.actions.get(new EntityRef(action.type, action.id).key)?.context;
  return recordFromJson(context, type?.k === 'Record' ? type.attrs : undefined);
}

/**
 * One decision, Cedar's way: allow iff some permit is satisfied and no forbid is; an erroring policy is skipped
 * and named in `errors`. With `failClosed` (Tenet), an erroring forbid denies: an error must not be able to turn
 * into an allow by silencing a forbid.
 */
export function authorize(compiled: CompiledPolicySet, index: EntityLookup, request: AuthorizeRequest, options: EvaluatorOptions = {}): AuthorizeAnswer {
  const context =
    request.context instanceof Map ? request.context : parseContext(compiled, request.action, request.context as Record<string, unknown> | undefined);
  const env: Env = {
    principal: new EntityRef(request.principal.type, request.principal.id),
    action: new EntityRef(request.action.type, request.action.id),
    resource: new EntityRef(request.resource.type, request.resource.id),
    context,
    index,
  };
  if (compiled.schema && options.validateRequest !== false) validateRequest(compiled.schema, env);
  const permits: string[] = [];
  const forbids: string[] = [];
  const errors: string[] = [];
  let errorDetails: AuthorizeAnswer['errorDetails'] | undefined;
  let forbidErrored = false;
  for (const p of compiled.policies) {
    let ok: boolean;
    try {
      ok = p.evaluate(env);
    } catch (error) {
      if (!(error instanceof CedarEvalError)) throw error;
      errors.push(p.id);
      (errorDetails ??= []).push({ policyId: p.id, message: error.message });
      if (p.effect === 'forbid') forbidErrored = true;
      continue;
    }
    if (ok) (p.effect === 'permit' ? permits : forbids).push(p.id);
  }
  let decision: 'allow' | 'deny' = forbids.length === 0 && permits.length > 0 ? 'allow' : 'deny';
  if (options.failClosed && forbidErrored) decision = 'deny';
  return { decision, reasons: decision === 'allow' ? permits : forbids, errors, errorDetails: errorDetails ?? [] };
}

function validateRequest(schema: CompiledSchema, env: Env): void {
  const action = schema.actions.get(env.action.key);
  if (!action) throw new RequestValidationError(`request's action ${env.action.key} is not declared in the schema`);
  if (!action.principalTypes.has(env.principal.type))
    throw new RequestValidationError(`principal type ${env.principal.type} is not valid for ${env.action.key}`);
  if (!action.resourceTypes.has(env.resource.type)) throw new RequestValidationError(`resource type ${env.resource.type} is not valid for ${env.action.key}`);
  const e = enumMismatch(env.principal, schema) ?? enumMismatch(env.resource, schema);
  if (e) throw new RequestValidationError(e);
  const contextType = action.context ?? { k: 'Record' as const, attrs: new Map(), required: new Set<string>(), open: false };
  const m = typeMismatch(env.context, contextType, schema, 'context');
  if (m) throw new RequestValidationError(`request context does not conform to the schema: ${m}`);
}

/** Build everything and answer one request (what the differential tests compare with cedar-wasm). */
export function evaluateOnce(input: CedarInput, request: CedarRequest, options?: EvaluatorOptions): CedarAnswer {
  const compiled = compilePolicySet({ policies: input.policies, templateLinks: input.templateLinks, schema: input.schema });
  const index = createEntityIndex(compiled, input.entities);
  const { decision, reasons, errors } = authorize(compiled, index, request, options);
  return { decision, reasons, errors };
}
