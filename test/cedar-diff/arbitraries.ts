/**
 * Generators for the differential test: a schema, a policy set over it (well-typed most of the time, ill-typed or
 * erroring sometimes), an entity store that conforms to the schema (with hierarchies, dangling references and
 * implicit schema-typed JSON forms), and requests against it. All choices come from a Chooser (see chooser.ts), so
 * `worldArbitrary` is a fast-check arbitrary whose shrinking simplifies the world.
 */
import fc from 'fast-check';
import { Chooser } from './chooser.ts';
import type {
  ActionConstraint,
  ActionDef,
  Attr,
  EntityTypeDef,
  Expr,
  ExtName,
  PatternPiece,
  PolicyAst,
  SchemaModel,
  ScopeConstraint,
  TemplateLinkDef,
  Ty,
  World,
} from './model.ts';
import type { CedarRequest, CedarUid } from './subject.ts';
import { printPolicy, printSchema } from './print.ts';

// ---------------------------------------------------------------------------------------------------------------
// Pools. Ids and strings include the awkward: empty, spaces, quotes, backslashes, non-ASCII, a literal `*`.

const ENTITY_TYPE_NAMES = ['User', 'Doc', 'Team', 'Org', 'Folder', 'Device', 'Group'];
const ATTR_NAMES = [
  'name',
  'owner',
  'manager',
  'team',
  'level',
  'viewers',
  'labels',
  'ip',
  'score',
  'created',
  'ttl',
  'profile',
  'active',
  'parent',
  'org',
  'the note',
  'count',
  'home',
];
const ACTION_NAMES = ['read', 'triage', 'write', 'maintain', 'admin', 'view', 'edit', 'delete'];
const IDS = ['a', 'b', 'alice', 'bob', 'c', 'x y', 'ü', 'q"t', 'b\\s', '', 'lockdown', 'tab\there', '🙂'];
const STRINGS = ['', 'a', 'ab', 'alice', 'Alice', 'a*b', 'x y', 'ü', 'b\\s', 'q"t', 'abc', 'ba', 'a\nb'];
const TAG_KEYS = ['role', 'env', 'k', 'x y'];
const SAFE_LONGS = [0, 1, -1, 2, 7, 42, -5, 100, 1000, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1), 4_611_686_018];
const POLICY_LONGS = [
  0n,
  1n,
  -1n,
  2n,
  7n,
  42n,
  100n,
  -5n,
  9223372036854775807n,
  -9223372036854775808n,
  4611686018427387904n,
  3037000500n,
  9007199254740993n,
  9007199254740991n,
  2147483648n,
];
const EXT_VALUES: Record<ExtName, string[]> = {
  decimal: ['1.0', '1.00', '0.0', '-0.0', '-2.5', '0.0001', '1.5', '922337203685477.5807', '-922337203685477.5808', '3.1415'],
  ipaddr: ['10.0.0.1', '127.0.0.1', '::1', '192.168.0.0/16', '10.0.0.0/8', 'ff02::1', '224.0.0.1', '10.0.0.1/32', '::', '0:0:0:0:0:0:0:1', '10.0.0.255/24'],
  datetime: [
    '2024-01-01',
    '2024-01-01T00:00:00Z',
    '2024-10-15T11:35:00Z',
    '2024-10-15T11:35:00.123+0100',
    '1969-12-31T23:59:59Z',
    '2024-01-01T01:00:00+0100',
    '1970-01-01',
    '9999-12-31T23:59:59.999Z',
    '2024-02-29T12:00:00-2359',
  ],
  duration: ['1h', '60m', '-3d4h', '2h30m', '1ms', '0ms', '1d2h3m4s5ms', '-1ms', '86400000ms', '9223372036854775807ms', '-106751991167d'],
};
/** Strings the extension constructors reject: an evaluation error, never a parse error. */
const BAD_EXT_VALUES: Record<ExtName, string[]> = {
  decimal: ['1.23456', 'abc', '1', '922337203685477.5808'],
  ipaddr: ['300.1.1.1', 'bogus', '10.0.0.1/33', '::ffff:10.0.0.1'],
  datetime: ['2024-13-01', '2024-01-01T25:00:00Z', 'yesterday'],
  duration: ['1x', 'h', '1h1d'],
};
/** An attribute name Cedar's `has a.b` form can spell (no quoting there). */
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EXT_CTOR: Record<ExtName, string> = { decimal: 'decimal', ipaddr: 'ip', datetime: 'datetime', duration: 'duration' };

// ---------------------------------------------------------------------------------------------------------------
// Schema

function genTy(c: Chooser, types: string[], depth: number): Ty {
  const kind = c.weighted([
    ['Long', 3],
    ['Bool', 2],
    ['String', 3],
    ['Entity', 4],
    ['Set', depth > 0 ? 3 : 0],
    ['Record', depth > 0 ? 2 : 0],
    ['Ext', 3],
  ] as const);
  switch (kind) {
    case 'Long':
      return { k: 'Long' };
    case 'Bool':
      return { k: 'Bool' };
    case 'String':
      return { k: 'String' };
    case 'Entity':
      return { k: 'Entity', name: c.pick(types) };
    case 'Set':
      return { k: 'Set', el: genTy(c, types, depth - 1) };
    case 'Record':
      return { k: 'Record', attrs: genShape(c, types, depth - 1, 1, 3) };
    case 'Ext':
      return { k: 'Ext', name: c.pick(['decimal', 'ipaddr', 'datetime', 'duration'] as const) };
  }
}

function genShape(c: Chooser, types: string[], depth: number, min: number, max: number): Record<string, Attr> {
  const shape: Record<string, Attr> = {};
  for (const name of c.subset(ATTR_NAMES, min, max)) shape[name] = { ty: genTy(c, types, depth), required: !c.chance(0.3) };
  return shape;
}

export function genSchema(c: Chooser): SchemaModel {
  const ns = c.pick(['App', 'App', 'Acme::Core', '']);
  const names = ENTITY_TYPE_NAMES.slice(0, c.range(2, ENTITY_TYPE_NAMES.length));
  // Flags: a type whose entities policies name literally (`Flags::"lockdown".enabled`).
  // Color, in some worlds: an enumerated entity type (its entities are exactly its ids, with no attributes).
  const withEnum = c.chance(0.35);
  const all = [...names, 'Flags', ...(withEnum ? ['Color'] : [])];
  const requestable = [...names, ...(withEnum ? ['Color'] : [])];
  const entityTypes: EntityTypeDef[] = names.map((name) => {
    const memberOf = c.subset(names, 0, 2);
    const def: EntityTypeDef = { name, memberOf, shape: genShape(c, all, 2, 0, 6) };
    if (c.chance(0.35)) def.tags = genTy(c, all, 1);
    return def;
  });
  entityTypes.push({
    name: 'Flags',
    memberOf: [],
    shape: { enabled: { ty: { k: 'Bool' }, required: true }, level: { ty: { k: 'Long' }, required: !c.chance(0.5) } },
  });
  if (withEnum) entityTypes.push({ name: 'Color', memberOf: [], shape: {}, enumIds: ['red', 'green', 'blue'] });
  const actionIds = ACTION_NAMES.slice(0, c.range(2, ACTION_NAMES.length));
  const actions: ActionDef[] = [];
  for (const [i, id] of actionIds.entries()) {
    // Groups only point later in the list, so the hierarchy is acyclic (Cedar rejects cycles); usually a chain
    // (read ∈ triage ∈ write ∈ maintain ∈ admin), plus the odd extra edge.
    const memberOf: string[] = [];
    if (i + 1 < actionIds.length && !c.chance(0.25)) memberOf.push(actionIds[i + 1]!);
    if (i + 2 < actionIds.length && c.chance(0.2)) memberOf.push(actionIds[c.range(i + 2, actionIds.length - 1)]!);
    const def: ActionDef = { id, memberOf };
    // A group sometimes has no appliesTo: it only groups, and cannot be requested itself.
    const isGroup = actions.some((a) => a.memberOf.includes(id));
    if (!isGroup || !c.chance(0.3)) {
      def.appliesTo = { principals: c.subset(requestable, 1, 2), resources: c.subset(requestable, 1, 2), context: genShape(c, all, 1, 0, 3) };
    }
    actions.push(def);
  }
  if (!actions.some((a) => a.appliesTo)) actions[0]!.appliesTo = { principals: [names[0]!], resources: [names[1]!], context: {} };
  return { ns, entityTypes, actions };
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers over the model

export const qualify = (m: SchemaModel, name: string): string => (m.ns ? `${m.ns}::${name}` : name);
export const actionType = (m: SchemaModel): string => qualify(m, 'Action');
const entityDef = (m: SchemaModel, name: string) => m.entityTypes.find((t) => t.name === name);

function tyEq(a: Ty, b: Ty): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'Set':
      return tyEq(a.el, (b as typeof a).el);
    case 'Entity':
      return a.name === (b as typeof a).name;
    case 'Ext':
      return a.name === (b as typeof a).name;
    case 'Record': {
      const bb = (b as typeof a).attrs;
      const ka = Object.keys(a.attrs).sort();
      return (
        ka.join('\0') === Object.keys(bb).sort().join('\0') && ka.every((k) => tyEq(a.attrs[k]!.ty, bb[k]!.ty) && a.attrs[k]!.required === bb[k]!.required)
      );
    }
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Entity store

type Store = Map<string, string[]>; // unqualified type → ids present

function genUid(c: Chooser, m: SchemaModel, store: Store, type: string, danglingP = 0.1): CedarUid {
  const ids = store.get(type) ?? [];
  // An id outside an enumerated type makes the whole input invalid: rarer than a dangling reference.
  if (entityDef(m, type)?.enumIds) danglingP = Math.min(danglingP, 0.01);
  if (ids.length && !c.chance(danglingP)) return { type: qualify(m, type), id: c.pick(ids) };
  return { type: qualify(m, type), id: c.pick(IDS) };
}

/** Entity reference JSON: the explicit `__entity` escape, or (the schema says it is an entity) bare `{type,id}`. */
function uidJson(c: Chooser, uid: CedarUid, features: Set<string>): unknown {
  if (c.chance(0.4)) {
    features.add('json:implicit-entity');
    return c.chance(0.5) ? { type: uid.type, id: uid.id } : { id: uid.id, type: uid.type };
  }
  return { __entity: { type: uid.type, id: uid.id } };
}

function genValueJson(c: Chooser, m: SchemaModel, store: Store, ty: Ty, features: Set<string>): unknown {
  switch (ty.k) {
    case 'Bool':
      return c.chance(0.5);
    case 'Long':
      return c.pick(SAFE_LONGS);
    case 'String':
      return c.pick(STRINGS);
    case 'Entity': {
      const uid = genUid(c, m, store, ty.name);
      if (!(store.get(ty.name) ?? []).includes(uid.id)) features.add('store:dangling-ref');
      return uidJson(c, uid, features);
    }
    case 'Set': {
      const n = c.range(0, 3);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(genValueJson(c, m, store, ty.el, features));
      return out;
    }
    case 'Record': {
      const out: Record<string, unknown> = {};
      for (const [k, a] of Object.entries(ty.attrs)) if (a.required || c.chance(0.5)) out[k] = genValueJson(c, m, store, a.ty, features);
      return out;
    }
    case 'Ext': {
      const v = c.pick(EXT_VALUES[ty.name]);
      if (c.chance(0.5)) {
        features.add('json:implicit-extension');
        return v;
      }
      return { __extn: { fn: EXT_CTOR[ty.name], arg: v } };
    }
  }
}

function genEntities(c: Chooser, m: SchemaModel, features: Set<string>): { store: Store; entities: unknown[] } {
  const store: Store = new Map();
  for (const t of m.entityTypes) {
    const ids = t.enumIds ?? (t.name === 'Flags' ? (c.chance(0.7) ? ['lockdown'] : []) : c.subset(IDS, 0, 4));
    store.set(t.name, ids);
  }
  const entities: unknown[] = [];
  // Cedar refuses an entity hierarchy with a cycle. So parents are taken only among entities earlier in a random
  // order (or absent from the store), except in the odd world that tests that refusal.
  const allowCycle = c.chance(0.03);
  const order: string[] = [];
  for (const t of m.entityTypes) for (const id of store.get(t.name)!) order.splice(c.int(order.length + 1), 0, `${t.name}\0${id}`);
  const rank = (type: string, id: string) => order.indexOf(`${type}\0${id}`);
  for (const t of m.entityTypes) {
    if (t.enumIds) continue; // enumerated entities are declared by the schema, not stored
    for (const id of store.get(t.name)!) {
      const attrs: Record<string, unknown> = {};
      for (const [k, a] of Object.entries(t.shape)) if (a.required || c.chance(0.6)) attrs[k] = genValueJson(c, m, store, a.ty, features);
      const parents: unknown[] = [];
      for (const p of t.memberOf) {
        if (!c.chance(0.6)) continue;
        const uid = genUid(c, m, store, p, 0.15);
        const r = rank(p, uid.id);
        if (r >= rank(t.name, id)) {
          if (!allowCycle) continue;
          features.add('store:cycle');
        }
        if (r < 0) features.add('store:dangling-parent');
        parents.push(c.chance(0.3) ? { __entity: uid } : uid);
      }
      const e: Record<string, unknown> = {
        uid: c.chance(0.2) ? { __entity: { type: qualify(m, t.name), id } } : { type: qualify(m, t.name), id },
        attrs,
        parents,
      };
      if (t.tags) {
        const tags: Record<string, unknown> = {};
        for (const k of c.subset(TAG_KEYS, 0, 3)) tags[k] = genValueJson(c, m, store, t.tags, features);
        e.tags = tags;
        if (Object.keys(tags).length) features.add('store:tags');
      }
      entities.push(e);
    }
  }
  // Sometimes an input Cedar must refuse as a whole: both sides have to refuse it.
  if (entities.length && c.chance(0.03)) {
    const e = entities[c.int(entities.length)] as { attrs: Record<string, unknown> };
    const how = c.pick(['extra-attr', 'wrong-type', 'undeclared-type'] as const);
    features.add(`store:invalid-${how}`);
    if (how === 'extra-attr') e.attrs.zz_undeclared = 1;
    else if (how === 'wrong-type') e.attrs[Object.keys(e.attrs)[0] ?? 'zz'] = { nested: [true] };
    else entities.push({ uid: { type: qualify(m, 'Nope'), id: 'n' }, attrs: {}, parents: [] });
  }
  return { store, entities };
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions, type-directed. A policy has a pool of "places": expressions reachable from principal, resource,
// context and literal entities by attribute chains (several hops) and tags, each with the `has`/`hasTag` guards
// that make it safe. Leaves of a wanted type come from that pool or are literals; operators combine them.

interface Place {
  e: Expr;
  ty: Ty;
  guards: Expr[];
  hops: number;
}

interface PolicyEnv {
  c: Chooser;
  m: SchemaModel;
  store: Store;
  places: Place[];
  /** When set, any operand may be given a type at random: ill-typed policies that error at evaluation. */
  sloppy: boolean;
  features: Set<string>;
}

const attrE = (a: Expr, attr: string): Expr => ({ t: 'attr', a, attr });
const has = (a: Expr, attr: string): Expr => ({ t: 'has', a, path: [attr] });
const and = (a: Expr, b: Expr): Expr => ({ t: 'bin', op: '&&', a, b });

function walk(env: PolicyEnv, start: Place, maxHops: number): void {
  const { c, m } = env;
  let cur = start;
  env.places.push(cur);
  for (let hop = 0; hop < maxHops; hop++) {
    const ty = cur.ty;
    let attrs: Record<string, Attr> | undefined;
    let tagTy: Ty | undefined;
    if (ty.k === 'Entity') {
      const def = entityDef(m, ty.name);
      attrs = def?.shape;
      tagTy = def?.tags;
    } else if (ty.k === 'Record') attrs = ty.attrs;
    else if (ty.k === 'Set' && ty.el.k === 'Entity') {
      return; // sets end a chain (`contains` uses them)
    }
    if (!attrs) return;
    const names = Object.keys(attrs);
    if (tagTy && c.chance(0.3)) {
      const key: Expr = { t: 'str', v: c.pick(TAG_KEYS) };
      cur = {
        e: { t: 'method', a: cur.e, m: 'getTag', args: [key] },
        ty: tagTy,
        guards: [...cur.guards, { t: 'method', a: cur.e, m: 'hasTag', args: [key] }],
        hops: cur.hops + 1,
      };
    } else if (names.length) {
      const name = c.pick(names);
      const a = attrs[name]!;
      cur = { e: attrE(cur.e, name), ty: a.ty, guards: a.required ? cur.guards : [...cur.guards, has(cur.e, name)], hops: cur.hops + 1 };
    } else return;
    env.places.push(cur);
  }
}

function buildPlaces(env: PolicyEnv, pType: string | undefined, rType: string | undefined, ctx: Record<string, Attr> | undefined): void {
  const { c, m } = env;
  const roots: Place[] = [];
  if (pType) roots.push({ e: { t: 'var', v: 'principal' }, ty: { k: 'Entity', name: pType }, guards: [], hops: 0 });
  if (rType) roots.push({ e: { t: 'var', v: 'resource' }, ty: { k: 'Entity', name: rType }, guards: [], hops: 0 });
  if (ctx) roots.push({ e: { t: 'var', v: 'context' }, ty: { k: 'Record', attrs: ctx }, guards: [], hops: 0 });
  const lit = c.pick(m.entityTypes).name;
  roots.push({ e: { t: 'euid', type: qualify(m, lit), id: genUid(c, m, env.store, lit).id }, ty: { k: 'Entity', name: lit }, guards: [], hops: 0 });
  roots.push({ e: { t: 'euid', type: qualify(m, 'Flags'), id: 'lockdown' }, ty: { k: 'Entity', name: 'Flags' }, guards: [], hops: 0 });
  const walks = c.range(2, 7);
  for (let i = 0; i < walks; i++) walk(env, c.pick(roots), c.range(0, 4));
}

function withGuards(env: PolicyEnv, guards: Expr[], e: Expr): Expr {
  // Guard an optional hop most of the time; an unguarded one errors when the attribute is absent.
  if (!guards.length || !env.c.chance(0.75)) return e;
  env.features.add('guarded-chain');
  return [...guards, e].reduceRight((acc, g) => and(g, acc));
}

function literalOf(env: PolicyEnv, ty: Ty, depth: number): Expr {
  const { c, m } = env;
  switch (ty.k) {
    case 'Bool':
      return { t: 'bool', v: c.chance(0.5) };
    case 'Long':
      return { t: 'long', v: c.pick(POLICY_LONGS) };
    case 'String':
      return { t: 'str', v: c.pick(STRINGS) };
    case 'Entity': {
      // Now and then a type the schema does not declare: evaluation must not care.
      if (c.chance(0.03)) {
        env.features.add('literal:undeclared-entity-type');
        return { t: 'euid', type: qualify(m, 'Ghost'), id: c.pick(IDS) };
      }
      return { t: 'euid', type: qualify(m, ty.name), id: genUid(c, m, env.store, ty.name).id };
    }
    case 'Set': {
      const n = c.range(0, depth > 0 ? 3 : 1);
      const els: Expr[] = [];
      for (let i = 0; i < n; i++) els.push(depth > 0 ? genOf(env, ty.el, depth - 1, []) : literalOf(env, ty.el, 0));
      return { t: 'set', els };
    }
    case 'Record': {
      const fields: Array<[string, Expr]> = [];
      for (const [k, a] of Object.entries(ty.attrs)) {
        if (a.required || c.chance(0.5)) fields.push([k, depth > 0 ? genOf(env, a.ty, depth - 1, []) : literalOf(env, a.ty, 0)]);
      }
      return { t: 'rec', fields };
    }
    case 'Ext': {
      const bad = c.chance(0.04);
      if (bad) env.features.add('ext:bad-literal');
      return { t: 'call', fn: EXT_CTOR[ty.name], args: [{ t: 'str', v: c.pick(bad ? BAD_EXT_VALUES[ty.name] : EXT_VALUES[ty.name]) }] };
    }
  }
}

const SIMPLE_TYS: Ty[] = [
  { k: 'Long' },
  { k: 'String' },
  { k: 'Bool' },
  { k: 'Ext', name: 'decimal' },
  { k: 'Ext', name: 'ipaddr' },
  { k: 'Ext', name: 'datetime' },
  { k: 'Ext', name: 'duration' },
];

/**
 * An expression of type `ty`. Guards of the places used are pushed to `guards` (the caller, at a boolean
 * position, decides whether to apply them).
 */
function genOf(env: PolicyEnv, ty: Ty, depth: number, guards: Expr[]): Expr {
  const { c } = env;
  if (env.sloppy && c.chance(0.15)) {
    env.features.add('ill-typed-operand');
    ty = c.pick([...SIMPLE_TYS, { k: 'Set', el: { k: 'Long' } }, { k: 'Entity', name: c.pick(env.m.entityTypes).name }]);
  }
  const matching = env.places.filter((p) => tyEq(p.ty, ty));
  const choice = c.weighted([
    ['literal', 3],
    ['place', matching.length ? 6 : 0],
    ['compound', depth > 0 ? (ty.k === 'Long' ? 5 : 3) : 0],
    ['ite', depth > 0 ? 1 : 0],
  ] as const);
  if (choice === 'literal') return literalOf(env, ty, depth);
  if (choice === 'place') {
    const p = c.pick(matching);
    guards.push(...p.guards);
    if (p.hops >= 3) env.features.add('chain:3+hops');
    return p.e;
  }
  if (choice === 'ite') return { t: 'ite', c: genBool(env, depth - 1), a: genOf(env, ty, depth - 1, guards), b: genOf(env, ty, depth - 1, guards) };
  switch (ty.k) {
    case 'Bool':
      return genBool(env, depth - 1);
    case 'Long': {
      const op = c.weighted([
        ['+', 3],
        ['-', 3],
        ['*', 3],
        ['neg', 2],
        ['dur', 2],
      ] as const);
      if (op === 'neg') return { t: 'neg', a: genOf(env, ty, depth - 1, guards) };
      if (op === 'dur') {
        const m = c.pick(['toDays', 'toHours', 'toMinutes', 'toSeconds', 'toMilliseconds']);
        return { t: 'method', a: genOf(env, { k: 'Ext', name: 'duration' }, depth - 1, guards), m, args: [] };
      }
      return { t: 'bin', op, a: genOf(env, ty, depth - 1, guards), b: genOf(env, ty, depth - 1, guards) };
    }
    case 'Ext': {
      if (ty.name === 'datetime') {
        return c.chance(0.5)
          ? { t: 'method', a: genOf(env, ty, depth - 1, guards), m: 'offset', args: [genOf(env, { k: 'Ext', name: 'duration' }, depth - 1, guards)] }
          : { t: 'method', a: genOf(env, ty, depth - 1, guards), m: 'toDate', args: [] };
      }
      if (ty.name === 'duration') {
        return c.chance(0.5)
          ? {
              t: 'method',
              a: genOf(env, { k: 'Ext', name: 'datetime' }, depth - 1, guards),
              m: 'durationSince',
              args: [genOf(env, { k: 'Ext', name: 'datetime' }, depth - 1, guards)],
            }
          : { t: 'method', a: genOf(env, { k: 'Ext', name: 'datetime' }, depth - 1, guards), m: 'toTime', args: [] };
      }
      return literalOf(env, ty, depth);
    }
    case 'Record': {
      // Attribute of a record literal, or a literal.
      if (c.chance(0.3)) return attrE({ t: 'rec', fields: [['a', genOf(env, ty, depth - 1, guards)]] }, 'a');
      return literalOf(env, ty, depth);
    }
    default:
      return literalOf(env, ty, depth);
  }
}

/** A type that places (or literals) of the policy can have, for the operands of `==` and friends. */
function someTy(env: PolicyEnv): Ty {
  const { c } = env;
  if (env.places.length && c.chance(0.7)) return c.pick(env.places).ty;
  return c.pick(SIMPLE_TYS);
}

function entityTyped(env: PolicyEnv, guards: Expr[], depth: number): Expr {
  const { c, m } = env;
  const ents = env.places.filter((p) => p.ty.k === 'Entity');
  if (ents.length && c.chance(0.7)) {
    const p = c.pick(ents);
    guards.push(...p.guards);
    if (p.hops >= 3) env.features.add('chain:3+hops');
    return p.e;
  }
  return genOf(env, { k: 'Entity', name: c.pick(m.entityTypes).name }, depth, guards);
}

function genPattern(c: Chooser): PatternPiece[] {
  const n = c.range(0, 4);
  const out: PatternPiece[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      c.weighted([
        ['lit', 3],
        ['star', 2],
      ] as const) === 'star'
        ? { star: true }
        : { lit: c.pick(['a', 'b', '*', 'x y', 'ü', '\\', '"', 'al', 'ice', '\n']) },
    );
  }
  return out;
}

function genAtom(env: PolicyEnv, depth: number): Expr {
  const { c, m } = env;
  const guards: Expr[] = [];
  const kind = c.weighted([
    ['bool', 2],
    ['eq', 5],
    ['cmp', 4],
    ['in', 4],
    ['is', 2],
    ['has', 3],
    ['like', 2],
    ['set', 4],
    ['tag', 2],
    ['ext', 3],
    ['action', 2],
    ['flags', 1],
  ] as const);
  let e: Expr;
  switch (kind) {
    case 'bool':
      e = genOf(env, { k: 'Bool' }, Math.min(depth, 0), guards);
      break;
    case 'eq': {
      const ty = someTy(env);
      e = { t: 'bin', op: c.pick(['==', '!='] as const), a: genOf(env, ty, depth, guards), b: genOf(env, ty, depth, guards) };
      break;
    }
    case 'cmp': {
      const ty = c.pick<Ty>([{ k: 'Long' }, { k: 'Long' }, { k: 'Ext', name: 'datetime' }, { k: 'Ext', name: 'duration' }]);
      e = { t: 'bin', op: c.pick(['<', '<=', '>', '>='] as const), a: genOf(env, ty, depth, guards), b: genOf(env, ty, depth, guards) };
      break;
    }
    case 'in': {
      const a = c.chance(0.4) ? ({ t: 'var', v: c.pick(['principal', 'resource'] as const) } as Expr) : entityTyped(env, guards, depth);
      let b: Expr;
      if (c.chance(0.3)) {
        const els: Expr[] = [];
        for (let i = c.range(0, 3); i > 0; i--) els.push(entityTyped(env, guards, depth));
        b = { t: 'set', els };
      } else b = c.chance(0.3) ? { t: 'var', v: c.pick(['principal', 'resource'] as const) } : entityTyped(env, guards, depth);
      e = { t: 'bin', op: 'in', a, b };
      break;
    }
    case 'is': {
      const a = c.chance(0.4) ? ({ t: 'var', v: c.pick(['principal', 'resource'] as const) } as Expr) : entityTyped(env, guards, depth);
      e = { t: 'is', a, type: qualify(m, c.pick(m.entityTypes).name) };
      if (c.chance(0.4)) e.in = entityTyped(env, guards, depth);
      break;
    }
    case 'has': {
      // `e has a.b`: a place with a record-typed attribute `a`.
      const deep = env.places.flatMap((p) => {
        const attrs = p.ty.k === 'Entity' ? (entityDef(m, p.ty.name)?.shape ?? {}) : p.ty.k === 'Record' ? p.ty.attrs : {};
        return Object.entries(attrs)
          .filter(([n, a]) => a.ty.k === 'Record' && IDENT.test(n) && Object.keys(a.ty.attrs).some((k) => IDENT.test(k)))
          .map(([n, a]) => ({ p, path: [n, c.pick(Object.keys((a.ty as { attrs: Record<string, Attr> }).attrs).filter((k) => IDENT.test(k)))] }));
      });
      if (deep.length && c.chance(0.3)) {
        const { p, path } = c.pick(deep);
        guards.push(...p.guards);
        e = { t: 'has', a: p.e, path };
        break;
      }
      const withAttrs = env.places.filter((p) => p.ty.k === 'Entity' || p.ty.k === 'Record');
      if (!withAttrs.length) {
        e = { t: 'has', a: { t: 'var', v: 'context' }, path: [c.pick(ATTR_NAMES)] };
        break;
      }
      const p = c.pick(withAttrs);
      guards.push(...p.guards);
      const attrs = p.ty.k === 'Entity' ? (entityDef(m, p.ty.name)?.shape ?? {}) : (p.ty as { attrs: Record<string, Attr> }).attrs;
      const names = Object.keys(attrs);
      const first = names.length && c.chance(0.8) ? c.pick(names) : c.pick(ATTR_NAMES);
      const path = [first];
      const next = attrs[first]?.ty;
      if (next?.k === 'Record' && c.chance(0.4)) {
        const inner = Object.keys(next.attrs);
        if (inner.length && inner.every((n) => IDENT.test(n)) && IDENT.test(first)) path.push(c.pick(inner));
      }
      e = { t: 'has', a: p.e, path };
      break;
    }
    case 'like':
      e = { t: 'like', a: genOf(env, { k: 'String' }, depth, guards), pat: genPattern(c) };
      break;
    case 'set': {
      const sets = env.places.filter((p) => p.ty.k === 'Set');
      const ty: Ty = sets.length && c.chance(0.7) ? c.pick(sets).ty : { k: 'Set', el: someTy(env) };
      const el = (ty as { el: Ty }).el;
      const m2 = c.pick(['contains', 'containsAll', 'containsAny', 'isEmpty'] as const);
      const recv = genOf(env, ty, depth, guards);
      e = { t: 'method', a: recv, m: m2, args: m2 === 'isEmpty' ? [] : [m2 === 'contains' ? genOf(env, el, depth, guards) : genOf(env, ty, depth, guards)] };
      break;
    }
    case 'tag': {
      const tagged = m.entityTypes.filter((t) => t.tags);
      const t = tagged.length ? c.pick(tagged) : c.pick(m.entityTypes);
      const recv = genOf(env, { k: 'Entity', name: t.name }, depth, guards);
      const key: Expr = c.chance(0.8) ? { t: 'str', v: c.pick(TAG_KEYS) } : genOf(env, { k: 'String' }, depth, guards);
      if (c.chance(0.5)) e = { t: 'method', a: recv, m: 'hasTag', args: [key] };
      else {
        const get: Expr = { t: 'method', a: recv, m: 'getTag', args: [key] };
        const val = t.tags ? genOf(env, t.tags, 0, guards) : literalOf(env, { k: 'String' }, 0);
        e = { t: 'bin', op: '==', a: get, b: val };
        if (c.chance(0.6)) e = and({ t: 'method', a: recv, m: 'hasTag', args: [key] }, e);
      }
      break;
    }
    case 'ext': {
      const which = c.pick(['decimal', 'ipaddr', 'ipaddr', 'datetime', 'eqext'] as const);
      if (which === 'decimal') {
        e = {
          t: 'method',
          a: genOf(env, { k: 'Ext', name: 'decimal' }, depth, guards),
          m: c.pick(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual']),
          args: [genOf(env, { k: 'Ext', name: 'decimal' }, depth, guards)],
        };
      } else if (which === 'ipaddr') {
        const mm = c.pick(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast', 'isInRange']);
        e = {
          t: 'method',
          a: genOf(env, { k: 'Ext', name: 'ipaddr' }, depth, guards),
          m: mm,
          args: mm === 'isInRange' ? [genOf(env, { k: 'Ext', name: 'ipaddr' }, depth, guards)] : [],
        };
      } else if (which === 'datetime') {
        e = {
          t: 'bin',
          op: c.pick(['<', '==', '>='] as const),
          a: genOf(env, { k: 'Ext', name: 'datetime' }, depth + 1, guards),
          b: genOf(env, { k: 'Ext', name: 'datetime' }, depth, guards),
        };
      } else {
        const ext = c.pick(['decimal', 'ipaddr', 'datetime', 'duration'] as const);
        e = { t: 'bin', op: '==', a: literalOf(env, { k: 'Ext', name: ext }, 0), b: genOf(env, { k: 'Ext', name: ext }, depth, guards) };
      }
      break;
    }
    case 'action': {
      const a = m.actions;
      const uid = (id: string): Expr => ({ t: 'euid', type: actionType(m), id });
      e = c.chance(0.5)
        ? {
            t: 'bin',
            op: 'in',
            a: { t: 'var', v: 'action' },
            b: c.chance(0.3) ? { t: 'set', els: c.subset(a, 1, 3).map((x) => uid(x.id)) } : uid(c.pick(a).id),
          }
        : c.chance(0.5)
          ? { t: 'bin', op: '==', a: { t: 'var', v: 'action' }, b: uid(c.pick(a).id) }
          : { t: 'is', a: { t: 'var', v: 'action' }, type: actionType(m) };
      break;
    }
    case 'flags': {
      const f: Expr = { t: 'euid', type: qualify(m, 'Flags'), id: c.pick(['lockdown', 'lockdown', 'other']) };
      e = c.chance(0.5)
        ? attrE(f, 'enabled')
        : c.chance(0.5)
          ? has(f, 'level')
          : { t: 'bin', op: '>', a: attrE(f, 'level'), b: { t: 'long', v: c.pick(POLICY_LONGS) } };
      env.features.add('literal-entity');
      break;
    }
  }
  return withGuards(env, guards, e);
}

function genBool(env: PolicyEnv, depth: number): Expr {
  const { c } = env;
  // Operands get their own depth: a shallow boolean structure over deep arithmetic is as likely as the reverse.
  if (depth <= 0) return genAtom(env, c.range(0, 2));
  const kind = c.weighted([
    ['atom', 4],
    ['&&', 2],
    ['||', 2],
    ['!', 1],
    ['ite', 1],
  ] as const);
  switch (kind) {
    case 'atom':
      return genAtom(env, c.range(0, 2));
    case '&&':
    case '||':
      return { t: 'bin', op: kind, a: genBool(env, depth - 1), b: genBool(env, depth - 1) };
    case '!':
      return { t: 'not', a: genBool(env, depth - 1) };
    case 'ite':
      return { t: 'ite', c: genBool(env, depth - 1), a: genBool(env, depth - 1), b: genBool(env, depth - 1) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Policies

function genScope(
  c: Chooser,
  m: SchemaModel,
  store: Store,
  types: string[],
  template: boolean,
  slotP: number,
): { sc: ScopeConstraint; type?: string; slot: boolean } {
  const type = c.pick(types);
  const uid = (): CedarUid => genUid(c, m, store, c.chance(0.8) ? type : c.pick(m.entityTypes).name);
  const useSlot = template && c.chance(slotP);
  const target = (): CedarUid | 'slot' => (useSlot ? 'slot' : uid());
  const op = useSlot
    ? c.pick(['==', 'in', 'is-in'] as const)
    : c.weighted([
        ['all', 4],
        ['==', 2],
        ['in', 2],
        ['is', 2],
        ['is-in', 1],
      ] as const);
  switch (op) {
    case 'all':
      return { sc: { op: 'all' }, slot: false };
    case '==':
      return { sc: { op: '==', uid: target() }, slot: useSlot };
    case 'in':
      return { sc: { op: 'in', uid: target() }, slot: useSlot };
    case 'is':
      return { sc: { op: 'is', type: qualify(m, type) }, type, slot: false };
    case 'is-in':
      return { sc: { op: 'is', type: qualify(m, type), in: target() }, type, slot: useSlot };
  }
}

function genPolicy(c: Chooser, m: SchemaModel, store: Store, template: boolean, features: Set<string>): PolicyAst {
  const target = c.pick(m.actions.filter((a) => a.appliesTo));
  const applies = target.appliesTo!;
  let action: ActionConstraint;
  const groupsOf = (id: string): string[] => {
    const seen = new Set<string>([id]);
    const todo = [id];
    while (todo.length) {
      const cur = todo.pop();
      for (const g of m.actions.find((a) => a.id === cur)!.memberOf)
        if (!seen.has(g)) {
          seen.add(g);
          todo.push(g);
        }
    }
    return [...seen];
  };
  switch (
    c.weighted([
      ['all', 2],
      ['==', 3],
      ['in', 4],
    ] as const)
  ) {
    case 'all':
      action = { op: 'all' };
      break;
    case '==':
      action = { op: '==', id: target.id };
      break;
    default: {
      const list = c.chance(0.3);
      action = { op: 'in', ids: list ? c.subset(groupsOf(target.id), 1, 2) : [c.pick(groupsOf(target.id))], list };
    }
  }
  let p = genScope(c, m, store, applies.principals, template, 0.8);
  let r = genScope(c, m, store, applies.resources, template, 0.8);
  if (template && !p.slot && !r.slot) {
    // A template needs at least one slot.
    if (c.chance(0.5)) p = { sc: { op: '==', uid: 'slot' }, slot: true };
    else r = { sc: { op: 'in', uid: 'slot' }, slot: true };
  }
  const env: PolicyEnv = { c, m, store, places: [], sloppy: c.chance(0.25), features };
  buildPlaces(env, p.type ?? c.pick(applies.principals), r.type ?? c.pick(applies.resources), applies.context);
  const conditions: PolicyAst['conditions'] = [];
  const n = c.weighted([
    ['0', 1],
    ['1', 4],
    ['2', 2],
  ] as const);
  for (let i = 0; i < Number(n); i++) conditions.push({ kind: c.chance(0.25) ? 'unless' : 'when', body: genBool(env, c.range(0, 3)) });
  const annotations: Array<[string, string]> = c.chance(0.2) ? [['advice', c.pick(STRINGS)]] : [];
  return { effect: c.chance(0.35) ? 'forbid' : 'permit', principal: p.sc, action, resource: r.sc, conditions, annotations };
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

function genContext(c: Chooser, m: SchemaModel, store: Store, shape: Record<string, Attr>, features: Set<string>): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(shape)) {
    if (!a.required && !c.chance(0.6)) continue;
    ctx[k] = genValueJson(c, m, store, a.ty, features);
    if (a.ty.k === 'Entity') features.add('context:entity');
  }
  return ctx;
}

function genRequest(c: Chooser, m: SchemaModel, store: Store, features: Set<string>): CedarRequest {
  const action = c.pick(m.actions.filter((a) => a.appliesTo));
  const at = action.appliesTo!;
  const pt = c.pick(at.principals);
  const rt = c.pick(at.resources);
  const principal = genUid(c, m, store, pt, 0.15);
  const resource = genUid(c, m, store, rt, 0.15);
  if (!(store.get(pt) ?? []).includes(principal.id) || !(store.get(rt) ?? []).includes(resource.id)) features.add('request:entity-not-in-store');
  const req: CedarRequest = { principal, action: { type: actionType(m), id: action.id }, resource, context: genContext(c, m, store, at.context, features) };
  // Sometimes a request the schema rejects: both sides must refuse it.
  if (c.chance(0.02)) {
    const how = c.pick(['principal-type', 'context-attr', 'action'] as const);
    features.add(`request:invalid-${how}`);
    if (how === 'principal-type') req.principal = { type: qualify(m, 'Flags'), id: 'lockdown' };
    else if (how === 'context-attr') req.context = { ...req.context, zz_undeclared: true };
    else req.action = { type: actionType(m), id: 'no_such_action' };
  }
  return req;
}

// ---------------------------------------------------------------------------------------------------------------
// The world

export interface WorldSize {
  maxPolicies: number;
  requests: number;
}

export function genWorld(tape: ArrayLike<number>, size: WorldSize): { world: World; used: number } {
  const c = new Chooser(tape);
  const features = new Set<string>();
  const model = genSchema(c);
  const { store, entities } = genEntities(c, model, features);
  const policies: World['policies'] = [];
  const links: TemplateLinkDef[] = [];
  const nPolicies = c.range(1, size.maxPolicies);
  let nextLabel = 0;
  for (let i = 0; i < nPolicies; i++) {
    const template = c.chance(0.15);
    const ast = genPolicy(c, model, store, template, features);
    // evaluateOnce names policies as cedar-wasm does for policy text: by position, whatever their `@id` (which
    // must then change nothing).
    if (c.chance(0.5)) ast.annotationId = c.pick(['p', 'deny-all', 'x y', 'policy']) + `-${nextLabel++}`;
    const id = `policy${i}`;
    policies.push({ id, ast, template });
    if (template) {
      const nLinks = c.range(0, 3);
      for (let j = 0; j < nLinks; j++) {
        const values: Record<string, CedarUid> = {};
        const slotType = (sc: ScopeConstraint, fallback: string[]): string => (sc.op === 'is' ? sc.type.split('::').pop()! : c.pick(fallback));
        // A slot is usually filled with an entity of a type requests use there (so links can match), else any.
        const requested = model.actions.flatMap((a) => (a.appliesTo ? [a.appliesTo] : []));
        const anyType = model.entityTypes.map((t) => t.name);
        if (usesSlot(ast.principal))
          values['?principal'] = genUid(c, model, store, slotType(ast.principal, [...requested.flatMap((a) => a.principals), ...anyType]), 0.1);
        if (usesSlot(ast.resource))
          values['?resource'] = genUid(c, model, store, slotType(ast.resource, [...requested.flatMap((a) => a.resources), ...anyType]), 0.1);
        links.push({ templateId: id, newId: `link-${links.length}`, values });
      }
    }
  }
  const requests: CedarRequest[] = [];
  for (let i = 0; i < size.requests; i++) requests.push(genRequest(c, model, store, features));
  // Half the worlds give the schema as text (printed by cedar-wasm from the JSON form).
  const schema = printSchema(model, c.chance(0.5));
  features.add(typeof schema === 'string' ? 'schema:text' : 'schema:json');
  if (model.entityTypes.some((t) => t.enumIds)) features.add('schema:enum-entity-type');
  return { world: { model, schema, policies, links, entities, requests, features: [...features] }, used: c.used };
}

const usesSlot = (sc: ScopeConstraint): boolean => (sc.op === 'is' ? sc.in === 'slot' : sc.op !== 'all' && sc.uid === 'slot');

export const TAPE_LENGTH = 6000;

/** fast-check arbitrary of worlds: a tape of choices (see chooser.ts) read by genWorld. */
export function worldArbitrary(size: WorldSize): fc.Arbitrary<World> {
  return fc.array(fc.nat(), { minLength: TAPE_LENGTH, maxLength: TAPE_LENGTH }).map((tape) => genWorld(tape, size).world);
}

export { printPolicy };
