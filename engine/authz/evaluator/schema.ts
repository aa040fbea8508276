/**
 * What the evaluator needs from a Cedar schema: attribute and context types (so implicit JSON such as
 * `"10.0.0.1"` for an `ipaddr` attribute or `{type, id}` for an entity attribute reads as Cedar reads it) and the
 * action entities with their groups (`memberOf`). The schema is taken as text or Cedar JSON; cedar-wasm turns text
 * into JSON, and type names are resolved here the way Cedar resolves them (common type, then entity type, in the
 * namespace first, then the empty namespace, then the built-ins).
 */
import * as cedar from '../cedar-runtime.ts';
import { EntityRef } from './values.ts';

export type SType =
  | { k: 'String' }
  | { k: 'Long' }
  | { k: 'Bool' }
  | { k: 'Set'; el: SType }
  | { k: 'Record'; attrs: Map<string, SType>; required: Set<string>; open: boolean }
  | { k: 'Entity'; name: string }
  | { k: 'Ext'; name: string };

interface SchemaEntityType {
  name: string;
  memberOfTypes: Set<string>;
  shape?: SType;
  tags?: SType;
  enumIds?: string[];
}

interface SchemaAction {
  uid: EntityRef;
  parents: EntityRef[];
  context?: SType;
  principalTypes: Set<string>;
  resourceTypes: Set<string>;
}

export interface CompiledSchema {
  entityTypes: Map<string, SchemaEntityType>;
  /** keyed by the action's entity key (`Action::"view"`) */
  actions: Map<string, SchemaAction>;
}

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

const EXTENSIONS = new Set(['decimal', 'ipaddr', 'datetime', 'duration']);
const PRIMITIVES: Record<string, SType> = { String: { k: 'String' }, Long: { k: 'Long' }, Bool: { k: 'Bool' }, Boolean: { k: 'Bool' } };

type JsonType = {
  type: string;
  name?: string;
  element?: JsonType;
  attributes?: Record<string, JsonType & { required?: boolean }>;
  additionalAttributes?: boolean;
};
type JsonNamespace = {
  commonTypes?: Record<string, JsonType>;
  entityTypes?: Record<string, { memberOfTypes?: string[]; shape?: JsonType; tags?: JsonType; enum?: string[] }>;
  actions?: Record<
    string,
    { memberOf?: Array<{ id: string; type?: string }>; appliesTo?: { context?: JsonType; principalTypes?: string[]; resourceTypes?: string[] } | null }
  >;
};

const qualify = (ns: string, name: string): string => (ns ? `${ns}::${name}` : name);

export function compileSchema(schema: string | Record<string, unknown>): CompiledSchema {
  let json: Record<string, JsonNamespace>;
  if (typeof schema === 'string') {
    const answer = cedar.schemaToJson(schema);
    if (answer.type === 'failure') throw new SchemaError(`schema does not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
    json = answer.json as unknown as Record<string, JsonNamespace>;
  } else {
    const check = cedar.checkParseSchema(schema as cedar.Schema);
    if (check.type === 'failure') throw new SchemaError(`schema does not parse: ${check.errors.map((e) => e.message).join('; ')}`);
    json = schema as Record<string, JsonNamespace>;
  }

  const commonTypes = new Map<string, { ns: string; t: JsonType }>();
  const entityNames = new Set<string>();
  for (const [ns, def] of Object.entries(json)) {
    for (const [name, t] of Object.entries(def.commonTypes ?? {})) commonTypes.set(qualify(ns, name), { ns, t });
    for (const name of Object.keys(def.entityTypes ?? {})) entityNames.add(qualify(ns, name));
  }
  const resolving = new Set<string>();
  const resolvedCommon = new Map<string, SType>();

  const resolveName = (ns: string, name: string, entityOnly: boolean): SType => {
    const bare = name.startsWith('__cedar::') ? name.slice('__cedar::'.length) : name;
    const candidates = name.includes('::') ? [name] : [qualify(ns, name), name];
    for (const c of candidates) {
      if (!entityOnly && commonTypes.has(c)) return common(c);
      if (entityNames.has(c)) return { k: 'Entity', name: c };
    }
    if (!entityOnly) {
      if (PRIMITIVES[bare]) return PRIMITIVES[bare];
      if (EXTENSIONS.has(bare)) return { k: 'Ext', name: bare };
    }
    // An undeclared entity type still names an entity (the schema parser already accepted it).
    return { k: 'Entity', name: name.includes('::') ? name : entityOnly ? (entityNames.has(qualify(ns, name)) || !ns ? qualify(ns, name) : name) : name };
  };
  const common = (q: string): SType => {
    const done = resolvedCommon.get(q);
    if (done) return done;
    if (resolving.has(q)) throw new SchemaError(`common type ${q} refers to itself`);
    resolving.add(q);
    const { ns, t } = commonTypes.get(q)!;
    const r = resolveType(ns, t);
    resolving.delete(q);
    resolvedCommon.set(q, r);
    return r;
  };
  const resolveType = (ns: string, t: JsonType): SType => {
    switch (t.type) {
      case 'String':
      case 'Long':
      case 'Boolean':
        return PRIMITIVES[t.type];
      case 'Set':
        return { k: 'Set', el: resolveType(ns, t.element!) };
      case 'Record': {
        const attrs = new Map<string, SType>();
        const required = new Set<string>();
        for (const [a, at] of Object.entries(t.attributes ?? {})) {
          attrs.set(a, resolveType(ns, at));
          if (at.required !== false) required.add(a);
        }
        return { k: 'Record', attrs, required, open: t.additionalAttributes === true };
      }
      case 'Entity':
        return resolveName(ns, t.name!, true);
      case 'Extension':
        return { k: 'Ext', name: t.name! };
      case 'EntityOrCommon':
        return resolveName(ns, t.name!, false);
      default:
        // `{ "type": "MyCommonType" }` is how Cedar JSON schemas name a common type.
        return resolveName(ns, t.type, false);
    }
  };

  const entityName = (ns: string, name: string): string => {
    const t = resolveName(ns, name, true);
    return t.k === 'Entity' ? t.name : name;
  };
  const entityTypes = new Map<string, SchemaEntityType>();
  const actions = new Map<string, SchemaAction>();
  for (const [ns, def] of Object.entries(json)) {
    for (const [name, et] of Object.entries(def.entityTypes ?? {})) {
      const q = qualify(ns, name);
      entityTypes.set(q, {
        name: q,
        memberOfTypes: new Set((et.memberOfTypes ?? []).map((m) => entityName(ns, m))),
        shape: et.shape ? resolveType(ns, et.shape) : undefined,
        tags: et.tags ? resolveType(ns, et.tags) : undefined,
        enumIds: et.enum,
      });
    }
    const actionType = qualify(ns, 'Action');
    for (const [id, a] of Object.entries(def.actions ?? {})) {
      const uid = new EntityRef(actionType, id);
      const parents = (a.memberOf ?? []).map((p) => new EntityRef(p.type ? (p.type.includes('::') || !ns ? p.type : qualify(ns, p.type)) : actionType, p.id));
      const ctx = a.appliesTo?.context;
      actions.set(uid.key, {
        uid,
        parents,
        context: ctx ? resolveType(ns, ctx) : undefined,
        principalTypes: new Set((a.appliesTo?.principalTypes ?? []).map((m) => entityName(ns, m))),
        resourceTypes: new Set((a.appliesTo?.resourceTypes ?? []).map((m) => entityName(ns, m))),
      });
    }
  }
  return { entityTypes, actions };
}
