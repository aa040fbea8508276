/**
 * Does a value have a schema type? Cedar refuses entity data and requests that do not conform to the schema
 * (undeclared attributes or entity types, a missing required attribute, a Long where a String is declared, an id
 * outside an enumerated entity type); the evaluator refuses the same input rather than answer for it.
 */
import type { CompiledSchema, SType } from './schema.ts';
import { CedarSet, Datetime, Decimal, Duration, EntityRef, IpAddr, typeName, type Value } from './values.ts';

const EXT: Record<string, new (...args: never[]) => unknown> = { decimal: Decimal, ipaddr: IpAddr, datetime: Datetime, duration: Duration };

/** undefined when `v` conforms to `t`; otherwise what is wrong, with the path to it. */
export function typeMismatch(v: Value, t: SType, schema: CompiledSchema, path: string): string | undefined {
  switch (t.k) {
    case 'String':
      return typeof v === 'string' ? undefined : `${path}: expected String, got ${typeName(v)}`;
    case 'Long':
      return typeof v === 'bigint' ? undefined : `${path}: expected Long, got ${typeName(v)}`;
    case 'Bool':
      return typeof v === 'boolean' ? undefined : `${path}: expected Bool, got ${typeName(v)}`;
    case 'Ext':
      return EXT[t.name] && v instanceof EXT[t.name] ? undefined : `${path}: expected ${t.name}, got ${typeName(v)}`;
    case 'Entity':
      if (!(v instanceof EntityRef) || v.type !== t.name)
        return `${path}: expected an entity of type ${t.name}, got ${v instanceof EntityRef ? v.type : typeName(v)}`;
      return enumMismatch(v, schema);
    case 'Set': {
      if (!(v instanceof CedarSet)) return `${path}: expected Set, got ${typeName(v)}`;
      for (const x of v.items) {
        const m = typeMismatch(x, t.el, schema, `${path}[]`);
        if (m) return m;
      }
      return undefined;
    }
    case 'Record': {
      if (!(v instanceof Map)) return `${path}: expected a record, got ${typeName(v)}`;
      for (const [k, x] of v) {
        const at = t.attrs.get(k);
        if (!at) {
          if (t.open) continue;
          return `${path}: attribute ${JSON.stringify(k)} is not declared`;
        }
        const m = typeMismatch(x, at, schema, `${path}.${k}`);
        if (m) return m;
      }
      for (const k of t.required) if (!v.has(k)) return `${path}: required attribute ${JSON.stringify(k)} is missing`;
      return undefined;
    }
  }
}

/** An id outside an enumerated entity type's list. */
export function enumMismatch(uid: EntityRef, schema: CompiledSchema): string | undefined {
  const ids = schema.entityTypes.get(uid.type)?.enumIds;
  return ids && !ids.includes(uid.id) ? `${uid.key} is not one of the ids of the enumerated type ${uid.type}` : undefined;
}
