/**
 * Cedar's JSON value format → evaluator values, once, when an entity or a context enters the evaluator.
 *
 * Explicit forms (`{"__entity": {type, id}}`, `{"__extn": {fn, arg}}`) always work. With a schema type in hand,
 * the implicit forms Cedar accepts work too: `{type, id}` for an entity, a bare string (or `{fn, arg}`) for an
 * extension value. Integers may arrive as bigint (from a lossless JSON parse) so 64-bit values stay exact.
 */
import { constructExtension, EXTENSION_FUNCTIONS } from './extensions.ts';
import type { SType } from './schema.ts';
import { CedarEvalError, EntityRef, LONG_MAX, LONG_MIN, makeSet, type CedarRecord, type Value } from './values.ts';

export class EntityJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntityJsonError';
  }
}

type UidInterner = (type: string, id: string) => EntityRef;
const plainUid: UidInterner = (type, id) => new EntityRef(type, id);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{type, id}` or `{"__entity": {type, id}}` → uid. */
export function uidFromJson(v: unknown, intern: UidInterner = plainUid): EntityRef {
  const inner = isObj(v) && isObj(v.__entity) ? v.__entity : v;
  if (isObj(inner) && typeof inner.type === 'string' && typeof inner.id === 'string') return intern(inner.type, inner.id);
  throw new EntityJsonError(`not an entity reference: ${safeJson(v)}`);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}

function toLong(v: number | bigint): bigint {
  if (typeof v === 'number' && !Number.isInteger(v)) throw new EntityJsonError(`${v} is not an integer (Cedar has no floating point)`);
  const b = BigInt(v);
  if (b < LONG_MIN || b > LONG_MAX) throw new EntityJsonError(`${b} does not fit a 64-bit integer`);
  return b;
}

function extension(fn: unknown, arg: unknown): Value {
  if (typeof fn !== 'string') throw new EntityJsonError('__extn without a function name');
  try {
    return constructExtension(fn, arg);
  } catch (error) {
    if (error instanceof CedarEvalError) throw new EntityJsonError(error.message);
    throw error;
  }
}

/** Parses one JSON value; `type` (from the schema) enables the implicit forms. */
export function valueFromJson(v: unknown, type: SType | undefined, intern: UidInterner = plainUid): Value {
  if (type) {
    switch (type.k) {
      case 'Entity':
        if (isObj(v) && !('__extn' in v)) return uidFromJson(v, intern);
        break;
      case 'Ext':
        if (typeof v === 'string') return extension(type.name === 'ipaddr' ? 'ip' : type.name, v);
        if (isObj(v) && !('__extn' in v) && 'fn' in v) return extension(v.fn, v.arg);
        break;
      case 'Set':
        if (Array.isArray(v)) return makeSet(v.map((x) => valueFromJson(x, type.el, intern)));
        break;
      case 'Record':
        if (isObj(v) && !('__extn' in v) && !('__entity' in v)) return recordFromJson(v, type.attrs, intern);
        break;
    }
  }
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v;
    case 'number':
    case 'bigint':
      return toLong(v);
  }
  if (Array.isArray(v)) return makeSet(v.map((x) => valueFromJson(x, undefined, intern)));
  if (isObj(v)) {
    if ('__entity' in v) return uidFromJson(v, intern);
    if ('__extn' in v) {
      const e = v.__extn;
      if (!isObj(e)) throw new EntityJsonError('__extn must be an object');
      if ('arg' in e && typeof e.arg === 'string') return extension(e.fn, e.arg);
      // `{fn, args: [...]}` (or a non-string `arg`): an extension function applied to values, e.g.
      // `offset(datetime("1970-01-01"), duration("1d"))`; Cedar evaluates it when it reads the JSON.
      const args = Array.isArray(e.args) ? e.args : 'arg' in e ? [e.arg] : undefined;
      const name = typeof e.fn === 'string' ? e.fn.replace(/^__cedar::/, '') : '';
      const f = EXTENSION_FUNCTIONS[name];
      if (!args || !f || args.length !== f.arity) throw new EntityJsonError(`unsupported __extn ${safeJson(e)}`);
      try {
        return f.fn(args.map((x) => valueFromJson(x, undefined, intern)));
      } catch (error) {
        if (error instanceof CedarEvalError) throw new EntityJsonError(`__extn ${name}: ${error.message}`);
        throw error;
      }
    }
    return recordFromJson(v, undefined, intern);
  }
  throw new EntityJsonError(`not a Cedar value: ${safeJson(v)}`);
}

export function recordFromJson(v: Record<string, unknown>, attrs: Map<string, SType> | undefined, intern: UidInterner = plainUid): CedarRecord {
  const out: CedarRecord = new Map();
  for (const k of Object.keys(v)) out.set(k, valueFromJson(v[k], attrs?.get(k), intern));
  return out;
}
