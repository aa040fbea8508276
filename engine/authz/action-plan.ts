import * as cedar from './cedar-runtime.ts';
import type { SchemaModel } from './schema-model.ts';

/**
 * What one action needs of a policy set, computed once per (policy version, action):
 * - only the policies whose action scope can match it, preparsed as their own set (a policy that cannot apply
 *   still costs the evaluator a few microseconds);
 * - the attributes those policies can read, per entity type, by following attribute types through the schema
 *   (`resource.client.integrations` reads `client` on the resource types and `integrations` on Client), so the
 *   slice hands the evaluator nothing else;
 * - the set attributes they only test membership in, and the uids they name literally (set trimming).
 */
export interface ActionPlan {
  /** `${hash}:${action}`: the preparsed policy set id, and the key of trimmed-entity caches. */
  key: string;
  policyIds: string[];
  readByType: Map<string, Set<string>>;
  /** Attributes read on an expression whose entity type the analysis cannot tell: kept on every type. */
  readOnAnyType: Set<string>;
  trimmableSets: Set<string>;
  literalUids: Set<string>;
}

type Types = { kind: 'entities'; types: Set<string> } | { kind: 'unknown' } | { kind: 'value' };
const VALUE: Types = { kind: 'value' };
const UNKNOWN: Types = { kind: 'unknown' };

export interface PolicyJsonLike {
  action: { op: string; entity?: { type?: string; id?: string; __entity?: { type: string; id: string } }; entities?: Array<{ type?: string; id?: string; __entity?: { type: string; id: string } }> };
  conditions: unknown[];
}

function uidOf(e: { type?: string; id?: string; __entity?: { type: string; id: string } } | undefined) {
  const u = e?.__entity ?? e;
  return u && typeof u.type === 'string' && typeof u.id === 'string' ? { type: u.type, id: u.id } : undefined;
}

/** Whether a policy's action scope can match `actionUid` (schema-less: no action groups, so `in` is membership). */
export function scopeMatches(policy: PolicyJsonLike, actionType: string, actionId: string): boolean {
  const a = policy.action;
  if (a.op === 'All') return true;
  const matches = (e: ReturnType<typeof uidOf>) => e !== undefined && e.type === actionType && e.id === actionId;
  if (a.op === '==') return matches(uidOf(a.entity));
  if (a.op === 'in') return a.entities ? a.entities.some((e) => matches(uidOf(e))) : matches(uidOf(a.entity));
  return true; // an unknown form: keep the policy (never drop what might apply)
}

export function buildActionPlan(props: {
  hash: string;
  actionType: string;
  actionId: string;
  policies: Record<string, { text: string; json: PolicyJsonLike }>;
  schema: SchemaModel;
  trimmableSets: Set<string>;
  literalUids: Set<string>;
}): ActionPlan {
  const { actionType, actionId, schema } = props;
  const key = `${props.hash}:${actionId}`;
  const selected = Object.entries(props.policies).filter(([, p]) => scopeMatches(p.json, actionType, actionId));
  const staticPolicies = Object.fromEntries(selected.map(([id, p]) => [id, p.text]));
  const parsed = cedar.preparsePolicySet(key, { staticPolicies });
  if (parsed.type === 'failure') throw new Error(`policy subset for ${actionId} does not parse: ${parsed.errors.map((e) => e.message).join('; ')}`);

  const spec = schema.action(`${actionType}::${actionId}`);
  const readByType = new Map<string, Set<string>>();
  const readOnAnyType = new Set<string>();
  const mark = (t: Types, attr: string) => {
    if (t.kind === 'entities') for (const type of t.types) (readByType.get(type) ?? readByType.set(type, new Set()).get(type)!).add(attr);
    else if (t.kind === 'unknown') readOnAnyType.add(attr);
  };
  const entities = (types: Iterable<string>): Types => ({ kind: 'entities', types: new Set(types) });
  const walk = (expr: unknown): Types => {
    if (Array.isArray(expr)) {
      for (const e of expr) walk(e);
      return VALUE;
    }
    if (!expr || typeof expr !== 'object') return VALUE;
    const [op, arg] = Object.entries(expr)[0] ?? [];
    const a = arg as Record<string, unknown>;
    switch (op) {
      case 'Var':
        if (arg === 'principal') return spec ? entities(spec.principalTypes) : UNKNOWN;
        if (arg === 'resource') return spec ? entities(spec.resourceTypes) : UNKNOWN;
        if (arg === 'context') return UNKNOWN; // context is not trimmed; what it holds is not known here
        return VALUE;
      case 'Value': {
        const u = uidOf(arg as never);
        return u ? entities([u.type]) : VALUE;
      }
      case '.':
      case 'has': {
        const base = walk(a.left);
        const attrs = Array.isArray(a.attr) ? (a.attr as string[]) : [String(a.attr)];
        if (op === 'has') {
          for (const at of attrs) mark(base, at);
          return VALUE;
        }
        mark(base, attrs[0]);
        if (base.kind !== 'entities') return base.kind === 'unknown' ? UNKNOWN : VALUE;
        const out = new Set<string>();
        for (const t of base.types) {
          const at = schema.attributeType(t, attrs[0]);
          if (at?.type === 'Entity' && 'name' in at) out.add(at.name as string);
        }
        return out.size ? entities(out) : VALUE;
      }
      case 'if-then-else': {
        walk(a.if);
        const t = walk(a.then);
        const e = walk(a.else);
        if (t.kind === 'entities' && e.kind === 'entities') return entities([...t.types, ...e.types]);
        return t.kind === 'value' && e.kind === 'value' ? VALUE : UNKNOWN;
      }
      case 'Record':
        for (const v of Object.values(a)) walk(v);
        return UNKNOWN;
      case 'Set':
        walk(arg);
        return VALUE;
      default:
        if (a && typeof a === 'object') for (const v of Object.values(a)) walk(v);
        return VALUE;
    }
  };
  for (const [, p] of selected) walk(p.json.conditions.map((c) => (c as { body: unknown }).body));
  return { key, policyIds: selected.map(([id]) => id), readByType, readOnAnyType, trimmableSets: props.trimmableSets, literalUids: props.literalUids };
}

