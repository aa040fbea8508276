/**
 * Cedar runtime values, as the evaluator holds them.
 *
 * Long is a bigint so that every 64-bit value is exact and overflow can be detected (Cedar makes it an error);
 * entity references carry a precomputed key so `==` and `in` are string compares and set lookups; sets carry a
 * lazily built key set so `contains` is a lookup. Nothing here allocates per comparison on the hot path.
 */

export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;

/** An evaluation error: the policy that raised it is skipped (Cedar) and named in `errors`. */
export class CedarEvalError extends Error {
  constructor(
    readonly kind: 'type' | 'attribute' | 'entity' | 'overflow' | 'extension' | 'tag',
    message: string,
  ) {
    super(message);
    this.name = 'CedarEvalError';
  }
}

const entityKey = (type: string, id: string): string => `${type}::${JSON.stringify(id)}`;

export class EntityRef {
  readonly key: string;
  constructor(
    readonly type: string,
    readonly id: string,
  ) {
    this.key = entityKey(type, id);
  }
}

export class Decimal {
  constructor(readonly v: bigint) {}
}
export class IpAddr {
  constructor(
    readonly v6: boolean,
    readonly addr: bigint,
    readonly prefix: number,
  ) {}
}
export class Datetime {
  constructor(readonly v: bigint) {}
}
export class Duration {
  constructor(readonly v: bigint) {}
}

export class CedarSet {
  private keySet: Set<string> | undefined;
  /** `items` must already be free of duplicates (use makeSet). */
  constructor(readonly items: Value[]) {}
  keys(): Set<string> {
    if (!this.keySet) {
      const s = new Set<string>();
      for (const v of this.items) s.add(valueKey(v));
      this.keySet = s;
    }
    return this.keySet;
  }
  has(v: Value): boolean {
    if (this.items.length < 8 && typeof v !== 'object') {
      for (const x of this.items) if (x === v) return true;
      return false;
    }
    return this.keys().has(valueKey(v));
  }
}

/** Records are Maps: attribute names are arbitrary strings (`__proto__` included). */
export type CedarRecord = Map<string, Value>;

export type Value = boolean | bigint | string | EntityRef | CedarSet | CedarRecord | Decimal | IpAddr | Datetime | Duration;

export function makeSet(values: Value[]): CedarSet {
  if (values.length <= 1) return new CedarSet(values);
  const seen = new Set<string>();
  const out: Value[] = [];
  for (const v of values) {
    const k = valueKey(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return new CedarSet(out);
}

/** A canonical string for a value: equal values (Cedar `==`) have equal keys, and only they. */
function valueKey(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return 'L' + v.toString();
    case 'string':
      return 'S' + JSON.stringify(v);
  }
  if (v instanceof EntityRef) return 'E' + v.key;
  if (v instanceof CedarSet) return 'Z[' + [...v.keys()].sort().join(',') + ']';
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const k of [...v.keys()].sort()) parts.push(JSON.stringify(k) + ':' + valueKey(v.get(k)!));
    return 'R{' + parts.join(',') + '}';
  }
  if (v instanceof Decimal) return 'D' + v.v.toString();
  if (v instanceof IpAddr) return 'I' + (v.v6 ? '6:' : '4:') + v.addr.toString() + '/' + v.prefix;
  if (v instanceof Datetime) return 'T' + v.v.toString();
  if (v instanceof Duration) return 'U' + v.v.toString();
  throw new Error('not a Cedar value');
}

export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta !== 'object' || typeof b !== 'object') return false;
  if (a instanceof EntityRef) return b instanceof EntityRef && a.key === b.key;
  if (a instanceof CedarSet) {
    if (!(b instanceof CedarSet) || a.items.length !== b.items.length) return false;
    const bk = b.keys();
    for (const k of a.keys()) if (!bk.has(k)) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      const w = b.get(k);
      if (w === undefined || !valueEquals(v, w)) return false;
    }
    return true;
  }
  if (a instanceof Decimal) return b instanceof Decimal && a.v === b.v;
  if (a instanceof Datetime) return b instanceof Datetime && a.v === b.v;
  if (a instanceof Duration) return b instanceof Duration && a.v === b.v;
  if (a instanceof IpAddr) return b instanceof IpAddr && a.v6 === b.v6 && a.addr === b.addr && a.prefix === b.prefix;
  return false;
}

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return 'Bool';
    case 'bigint':
      return 'Long';
    case 'string':
      return 'String';
  }
  if (v instanceof EntityRef) return 'Entity';
  if (v instanceof CedarSet) return 'Set';
  if (v instanceof Map) return 'Record';
  if (v instanceof Decimal) return 'decimal';
  if (v instanceof IpAddr) return 'ipaddr';
  if (v instanceof Datetime) return 'datetime';
  if (v instanceof Duration) return 'duration';
  return 'unknown';
}
