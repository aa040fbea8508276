/** The operations compiled expressions call: Cedar's type checks, checked arithmetic, `in`, attribute access, `like`, comparison. */
import type { EntityLookup } from './entity-index.ts';
import { CedarEvalError, CedarSet, Datetime, Duration, EntityRef, LONG_MAX, LONG_MIN, typeName, type CedarRecord, type Value } from './values.ts';

const typeError = (what: string, v: Value): never => {
  throw new CedarEvalError('type', `${what}: unexpected ${typeName(v)}`);
};

export function asBool(v: Value, what: string): boolean {
  return typeof v === 'boolean' ? v : typeError(what, v);
}
export function asLong(v: Value, what: string): bigint {
  return typeof v === 'bigint' ? v : typeError(what, v);
}
export function asEntity(v: Value, what: string): EntityRef {
  return v instanceof EntityRef ? v : typeError(what, v);
}
export function asSet(v: Value, what: string): CedarSet {
  return v instanceof CedarSet ? v : typeError(what, v);
}
export function asString(v: Value, what: string): string {
  return typeof v === 'string' ? v : typeError(what, v);
}
export function checked(v: bigint, op: string): bigint {
  if (v < LONG_MIN || v > LONG_MAX) throw new CedarEvalError('overflow', `integer overflow in ${op}`);
  return v;
}

/** `uid in target`: equality, or target is among uid's stored ancestors. */
export function entityIn(uid: EntityRef, target: EntityRef, index: EntityLookup): boolean {
  if (uid.key === target.key) return true;
  const e = index.get(uid.key);
  return e !== undefined && e.ancestors.has(target.key);
}

export function inValue(left: Value, right: Value, index: EntityLookup): boolean {
  const uid = asEntity(left, 'in');
  if (right instanceof EntityRef) return entityIn(uid, right, index);
  if (right instanceof CedarSet) {
    // Lean: every element must be an entity (a type error otherwise), then any of them.
    for (const x of right.items) if (!(x instanceof EntityRef)) typeError('in (set element)', x);
    if (right.items.length === 0) return false;
    const stored = index.get(uid.key);
    for (const x of right.items) {
      const t = x as EntityRef;
      if (t.key === uid.key || (stored !== undefined && stored.ancestors.has(t.key))) return true;
    }
    return false;
  }
  return typeError('in', right);
}

function attrsOf(v: Value, index: EntityLookup, forHas: boolean): CedarRecord | undefined {
  if (v instanceof Map) return v;
  if (v instanceof EntityRef) {
    const e = index.get(v.key);
    if (!e) {
      if (forHas) return undefined;
      throw new CedarEvalError('entity', `entity ${v.key} does not exist`);
    }
    return e.attrs;
  }
  return typeError(forHas ? 'has' : 'attribute access', v);
}

export function getAttr(v: Value, attr: string, index: EntityLookup): Value {
  const r = attrsOf(v, index, false)!;
  const x = r.get(attr);
  if (x === undefined) throw new CedarEvalError('attribute', `attribute ${JSON.stringify(attr)} does not exist`);
  return x;
}

export function hasAttr(v: Value, attr: string, index: EntityLookup): boolean {
  const r = attrsOf(v, index, true);
  return r !== undefined && r.has(attr);
}

/** Glob match of Cedar `like`: `*` matches any sequence of characters (Unicode scalar values). */
export function likeMatch(text: string, pattern: Array<{ wildcard: true } | { literal: string[] }>): boolean {
  const s = Array.from(text);
  // Flatten into per-character tokens: null = wildcard.
  const p: Array<string | null> = [];
  for (const el of pattern) {
    if ('wildcard' in el) p.push(null);
    else for (const ch of el.literal) p.push(ch); // not push(...): a long literal would overflow the stack
  }
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] !== null && p[pi] === s[si]) {
      si++;
      pi++;
    } else if (pi < p.length && p[pi] === null) {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === null) pi++;
  return pi === p.length;
}

export function compare(op: string, a: Value, b: Value): boolean {
  let x: bigint;
  let y: bigint;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    x = a;
    y = b;
  } else if ((a instanceof Datetime && b instanceof Datetime) || (a instanceof Duration && b instanceof Duration)) {
    // Cedar 4 overloads the comparison operators for datetime and duration (RFC 80).
    x = a.v;
    y = b.v;
  } else {
    throw new CedarEvalError('type', `${op} does not apply to ${typeName(a)} and ${typeName(b)}`);
  }
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}
