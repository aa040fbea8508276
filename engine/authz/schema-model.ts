import * as cedar from './cedar-runtime.ts';
import type { Entity } from './entity.ts';

/** A Cedar type as schemaToJsonWithResolvedTypes prints it. */
export type TypeJson =
  | { type: 'Bool' | 'Boolean' | 'String' | 'Long'; required?: boolean }
  | { type: 'Set'; element: TypeJson; required?: boolean }
  | { type: 'Record'; attributes: Record<string, TypeJson>; additionalAttributes?: boolean; required?: boolean }
  | { type: 'Entity'; name: string; required?: boolean }
  | { type: 'Extension'; name: string; required?: boolean }
  | { type: string; required?: boolean };

export interface ActionSpec {
  principalTypes: Set<string>;
  resourceTypes: Set<string>;
  context: TypeJson | undefined;
}

/**
 * What the hot path needs of a schema, precomputed once per policy version: which principal and resource types
 * each action applies to, the context each takes, and which entity attributes hold entity references.
 *
 * Why not let Cedar validate each request with the schema? Because then every entity handed to the evaluator
 * must conform to the schema, attribute for attribute, and we want to hand it only the attributes the policies
 * read (each attribute costs evaluation time). So Cedar evaluates schema-less on a trimmed slice, entities are
 * validated against the schema when they are written, and requests are validated here, before evaluation,
 * with the same rules (types, required keys, no undeclared context keys).
 */
export class SchemaModel {
  private readonly actions = new Map<string, ActionSpec>();
  private readonly commonTypes = new Map<string, TypeJson>();
  /** entity type → attribute → its type (for turning `{type,id}` references into `{__entity}` form) */
  private readonly entityAttributes = new Map<string, Record<string, TypeJson>>();

  constructor(schemaText: string) {
    const answer = cedar.schemaToJsonWithResolvedTypes(schemaText);
    if (answer.type === 'failure') throw new Error(`schema does not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
    const namespaces = answer.json as Record<string, {
      commonTypes?: Record<string, TypeJson>;
      entityTypes: Record<string, { shape?: TypeJson }>;
      actions: Record<string, { appliesTo?: { principalTypes: string[]; resourceTypes: string[]; context?: TypeJson } }>;
    }>;
    for (const [ns, def] of Object.entries(namespaces)) {
      const q = (name: string) => (ns && !name.includes('::') ? `${ns}::${name}` : name);
      for (const [name, t] of Object.entries(def.commonTypes ?? {})) this.commonTypes.set(q(name), t);
    }
    for (const [ns, def] of Object.entries(namespaces)) {
      const q = (name: string) => (ns && !name.includes('::') ? `${ns}::${name}` : name);
      for (const [name, t] of Object.entries(def.entityTypes)) {
        const shape = t.shape ? this.resolve(t.shape, q) : undefined;
        this.entityAttributes.set(q(name), shape && 'attributes' in shape ? (shape.attributes as Record<string, TypeJson>) : {});
      }
      const actionType = ns ? `${ns}::Action` : 'Action';
      for (const [name, a] of Object.entries(def.actions)) {
        this.actions.set(`${actionType}::${name}`, {
          principalTypes: new Set((a.appliesTo?.principalTypes ?? []).map(q)),
          resourceTypes: new Set((a.appliesTo?.resourceTypes ?? []).map(q)),
          context: a.appliesTo?.context ? this.resolve(a.appliesTo.context, q) : undefined,
        });
      }
    }
  }

  private resolve(t: TypeJson, q: (n: string) => string): TypeJson {
    const common = this.commonTypes.get(q(t.type)) ?? this.commonTypes.get(t.type);
    if (common) return this.resolve({ ...common, required: t.required }, q);
    if (t.type === 'Set' && 'element' in t) return { ...t, element: this.resolve(t.element, q) };
    if (t.type === 'Record' && 'attributes' in t) {
      return { ...t, attributes: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, this.resolve(v, q)])) } as TypeJson;
    }
    if (t.type === 'Entity' && 'name' in t) return { ...t, name: q(t.name) };
    return t;
  }

  action(name: string): ActionSpec | undefined {
    return this.actions.get(name);
  }

  attributeType(entityType: string, attr: string): TypeJson | undefined {
    return this.entityAttributes.get(entityType)?.[attr];
  }

  /** Errors that make the request invalid for the schema; empty when it is valid. */
  validateRequest(req: { principal: { type: string }; action: string; resource: { type: string }; context?: Record<string, unknown> }): string[] {
    const spec = this.actions.get(req.action);
    if (!spec) return [`request is invalid: action ${req.action} is not in the schema`];
    const errors: string[] = [];
    if (!spec.principalTypes.has(req.principal.type)) {
      errors.push(`request is invalid: principal type ${req.principal.type} is not valid for ${req.action} (expected ${[...spec.principalTypes].join(' or ') || 'none'})`);
    }
    if (!spec.resourceTypes.has(req.resource.type)) {
      errors.push(`request is invalid: resource type ${req.resource.type} is not valid for ${req.action} (expected ${[...spec.resourceTypes].join(' or ') || 'none'})`);
    }
    const contextType = spec.context ?? { type: 'Record', attributes: {} };
    checkValue(req.context ?? {}, contextType, 'context', errors);
    return errors;
  }

  /** Rewrites `{type, id}` references the schema types as entities into Cedar's `{"__entity": {...}}` form. */
  normaliseEntity(entity: Entity): Entity {
    const attrTypes = this.entityAttributes.get(entity.uid.type);
    if (!attrTypes) return entity;
    let changed = false;
    const attrs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entity.attrs)) {
      const t = attrTypes[k];
      const n = t ? normaliseValue(v, t) : v;
      if (n !== v) changed = true;
      attrs[k] = n;
    }
    return changed ? { ...entity, attrs } : entity;
  }

  /** Names of attributes whose type is a set of entities (candidates for set trimming). */
  entitySetAttributes(): Set<string> {
    const out = new Set<string>();
    for (const attrs of this.entityAttributes.values()) {
      for (const [k, t] of Object.entries(attrs)) if (t.type === 'Set' && 'element' in t && t.element.type === 'Entity') out.add(k);
    }
    return out;
  }
}

function normaliseValue(v: unknown, t: TypeJson): unknown {
  if (t.type === 'Entity' && v && typeof v === 'object' && !('__entity' in v) && 'type' in v && 'id' in v) {
    return { __entity: { type: (v as { type: unknown }).type, id: (v as { id: unknown }).id } };
  }
  if (t.type === 'Set' && 'element' in t && Array.isArray(v)) {
    const out = v.map((x) => normaliseValue(x, t.element));
    return out.some((x, i) => x !== v[i]) ? out : v;
  }
  return v;
}

function checkValue(v: unknown, t: TypeJson, path: string, errors: string[]): void {
  switch (t.type) {
    case 'Bool':
    case 'Boolean':
      if (typeof v !== 'boolean') errors.push(`request is invalid: ${path} must be a boolean`);
      return;
    case 'String':
      if (typeof v !== 'string') errors.push(`request is invalid: ${path} must be a string`);
      return;
    case 'Long':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) errors.push(`request is invalid: ${path} must be an integer`);
      return;
    case 'Set':
      if (!Array.isArray(v)) errors.push(`request is invalid: ${path} must be a set (JSON array)`);
      else if ('element' in t) v.forEach((x, i) => checkValue(x, t.element, `${path}[${i}]`, errors));
      return;
    case 'Record': {
      if (!v || typeof v !== 'object' || Array.isArray(v)) {
        errors.push(`request is invalid: ${path} must be a record (JSON object)`);
        return;
      }
      const attrs = 'attributes' in t ? t.attributes : {};
      for (const [k, at] of Object.entries(attrs)) {
        const value = (v as Record<string, unknown>)[k];
        if (value === undefined) {
          if (at.required !== false) errors.push(`request is invalid: ${path}.${k} is required`);
        } else checkValue(value, at, `${path}.${k}`, errors);
      }
      if (!('additionalAttributes' in t && t.additionalAttributes)) {
        for (const k of Object.keys(v)) if (!(k in attrs)) errors.push(`request is invalid: ${path}.${k} is not declared in the schema`);
      }
      return;
    }
    case 'Entity': {
      const ref = (v as { __entity?: { type?: unknown } })?.__entity ?? v;
      if (!ref || typeof ref !== 'object' || (ref as { type?: unknown }).type !== ('name' in t ? t.name : undefined)) {
        errors.push(`request is invalid: ${path} must be a ${'name' in t ? t.name : 'entity'} reference`);
      }
      return;
    }
    default:
      return; // Extension types (ip, decimal, datetime) are checked by Cedar when it evaluates them.
  }
}
