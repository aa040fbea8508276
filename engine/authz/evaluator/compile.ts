/**
 * Cedar's JSON policy format (the EST cedar-wasm produces) → TypeScript closures over the entity index.
 *
 * Each expression becomes a function of the request environment that returns a Cedar value or throws a
 * CedarEvalError; semantics follow the Lean spec's evaluator (cedar-spec, Cedar/Spec/Evaluator.lean): `&&`, `||`
 * and if-then-else short-circuit, `==` never errors and is false across types, `in` reads the ancestor set,
 * `has` on an entity that is not stored is false while reading its attribute is an error. A construct this
 * compiler does not know throws UnsupportedPolicyError at compile time, never a different answer at run time.
 */
import type { EntityLookup } from './entity-index.ts';
import { EXTENSION_FUNCTIONS } from './extensions.ts';
import { EntityJsonError, valueFromJson } from './json-values.ts';
import { asBool, asEntity, asLong, asSet, asString, checked, compare, entityIn, getAttr, hasAttr, inValue, likeMatch } from './operations.ts';
import { CedarEvalError, EntityRef, LONG_MAX, LONG_MIN, makeSet, valueEquals, type CedarRecord, type Value } from './values.ts';

export class UnsupportedPolicyError extends Error {
  constructor(
    message: string,
    readonly policyId?: string,
  ) {
    super(policyId ? `policy ${policyId}: ${message}` : message);
    this.name = 'UnsupportedPolicyError';
  }
}

export interface Env {
  principal: EntityRef;
  action: EntityRef;
  resource: EntityRef;
  context: CedarRecord;
  index: EntityLookup;
}

type Compiled = (env: Env) => Value;

export interface CompiledPolicy {
  id: string;
  effect: 'permit' | 'forbid';
  /** true when the policy is satisfied; throws CedarEvalError when it errors */
  evaluate: (env: Env) => boolean;
  annotations: Record<string, string>;
}

type Json = Record<string, unknown>;

export interface CompileContext {
  policyId: string;
  slots: Record<string, EntityRef>;
  /** markers standing for integer literals a JavaScript number cannot hold (see protectBigIntegers) */
  bigLiterals: Map<string, bigint>;
}

function literal(v: unknown, ctx: CompileContext): Value {
  try {
    return valueFromJson(restoreBig(v, ctx), undefined);
  } catch (error) {
    if (error instanceof EntityJsonError || error instanceof CedarEvalError) throw new UnsupportedPolicyError(`literal: ${error.message}`, ctx.policyId);
    throw error;
  }
}

/** Swaps the markers of big integer literals back for their exact values; a rounded number is refused. */
function restoreBig(v: unknown, ctx: CompileContext): unknown {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    throw new UnsupportedPolicyError(`integer literal ${v} cannot be read exactly`, ctx.policyId);
  }
  if (typeof v === 'string') {
    const exact = ctx.bigLiterals.get(v);
    if (exact === undefined) return v;
    // 2^63 is only a literal as the operand of unary minus (handled in 'neg'); anything else Cedar rejects.
    if (exact > LONG_MAX) throw new UnsupportedPolicyError(`integer literal ${exact} does not fit 64 bits`, ctx.policyId);
    return exact;
  }
  if (Array.isArray(v)) return v.map((x) => restoreBig(x, ctx));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restoreBig(x, ctx)]));
  return v;
}

function uidLiteral(v: unknown, ctx: CompileContext): EntityRef {
  const inner = v && typeof v === 'object' && '__entity' in v ? (v as { __entity: unknown }).__entity : v;
  const u = inner as { type?: unknown; id?: unknown };
  if (typeof u?.type !== 'string' || typeof u?.id !== 'string') throw new UnsupportedPolicyError(`not an entity: ${JSON.stringify(v)}`, ctx.policyId);
  return new EntityRef(u.type, u.id);
}

function slot(name: unknown, ctx: CompileContext): EntityRef {
  const v = ctx.slots[String(name)];
  if (!v) throw new UnsupportedPolicyError(`slot ${String(name)} is not linked`, ctx.policyId);
  return v;
}

const bin = (node: unknown): { left: Json; right: Json } => node as { left: Json; right: Json };

function compileExpr(e: Json, ctx: CompileContext): Compiled {
  const keys = Object.keys(e);
  if (keys.length !== 1) throw new UnsupportedPolicyError(`expression with keys ${keys.join(',')}`, ctx.policyId);
  const op = keys[0];
  const node = e[op];
  switch (op) {
    case 'Value': {
      const v = literal(node, ctx);
      return () => v;
    }
    case 'Var':
      switch (node) {
        case 'principal':
          return (env) => env.principal;
        case 'action':
          return (env) => env.action;
        case 'resource':
          return (env) => env.resource;
        case 'context':
          return (env) => env.context;
      }
      throw new UnsupportedPolicyError(`variable ${String(node)}`, ctx.policyId);
    case 'Slot': {
      const v = slot(node, ctx);
      return () => v;
    }
    case '!': {
      const a = compileExpr((node as { arg: Json }).arg, ctx);
      return (env) => !asBool(a(env), '!');
    }
    case 'neg': {
      const argNode = (node as { arg: Json }).arg;
      const big = typeof argNode?.Value === 'string' ? ctx.bigLiterals.get(argNode.Value) : undefined;
      if (big !== undefined) {
        const v = -big;
        if (v < LONG_MIN) throw new UnsupportedPolicyError(`integer literal -${big} does not fit 64 bits`, ctx.policyId);
        return () => v;
      }
      const a = compileExpr((node as { arg: Json }).arg, ctx);
      return (env) => checked(-asLong(a(env), 'negation'), 'negation');
    }
    case '==':
    case '!=': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      if (op === '==') return (env) => valueEquals(l(env), r(env));
      return (env) => !valueEquals(l(env), r(env));
    }
    case 'in': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      return (env) => inValue(l(env), r(env), env.index);
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      return (env) => {
        const a = l(env);
        return compare(op, a, r(env));
      };
    }
    case '&&': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      return (env) => asBool(l(env), '&&') && asBool(r(env), '&&');
    }
    case '||': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      return (env) => asBool(l(env), '||') || asBool(r(env), '||');
    }
    case '+':
    case '-':
    case '*': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      if (op === '+') return (env) => checked(asLong(l(env), '+') + asLong(r(env), '+'), '+');
      if (op === '-') return (env) => checked(asLong(l(env), '-') - asLong(r(env), '-'), '-');
      return (env) => checked(asLong(l(env), '*') * asLong(r(env), '*'), '*');
    }
    case 'contains': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      return (env) => {
        const s = asSet(l(env), 'contains');
        return s.has(r(env));
      };
    }
    case 'containsAll': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      return (env) => {
        const a = asSet(l(env), 'containsAll');
        const b = asSet(r(env), 'containsAll');
        for (const x of b.items) if (!a.has(x)) return false;
        return true;
      };
    }
    case 'containsAny': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      return (env) => {
        const a = asSet(l(env), 'containsAny');
        const b = asSet(r(env), 'containsAny');
        for (const x of b.items) if (a.has(x)) return true;
        return false;
      };
    }
    case 'isEmpty': {
      const a = compileExpr((node as { arg: Json }).arg, ctx);
      return (env) => asSet(a(env), 'isEmpty').items.length === 0;
    }
    case 'getTag':
    case 'hasTag': {
      const l = compileExpr(bin(node).left, ctx);
      const r = compileExpr(bin(node).right, ctx);
      if (op === 'hasTag')
        return (env) => {
          const uid = asEntity(l(env), 'hasTag');
          const tag = asString(r(env), 'hasTag');
          return env.index.get(uid.key)?.tags.has(tag) ?? false;
        };
      return (env) => {
        const uid = asEntity(l(env), 'getTag');
        const tag = asString(r(env), 'getTag');
        const v = env.index.get(uid.key)?.tags.get(tag);
        if (v === undefined) throw new CedarEvalError('tag', `tag ${JSON.stringify(tag)} does not exist on ${uid.key}`);
        return v;
      };
    }
    case '.': {
      const { left, attr } = node as { left: Json; attr: string };
      const l = compileExpr(left, ctx);
      return (env) => getAttr(l(env), attr, env.index);
    }
    case 'has': {
      const { left, attr } = node as { left: Json; attr: string | string[] };
      const l = compileExpr(left, ctx);
      if (typeof attr === 'string') return (env) => hasAttr(l(env), attr, env.index);
      // `e has a.b.c` is `e has a && e.a has b && e.a.b has c`
      const path = attr;
      return (env) => {
        let v = l(env);
        for (let i = 0; i < path.length; i++) {
          if (!hasAttr(v, path[i], env.index)) return false;
          if (i + 1 < path.length) v = getAttr(v, path[i], env.index);
        }
        return true;
      };
    }
    case 'like': {
      const { left, pattern } = node as { left: Json; pattern: Array<'Wildcard' | { Literal: string }> };
      const l = compileExpr(left, ctx);
      const pat = pattern.map((p) => (p === 'Wildcard' ? { wildcard: true as const } : { literal: Array.from(p.Literal) }));
      return (env) => likeMatch(asString(l(env), 'like'), pat);
    }
    case 'is': {
      const { left, entity_type, in: inExpr } = node as { left: Json; entity_type: string; in?: Json };
      const l = compileExpr(left, ctx);
      if (!inExpr) return (env) => asEntity(l(env), 'is').type === entity_type;
      const r = compileExpr(inExpr, ctx);
      return (env) => {
        const uid = asEntity(l(env), 'is');
        if (uid.type !== entity_type) return false;
        return inValue(uid, r(env), env.index);
      };
    }
    case 'if-then-else': {
      const n = node as { if: Json; then: Json; else: Json };
      const c = compileExpr(n.if, ctx);
      const t = compileExpr(n.then, ctx);
      const f = compileExpr(n.else, ctx);
      return (env) => (asBool(c(env), 'if') ? t(env) : f(env));
    }
    case 'Set': {
      const items = (node as Json[]).map((x) => compileExpr(x, ctx));
      return (env) => makeSet(items.map((f) => f(env)));
    }
    case 'Record': {
      const entries = Object.entries(node as Record<string, Json>).map(([k, x]) => [k, compileExpr(x, ctx)] as const);
      return (env) => {
        const m: CedarRecord = new Map();
        for (const [k, f] of entries) m.set(k, f(env));
        return m;
      };
    }
  }
  const name = op.startsWith('__cedar::') ? op.slice('__cedar::'.length) : op;
  const ext = EXTENSION_FUNCTIONS[name];
  if (!ext || !Array.isArray(node)) throw new UnsupportedPolicyError(`unknown operator or function "${op}"`, ctx.policyId);
  const args = (node as Json[]).map((x) => compileExpr(x, ctx));
  if (node.length !== ext.arity) {
    // Cedar parses a call with the wrong number of arguments; evaluating it is an error (after its arguments).
    return (env) => {
      for (const f of args) f(env);
      throw new CedarEvalError('type', `${op} takes ${ext.arity} argument(s), got ${args.length}`);
    };
  }
  // Constructors over a literal string are evaluated once; an invalid literal stays a run-time error, as in Cedar.
  if (ext.arity === 1 && ['decimal', 'ip', 'datetime', 'duration'].includes(name)) {
    const argNode = (node as Json[])[0];
    if (argNode && 'Value' in argNode && typeof argNode.Value === 'string') {
      try {
        const v = ext.fn([argNode.Value]);
        return () => v;
      } catch (error) {
        if (!(error instanceof CedarEvalError)) throw error;
      }
    }
  }
  if (args.length === 1) {
    const [a] = args;
    return (env) => ext.fn([a(env)]);
  }
  return (env) => ext.fn(args.map((f) => f(env)));
}

type Scope = { op: string; entity?: unknown; entities?: unknown[]; slot?: string; entity_type?: string; in?: { entity?: unknown; slot?: string } };

function scopeTarget(s: { entity?: unknown; slot?: string }, ctx: CompileContext): EntityRef {
  return s.slot !== undefined ? slot(s.slot, ctx) : uidLiteral(s.entity, ctx);
}

function compileScope(s: Scope, pick: (env: Env) => EntityRef, ctx: CompileContext): ((env: Env) => boolean) | undefined {
  switch (s.op) {
    case 'All':
      return undefined;
    case '==': {
      const t = scopeTarget(s, ctx);
      return (env) => pick(env).key === t.key;
    }
    case 'in': {
      if (s.entities) {
        const ts = s.entities.map((x) => uidLiteral(x, ctx));
        return (env) => {
          const u = pick(env);
          for (const t of ts) if (entityIn(u, t, env.index)) return true;
          return false;
        };
      }
      const t = scopeTarget(s, ctx);
      return (env) => entityIn(pick(env), t, env.index);
    }
    case 'is': {
      const type = s.entity_type!;
      if (!s.in) return (env) => pick(env).type === type;
      const t = scopeTarget(s.in, ctx);
      return (env) => {
        const u = pick(env);
        return u.type === type && entityIn(u, t, env.index);
      };
    }
  }
  throw new UnsupportedPolicyError(`scope constraint ${s.op}`, ctx.policyId);
}

/** Compiles one policy (or one template with its slots bound) in Cedar's JSON policy format. */
export function compilePolicy(json: Json, ctx: CompileContext): CompiledPolicy {
  const effect = json.effect;
  if (effect !== 'permit' && effect !== 'forbid') throw new UnsupportedPolicyError(`effect ${String(effect)}`, ctx.policyId);
  const checks: Array<(env: Env) => boolean> = [];
  const p = compileScope(json.principal as Scope, (env) => env.principal, ctx);
  const a = compileScope(json.action as Scope, (env) => env.action, ctx);
  const r = compileScope(json.resource as Scope, (env) => env.resource, ctx);
  for (const c of [p, a, r]) if (c) checks.push(c);
  for (const clause of (json.conditions as Array<{ kind: string; body: Json }>) ?? []) {
    const body = compileExpr(clause.body, ctx);
    if (clause.kind === 'when') checks.push((env) => asBool(body(env), 'when'));
    else if (clause.kind === 'unless') checks.push((env) => !asBool(body(env), 'unless'));
    else throw new UnsupportedPolicyError(`condition kind ${clause.kind}`, ctx.policyId);
  }
  const evaluate = (env: Env): boolean => {
    for (let i = 0; i < checks.length; i++) if (!checks[i](env)) return false;
    return true;
  };
  return { id: ctx.policyId, effect, evaluate, annotations: (json.annotations as Record<string, string>) ?? {} };
}
