import { RefusedError } from '../kernel/errors.ts';
import { redactMessage } from '../scanner/redaction.ts';
import { decidingCedar, type PolicyJson, type Expr } from './cedar-runtime.ts';
import { uidKey, type Entity, type EntityUid } from './entity.ts';
import { normaliseEntityRefs, type EntitySource } from './entity-source.ts';
import type { SType } from './evaluator/schema.ts';
import type { CompiledPolicySet } from './policy-set.ts';

/** The condition language a plan answers in (the client's plan-sql.ts turns it into SQL; docs/api.md). */
export type PlanValue = string | number | boolean | { type: string; id: string };

export type PlanCondition =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and'; args: PlanCondition[] }
  | { op: 'or'; args: PlanCondition[] }
  | { op: 'not'; arg: PlanCondition }
  /** `resource[attribute] == value` */
  | { op: 'eq'; attribute: string; value: PlanValue }
  /** `resource[attribute]` is one of `values` */
  | { op: 'in'; attribute: string; values: PlanValue[] }
  /** `value` is an element of the set-valued `resource[attribute]` */
  | { op: 'is_in_set'; attribute: string; value: PlanValue }
  /** the resource itself is one of these (ids of the planned type: `resource == Order::"o1"`) */
  | { op: 'id_in'; ids: string[] }
  /** `resource in entity`: the entity is one of the resource's ancestors */
  | { op: 'has_ancestor'; entity: { type: string; id: string } };

/**
 * List filtering by partial evaluation: which resources of a type may this principal act on?
 *
 * Cedar evaluates the active policy set over the stored entities with the resource unknown
 * (`isAuthorizedPartial`); what is left of each policy (its residual) is an expression over `resource`. The planner
 * reads the residuals symbolically, with the resource's type known, and writes the answer in the condition
 * language below (engine/client/plan-sql.ts turns it into SQL): a predicate over the resource's attributes and ancestors that an app turns into a SQL
 * `WHERE`. An attribute of an entity the resource refers to (`resource.integration.status`) is resolved over the
 * stored entities of that type (`resource.integration in [the suspended ones]`).
 *
 * Decisions are the PDP's, errors included: a `permit` that errors grants nothing, a `forbid` that errors denies
 * (for a row, an error is what happens when the entity an attribute names is not stored). Whatever the reading
 * cannot express exactly is refused (PlanUnsupportedError, a 422), never approximated.
 *
 * The condition assumes what the app's table holds matches the store: each row a stored resource, its columns
 * the resource's attributes, its ancestor columns its ancestors.
 */
export interface PlanRequest {
  principal: EntityUid;
  action: { type?: string; id: string };
  resourceType: string;
  context?: Record<string, unknown>;
}

export type Plan =
  | { kind: 'always_allowed'; errors: string[]; policyHash: string }
  | { kind: 'always_denied'; errors: string[]; policyHash: string }
  | { kind: 'conditional'; condition: PlanCondition; errors: string[]; policyHash: string };

/** The residual policies use something the condition language cannot say exactly. */
export class PlanUnsupportedError extends RefusedError {
  override readonly code: string = 'plan_unsupported';
  constructor(message: string) {
    super(message);
    this.name = 'PlanUnsupportedError';
  }
}

/** Cases are multiplied by each operation over two row-dependent values: beyond this, the plan is refused. */
const MAX_CASES = 20_000;

// ---------------------------------------------------------------------------------------------------------------
// Conditions, with the simplifications that keep them small

const TRUE: PlanCondition = { op: 'true' };
const FALSE: PlanCondition = { op: 'false' };

/** `and` or `or` of the parts, flattened and deduplicated: the unit (true / false) drops out, the zero decides. */
function junction(op: 'and' | 'or', parts: PlanCondition[]): PlanCondition {
  const [unit, zero] = op === 'and' ? [TRUE, FALSE] : [FALSE, TRUE];
  const out: PlanCondition[] = [];
  for (const a of parts) {
    if (a.op === zero.op) return zero;
    if (a.op === unit.op) continue;
    if ((a.op === 'and' || a.op === 'or') && a.op === op) out.push(...a.args);
    else out.push(a);
  }
  const args = unique(out);
  return args.length === 0 ? unit : args.length === 1 ? args[0] : { op, args };
}

const and = (...parts: PlanCondition[]): PlanCondition => junction('and', parts);
const or = (...parts: PlanCondition[]): PlanCondition => junction('or', parts);

function unique(conds: PlanCondition[]): PlanCondition[] {
  if (conds.length < 2) return conds;
  const seen = new Map<string, PlanCondition>();
  for (const c of conds) seen.set(JSON.stringify(c), c);
  return [...seen.values()];
}

function not(a: PlanCondition): PlanCondition {
  if (a.op === 'true') return FALSE;
  if (a.op === 'false') return TRUE;
  if (a.op === 'not') return a.arg;
  return { op: 'not', arg: a };
}

// ---------------------------------------------------------------------------------------------------------------
// Concrete Cedar values (from residuals and stored entities), and what the planner knows about a row

type Val =
  | { t: 'bool'; v: boolean }
  | { t: 'long'; v: number }
  | { t: 'str'; v: string }
  | { t: 'ent'; type: string; id: string }
  | { t: 'set'; v: Val[] }
  | { t: 'rec'; v: Map<string, Val> };

/** A row-dependent boolean: true where `t`, an error where `e` (disjoint), false elsewhere. */
interface Bool {
  t: PlanCondition;
  e: PlanCondition;
}

type Sym =
  | { k: 'val'; v: Val }
  | { k: 'resource' }
  /** `resource.name`, a required attribute of the declared type */
  | { k: 'attr'; name: string; type: SType }
  /** a value that depends on the row: `v` where `when` (the `when`s are disjoint), an error where `err` */
  | { k: 'cases'; cases: Array<{ when: PlanCondition; v: Val }>; err: PlanCondition }
  | { k: 'bool'; b: Bool };

class EvalError extends Error {}

const unsupported = (what: string): never => {
  throw new PlanUnsupportedError(`the residual policies use ${what}, which the plan's condition language cannot express exactly`);
};

function toVal(json: unknown): Val {
  if (typeof json === 'boolean') return { t: 'bool', v: json };
  if (typeof json === 'number') return { t: 'long', v: json };
  if (typeof json === 'string') return { t: 'str', v: json };
  if (Array.isArray(json)) return { t: 'set', v: json.map(toVal) };
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if ('__entity' in o) {
      const e = o.__entity as EntityUid;
      return { t: 'ent', type: e.type, id: e.id };
    }
    if ('__extn' in o) return unsupported('an extension value (decimal, ipaddr, datetime)');
    return { t: 'rec', v: new Map(Object.entries(o).map(([k, v]) => [k, toVal(v)])) };
  }
  return unsupported('a null value');
}

const valKey = (v: Val): string => {
  switch (v.t) {
    case 'ent':
      return `E${uidKey(v)}`;
    case 'set':
      return `S[${[...new Set(v.v.map(valKey))].sort().join(',')}]`;
    case 'rec':
      return `R{${[...v.v.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => `${JSON.stringify(k)}:${valKey(x)}`)
        .join(',')}}`;
    default:
      return `${v.t}:${JSON.stringify(v.v)}`;
  }
};

const valEq = (a: Val, b: Val): boolean => valKey(a) === valKey(b);

/** A value as the condition language writes it: a primitive or an entity; anything else cannot be a column. */
function planValue(v: Val): PlanValue {
  if (v.t === 'ent') return { type: v.type, id: v.id };
  if (v.t === 'bool' || v.t === 'long' || v.t === 'str') return v.v;
  return unsupported('a comparison with a set or record value');
}

function sameType(v: Val, type: SType): boolean {
  switch (type.k) {
    case 'Bool':
      return v.t === 'bool';
    case 'Long':
      return v.t === 'long';
    case 'String':
      return v.t === 'str';
    case 'Entity':
      return v.t === 'ent' && v.type === type.name;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface StoreView {
  get(key: string): { uid: EntityUid; attrs: Record<string, unknown>; parents: EntityUid[] } | undefined;
  ofType(type: string): Entity[];
  /** the entity and its ancestors (uid keys) */
  selfAndAncestors(key: string): Set<string>;
}

function storeView(entities: Iterable<Entity>, policy: CompiledPolicySet): StoreView {
  const byKey = new Map<string, Entity>();
  const byType = new Map<string, Entity[]>();
  for (const raw of entities) {
    const e = normaliseEntityRefs(raw, policy.evaluator.schema);
    byKey.set(uidKey(e.uid), e);
    let list = byType.get(e.uid.type);
    if (!list) byType.set(e.uid.type, (list = []));
    list.push(e);
  }
  const memo = new Map<string, Set<string>>();
  const selfAndAncestors = (key: string): Set<string> => {
    const known = memo.get(key);
    if (known) return known;
    const out = new Set<string>([key]);
    const stack = [key];
    while (stack.length) {
      const e = byKey.get(stack.pop()!);
      for (const p of e?.parents ?? []) {
        const k = uidKey(p);
        if (!out.has(k)) {
          out.add(k);
          stack.push(k);
        }
      }
    }
    memo.set(key, out);
    return out;
  };
  return { get: (k) => byKey.get(k), ofType: (t) => byType.get(t) ?? [], selfAndAncestors };
}

/** The symbolic reading of residual expressions for one request. */
class Reader {
  constructor(
    private readonly store: StoreView,
    private readonly resourceType: string,
    private readonly shape: SType | undefined,
    private readonly vars: { principal: () => Val; action: () => Val; context: () => Val },
  ) {}

  bool(expr: Expr): Bool {
    return this.asBool(this.read(expr));
  }

  private read(expr: Expr): Sym {
    const x = expr as Record<string, unknown>;
    const [op] = Object.keys(x);
    const body = x[op] as Record<string, unknown>;
    switch (op) {
      case 'Value':
        return { k: 'val', v: toVal(body) };
      case 'Var': {
        const name = body as unknown as string;
        if (name === 'resource') return { k: 'resource' };
        if (name === 'principal' || name === 'action' || name === 'context') return { k: 'val', v: this.vars[name]() };
        return unsupported(`the variable ${name}`);
      }
      case 'unknown': {
        const args = body as unknown as Expr[];
        const name = (args?.[0] as { Value?: unknown } | undefined)?.Value;
        if (name === 'resource') return { k: 'resource' };
        return unsupported('an unknown other than the resource');
      }
      case '!':
        return { k: 'bool', b: this.notB(this.bool(body.arg as Expr)) };
      case '&&':
      case '||': {
        const a = this.bool(body.left as Expr);
        const b = this.bool(body.right as Expr);
        return { k: 'bool', b: op === '&&' ? this.andB(a, b) : this.orB(a, b) };
      }
      case 'if-then-else': {
        const c = this.bool(body.if as Expr);
        const th = this.bool(body.then as Expr);
        const el = this.bool(body.else as Expr);
        const notC = and(not(c.t), not(c.e));
        return { k: 'bool', b: { t: or(and(c.t, th.t), and(notC, el.t)), e: or(c.e, and(c.t, th.e), and(notC, el.e)) } };
      }
      case '==':
      case '!=': {
        const eq = this.equals(this.read(body.left as Expr), this.read(body.right as Expr));
        return { k: 'bool', b: op === '==' ? eq : { t: and(not(eq.t), not(eq.e)), e: eq.e } };
      }
      case 'in':
        return this.inOp(this.read(body.left as Expr), this.read(body.right as Expr));
      case 'contains':
        return this.contains(this.read(body.left as Expr), this.read(body.right as Expr));
      case '.':
        return this.attr(this.read(body.left as Expr), body.attr as string);
      case 'has':
        return this.has(this.read(body.left as Expr), body.attr as string);
      case 'is': {
        if (body.in !== undefined) return unsupported('`is ... in`');
        const left = this.read(body.left as Expr);
        const type = body.entity_type as string;
        if (left.k === 'resource') return this.constant(type === this.resourceType);
        return this.lift2(left, { k: 'val', v: { t: 'bool', v: true } }, (a) => {
          if (a.t !== 'ent') throw new EvalError('is on a non-entity');
          return { t: 'bool', v: a.type === type };
        });
      }
      case 'Set': {
        const items = (body as unknown as Expr[]).map((e) => this.read(e));
        if (items.every((i) => i.k === 'val')) return { k: 'val', v: { t: 'set', v: items.map((i) => (i as { v: Val }).v) } };
        return unsupported('a set literal with row-dependent elements');
      }
      case 'Record': {
        const entries = Object.entries(body as Record<string, Expr>).map(([k, e]) => [k, this.read(e)] as const);
        if (entries.every(([, s]) => s.k === 'val')) return { k: 'val', v: { t: 'rec', v: new Map(entries.map(([k, s]) => [k, (s as { v: Val }).v])) } };
        return unsupported('a record literal with row-dependent fields');
      }
      case 'containsAll':
      case 'containsAny':
      case '<':
      case '<=':
      case '>':
      case '>=':
      case 'isEmpty':
        return this.concreteOp(op, body);
      default:
        return unsupported(`the operator ${JSON.stringify(op)}`);
    }
  }

  private constant(b: boolean): Sym {
    return { k: 'bool', b: { t: b ? TRUE : FALSE, e: FALSE } };
  }

  private notB(a: Bool): Bool {
    return { t: and(not(a.t), not(a.e)), e: a.e };
  }

  // Cedar's `&&` and `||` stop at the left operand when it decides (or errs).
  private andB(a: Bool, b: Bool): Bool {
    return { t: and(a.t, b.t), e: or(a.e, and(a.t, b.e)) };
  }

  private orB(a: Bool, b: Bool): Bool {
    const aFalse = and(not(a.t), not(a.e));
    return { t: or(a.t, and(aFalse, b.t)), e: or(a.e, and(aFalse, b.e)) };
  }

  private asBool(s: Sym): Bool {
    switch (s.k) {
      case 'bool':
        return s.b;
      case 'val':
        if (s.v.t !== 'bool') return { t: FALSE, e: TRUE };
        return { t: s.v.v ? TRUE : FALSE, e: FALSE };
      case 'attr':
        if (s.type.k !== 'Bool') return { t: FALSE, e: TRUE };
        return { t: { op: 'eq', attribute: s.name, value: true }, e: FALSE };
      case 'cases': {
        const t: PlanCondition[] = [];
        const e: PlanCondition[] = [s.err];
        for (const c of s.cases) {
          if (c.v.t !== 'bool') e.push(c.when);
          else if (c.v.v) t.push(c.when);
        }
        return { t: or(...t), e: or(...e) };
      }
      default:
        return { t: FALSE, e: TRUE };
    }
  }

  /** Any row-dependent value as cases, where it can be one (an attribute of the resource cannot: its values are the rows'). */
  private toCases(s: Sym): { cases: Array<{ when: PlanCondition; v: Val }>; err: PlanCondition } {
    switch (s.k) {
      case 'val':
        return { cases: [{ when: TRUE, v: s.v }], err: FALSE };
      case 'cases':
        return s;
      case 'bool': {
        const cases: Array<{ when: PlanCondition; v: Val }> = [
          { when: s.b.t, v: { t: 'bool', v: true } },
          { when: and(not(s.b.t), not(s.b.e)), v: { t: 'bool', v: false } },
        ];
        return { cases: cases.filter((c) => c.when.op !== 'false'), err: s.b.e };
      }
      default:
        return unsupported(s.k === 'resource' ? 'the resource as a value' : `resource.${s.name} as an operand of this operator`);
    }
  }

  /** Applies a concrete operation to every combination of the operands' cases (an EvalError is Cedar's error). */
  private lift2(a: Sym, b: Sym, f: (x: Val, y: Val) => Val): Sym {
    const ca = this.toCases(a);
    const cb = this.toCases(b);
    if (ca.cases.length * cb.cases.length > MAX_CASES) unsupported('more row-dependent combinations than the planner enumerates');
    const cases: Array<{ when: PlanCondition; v: Val }> = [];
    const err: PlanCondition[] = [ca.err, and(not(ca.err), cb.err)];
    for (const x of ca.cases) {
      for (const y of cb.cases) {
        const when = and(x.when, y.when);
        if (when.op === 'false') continue;
        try {
          cases.push({ when, v: f(x.v, y.v) });
        } catch (error) {
          if (!(error instanceof EvalError)) throw error;
          err.push(when);
        }
      }
    }
    if (cases.every((c) => c.when.op === 'true') && cases.length === 1 && or(...err).op === 'false') return { k: 'val', v: cases[0].v };
    return merge({ k: 'cases', cases, err: or(...err) });
  }

  private concreteOp(op: string, body: Record<string, unknown>): Sym {
    if (op === 'isEmpty') {
      return this.lift2(this.read(body.arg as Expr), { k: 'val', v: { t: 'bool', v: true } }, (a) => {
        if (a.t !== 'set') throw new EvalError('isEmpty on a non-set');
        return { t: 'bool', v: a.v.length === 0 };
      });
    }
    return this.lift2(this.read(body.left as Expr), this.read(body.right as Expr), (a, b) => {
      if (op === 'containsAll' || op === 'containsAny') {
        if (a.t !== 'set' || b.t !== 'set') throw new EvalError(`${op} on a non-set`);
        const keys = new Set(a.v.map(valKey));
        return { t: 'bool', v: op === 'containsAll' ? b.v.every((x) => keys.has(valKey(x))) : b.v.some((x) => keys.has(valKey(x))) };
      }
      if (a.t !== 'long' || b.t !== 'long') throw new EvalError(`${op} on a non-Long`);
      const r = op === '<' ? a.v < b.v : op === '<=' ? a.v <= b.v : op === '>' ? a.v > b.v : a.v >= b.v;
      return { t: 'bool', v: r };
    });
  }

  private equals(a: Sym, b: Sym): Bool {
    if (b.k === 'attr' && a.k !== 'attr') [a, b] = [b, a];
    if (b.k === 'resource') [a, b] = [b, a];
    if (a.k === 'resource') {
      if (b.k === 'resource') return { t: TRUE, e: FALSE };
      if (b.k === 'attr') return unsupported(`a comparison of the resource with resource.${b.name}`);
      // `resource == X`: the row is X (X of the planned type); Cedar's == never errs.
      const c = this.toCases(b);
      return {
        t: or(...c.cases.map((x) => (x.v.t === 'ent' && x.v.type === this.resourceType ? and(x.when, { op: 'id_in', ids: [x.v.id] }) : FALSE))),
        e: c.err,
      };
    }
    if (a.k === 'attr') {
      if (b.k === 'attr') return unsupported('a comparison of two resource attributes');
      const attr = a;
      const c = this.toCases(b);
      // Cedar's == never errs: values of another type are simply not equal.
      return {
        t: or(...c.cases.map((x) => (sameType(x.v, attr.type) ? and(x.when, { op: 'eq', attribute: attr.name, value: planValue(x.v) }) : FALSE))),
        e: c.err,
      };
    }
    return this.asBool(this.lift2(a, b, (x, y) => ({ t: 'bool', v: valEq(x, y) })));
  }

  /** `left in right`: the entity hierarchy. */
  private inOp(left: Sym, right: Sym): Sym {
    if (left.k === 'resource') {
      const c = this.toCases(right);
      const t: PlanCondition[] = [];
      const e: PlanCondition[] = [c.err];
      for (const x of c.cases) {
        const targets = x.v.t === 'ent' ? [x.v] : x.v.t === 'set' ? x.v.v : undefined;
        if (!targets || targets.some((y) => y.t !== 'ent')) {
          e.push(x.when);
          continue;
        }
        for (const y of targets as Array<Extract<Val, { t: 'ent' }>>) {
          // `resource in X` where X is of the resource's own type holds when X is the resource: the plan has no
          // condition on the resource's id.
          if (y.type === this.resourceType) unsupported(`\`resource in ${y.type}::…\` (the resource's own type)`);
          t.push(and(x.when, { op: 'has_ancestor', entity: { type: y.type, id: y.id } }));
        }
      }
      return { k: 'bool', b: { t: or(...t), e: or(...e) } };
    }
    if (right.k === 'attr') {
      if (right.type.k !== 'Entity') return unsupported(`\`… in resource.${right.name}\` where the attribute is not an entity`);
      const type = right.type.name;
      const attr = right.name;
      const c = this.toCases(left);
      const t: PlanCondition[] = [];
      const e: PlanCondition[] = [c.err];
      for (const x of c.cases) {
        if (x.v.t !== 'ent') {
          e.push(x.when);
          continue;
        }
        const above = [...this.store.selfAndAncestors(uidKey(x.v))]
          .map((k) => this.store.get(k)?.uid ?? parseKey(k))
          .filter((u) => u.type === type)
          .sort((p, q) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
        t.push(and(x.when, above.length ? { op: 'in', attribute: attr, values: above.map((u) => ({ type: u.type, id: u.id })) } : FALSE));
      }
      return { k: 'bool', b: { t: or(...t), e: or(...e) } };
    }
    return this.lift2(left, right, (a, b) => {
      if (a.t !== 'ent') throw new EvalError('in on a non-entity');
      const above = this.store.selfAndAncestors(uidKey(a));
      if (b.t === 'ent') return { t: 'bool', v: above.has(uidKey(b)) };
      if (b.t === 'set' && b.v.every((y) => y.t === 'ent')) return { t: 'bool', v: b.v.some((y) => above.has(uidKey(y as EntityUid))) };
      throw new EvalError('in on a non-entity');
    });
  }

  private contains(set: Sym, item: Sym): Sym {
    if (set.k === 'attr') {
      if (set.type.k !== 'Set') return { k: 'bool', b: { t: FALSE, e: TRUE } };
      const el = set.type.el;
      const c = this.toCases(item);
      return {
        k: 'bool',
        b: {
          t: or(...c.cases.map((x) => (sameType(x.v, el) ? and(x.when, { op: 'is_in_set', attribute: set.name, value: planValue(x.v) }) : FALSE))),
          e: c.err,
        },
      };
    }
    if (item.k === 'resource') {
      return {
        k: 'bool',
        b: this.overSets(set, (members) => {
          const ids = [...new Set(members.flatMap((y) => (y.t === 'ent' && y.type === this.resourceType ? [y.id] : [])))];
          return ids.length ? { op: 'id_in', ids } : FALSE;
        }),
      };
    }
    if (item.k === 'attr') {
      return {
        k: 'bool',
        b: this.overSets(set, (members) => {
          const values = members.filter((y) => sameType(y, item.type));
          return values.length ? { op: 'in', attribute: item.name, values: dedupe(values).map(planValue) } : FALSE;
        }),
      };
    }
    return this.lift2(set, item, (a, b) => {
      if (a.t !== 'set') throw new EvalError('contains on a non-set');
      return { t: 'bool', v: a.v.some((x) => valEq(x, b)) };
    });
  }

  /**
   * A condition over the cases of `set`: in each case where it is a set, `member` of its members; where it is not,
   * an error.
   */
  private overSets(set: Sym, member: (members: Val[]) => PlanCondition): Bool {
    const c = this.toCases(set);
    const t: PlanCondition[] = [];
    const e: PlanCondition[] = [c.err];
    for (const x of c.cases) {
      if (x.v.t !== 'set') e.push(x.when);
      else t.push(and(x.when, member(x.v.v)));
    }
    return { t: or(...t), e: or(...e) };
  }

  /** The attribute of an entity or record. */
  private attr(of: Sym, name: string): Sym {
    if (of.k === 'resource') {
      const shape = this.shape;
      if (shape?.k !== 'Record' || !shape.attrs.has(name)) return { k: 'cases', cases: [], err: TRUE };
      if (!shape.required.has(name)) return unsupported(`the optional attribute resource.${name}`);
      return { k: 'attr', name, type: shape.attrs.get(name)! };
    }
    if (of.k === 'attr') {
      if (of.type.k === 'Record') return unsupported(`a field of the record resource.${of.name}`);
      if (of.type.k !== 'Entity') return { k: 'cases', cases: [], err: TRUE };
      // resource.a.b: one case per stored entity of a's type that has b; any other value of resource.a errs.
      const attribute = of.name;
      const cases: Array<{ when: PlanCondition; v: Val }> = [];
      const found: PlanValue[] = [];
      for (const e of this.store.ofType(of.type.name)) {
        if (!Object.hasOwn(e.attrs, name)) continue;
        const ref = { type: e.uid.type, id: e.uid.id };
        found.push(ref);
        cases.push({ when: { op: 'eq', attribute, value: ref }, v: toVal(e.attrs[name]) });
      }
      if (cases.length > MAX_CASES) unsupported('more stored entities than the planner enumerates');
      return merge({ k: 'cases', cases, err: found.length ? not({ op: 'in', attribute, values: found }) : TRUE });
    }
    return this.lift2(of, { k: 'val', v: { t: 'bool', v: true } }, (a) => {
      if (a.t === 'rec') {
        const v = a.v.get(name);
        if (!v) throw new EvalError('no such field');
        return v;
      }
      if (a.t !== 'ent') throw new EvalError('attribute of a non-entity');
      const e = this.store.get(uidKey(a));
      if (!e || !Object.hasOwn(e.attrs, name)) throw new EvalError('no such attribute');
      return toVal(e.attrs[name]);
    });
  }

  private has(of: Sym, name: string): Sym {
    if (of.k === 'resource') {
      const shape = this.shape;
      if (shape?.k !== 'Record' || !shape.attrs.has(name)) return this.constant(false);
      if (!shape.required.has(name)) return unsupported(`\`resource has ${name}\` (an optional attribute)`);
      return this.constant(true);
    }
    if (of.k === 'attr') {
      if (of.type.k !== 'Entity') return unsupported(`\`has\` on resource.${of.name}`);
      const attribute = of.name;
      const withIt = this.store
        .ofType(of.type.name)
        .filter((e) => Object.hasOwn(e.attrs, name))
        .map((e) => ({ type: e.uid.type, id: e.uid.id }));
      // `has` on an entity that is not stored is false, not an error.
      return this.constantB(withIt.length ? { op: 'in', attribute, values: withIt } : FALSE);
    }
    return this.lift2(of, { k: 'val', v: { t: 'bool', v: true } }, (a) => {
      if (a.t === 'rec') return { t: 'bool', v: a.v.has(name) };
      if (a.t !== 'ent') throw new EvalError('has on a non-entity');
      const e = this.store.get(uidKey(a));
      return { t: 'bool', v: Boolean(e && Object.hasOwn(e.attrs, name)) };
    });
  }

  private constantB(t: PlanCondition): Sym {
    return { k: 'bool', b: { t, e: FALSE } };
  }
}

/**
 * The entities Cedar's partial evaluation can read. With the resource unknown, it reads only what the known parts
 * reach (the principal, the context, the entities their attributes and ancestors name, literals in policies), and
 * the planner itself resolves what the resource reaches. So resources of the planned type — the bulk of a store —
 * are left out unless something else names them (an attribute, the context) or the policies name one literally:
 * serialising 20,000 orders into Cedar for every plan took 1.5 s of the thread that also answers decisions.
 */
function cedarSlice(entities: Entity[], request: PlanRequest, policyText: string): Entity[] {
  const type = request.resourceType;
  if (policyText.includes(`${type}::`)) return entities;
  const byKey = new Map<string, Entity>();
  for (const e of entities) byKey.set(uidKey(e.uid), e);
  const keep = new Set<string>();
  const stack: string[] = [uidKey(request.principal)];
  const refs = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(refs);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const uid = (o.__entity ?? (typeof o.type === 'string' && typeof o.id === 'string' ? o : undefined)) as EntityUid | undefined;
      if (uid && typeof uid.type === 'string' && typeof uid.id === 'string') stack.push(uidKey(uid));
      else Object.values(o).forEach(refs);
    }
  };
  refs(request.context ?? {});
  for (const e of entities) if (e.uid.type !== type) stack.push(uidKey(e.uid));
  while (stack.length) {
    const key = stack.pop()!;
    if (keep.has(key)) continue;
    keep.add(key);
    const e = byKey.get(key);
    if (!e) continue;
    for (const p of e.parents) stack.push(uidKey(p));
    refs(e.attrs);
    if (e.tags) refs(e.tags);
  }
  return entities.filter((e) => keep.has(uidKey(e.uid)));
}

function parseKey(key: string): EntityUid {
  const i = key.indexOf('::"');
  return { type: key.slice(0, i), id: JSON.parse(key.slice(i + 2)) as string };
}

function dedupe(values: Val[]): Val[] {
  const seen = new Map<string, Val>();
  for (const v of values) seen.set(valKey(v), v);
  return [...seen.values()];
}

/** Cases with the same value merged (their conditions or-ed): `resource.integration.status` has a few values. */
function merge(s: Extract<Sym, { k: 'cases' }>): Sym {
  const byValue = new Map<string, { when: PlanCondition[]; v: Val }>();
  for (const c of s.cases) {
    const key = valKey(c.v);
    const at = byValue.get(key);
    if (at) at.when.push(c.when);
    else byValue.set(key, { when: [c.when], v: c.v });
  }
  return { k: 'cases', cases: [...byValue.values()].map((c) => ({ when: mergeWhen(c.when), v: c.v })), err: s.err };
}

/** `eq(a, x) or eq(a, y)` → `in(a, [x, y])`. */
function mergeWhen(conds: PlanCondition[]): PlanCondition {
  const all = or(...conds);
  if (all.op !== 'or') return all;
  const first = all.args[0];
  if (first.op === 'eq' && all.args.every((c) => c.op === 'eq' && c.attribute === first.attribute))
    return { op: 'in', attribute: first.attribute, values: all.args.map((c) => (c as { value: PlanValue }).value) };
  return all;
}

// ---------------------------------------------------------------------------------------------------------------

/** How the error of an always_denied plan begins when planning itself failed (rather than the policies denying). */
export const PLANNING_FAILED = 'planning failed';

/**
 * Plans `request` over `policy` and the stored entities. Errors a decision would deny on answer always_denied with
 * the error; what the condition language cannot say exactly throws PlanUnsupportedError.
 */
export function planAuthorization(props: PlanProps): Plan {
  try {
    return plan(props);
  } catch (error) {
    if (error instanceof PlanUnsupportedError) throw error;
    // Deny on any other error, as decisions do (Cedar being replaced after a fault included).
    return { kind: 'always_denied', errors: [redactMessage(`${PLANNING_FAILED}: ${(error as Error).message}`)], policyHash: props.policy?.hash ?? '' };
  }
}

interface PlanProps {
  policy: CompiledPolicySet | undefined;
  entities: Iterable<Entity>;
  /** stored entities the active schema refuses (decisions that read them deny) */
  refused?: ReadonlyMap<string, string>;
  actionType: string;
  request: PlanRequest;
}

function plan(props: PlanProps): Plan {
  const { policy, request } = props;
  const denied = (errors: string[]): Plan => ({ kind: 'always_denied', errors: errors.map((m) => redactMessage(m)), policyHash: policy?.hash ?? '' });
  if (!policy) return denied(['no active policy set: denying everything']);
  if (props.refused?.size)
    throw new PlanUnsupportedError(
      `${props.refused.size} stored entit${props.refused.size === 1 ? 'y does' : 'ies do'} not conform to the active schema; decisions that read them deny, which a condition cannot say`,
    );
  const schema = policy.evaluator.schema;
  if (!schema) return denied(['the active policy set has no schema: denying everything']);
  const actionType = request.action.type ?? (policy.actionTypes.size === 1 ? policy.actionTypes.values().next().value! : props.actionType);
  const action = schema.actions.get(uidKey({ type: actionType, id: request.action.id }));
  if (!action) return denied([`request is invalid: the schema has no action ${uidKey({ type: actionType, id: request.action.id })}`]);
  if (!action.principalTypes.has(request.principal.type))
    return denied([`request is invalid: ${request.principal.type} is not a principal type of ${uidKey({ type: actionType, id: request.action.id })}`]);
  if (!action.resourceTypes.has(request.resourceType))
    return denied([`request is invalid: ${request.resourceType} is not a resource type of ${uidKey({ type: actionType, id: request.action.id })}`]);
  const entityType = schema.entityTypes.get(request.resourceType);
  if (entityType?.enumIds) throw new PlanUnsupportedError(`${request.resourceType} is an enumerated entity type`);

  const entities = [...props.entities];
  const answer = decidingCedar.run((api) =>
    api.isAuthorizedPartial({
      principal: request.principal,
      action: { type: actionType, id: request.action.id },
      resource: null,
      context: (request.context ?? {}) as never,
      schema: (policy.schema.trimStart().startsWith('{') ? JSON.parse(policy.schema) : policy.schema) as never,
      validateRequest: true,
      policies: {
        staticPolicies: policy.byId,
        ...(policy.links?.length ? { templates: policy.templates, templateLinks: policy.links as never } : {}),
      },
      entities: cedarSlice(entities, request, policy.policies) as never,
    }),
  );
  if (answer.type === 'failure') return denied(answer.errors.map((e) => `request is invalid: ${e.message}`));
  const response = answer.response;
  const errors: string[] = [];
  const residuals = response.residuals;
  // An erring forbid denies every resource (the PDP's rule); an erring permit grants nothing.
  for (const id of response.errored) {
    const effect = residuals[id]?.effect;
    if (effect === 'forbid' || effect === undefined) return denied([`${id}: the policy errs for every resource`]);
    errors.push(`${id}: the policy errs for every resource`);
  }

  const view = storeView(entities, policy);
  const reader = new Reader(view, request.resourceType, entityType?.shape, {
    principal: () => ({ t: 'ent', ...request.principal }),
    action: () => ({ t: 'ent', type: actionType, id: request.action.id }),
    context: () => toVal(request.context ?? {}),
  });
  const permits: PlanCondition[] = [];
  const forbids: PlanCondition[] = [];
  for (const [id, residual] of Object.entries(residuals)) {
    if (response.errored.includes(id)) continue;
    const b = policyCondition(reader, residual);
    if (residual.effect === 'permit') permits.push(b.t);
    else forbids.push(b.t, b.e);
  }
  const condition = and(or(...permits), not(or(...forbids)));
  if (condition.op === 'true') return { kind: 'always_allowed', errors, policyHash: policy.hash };
  if (condition.op === 'false') return { kind: 'always_denied', errors, policyHash: policy.hash };
  return { kind: 'conditional', condition, errors, policyHash: policy.hash };
}

/** A residual policy's scope and conditions as one row-dependent boolean. */
function policyCondition(reader: Reader, p: PolicyJson): Bool {
  if (p.principal.op !== 'All' || p.action.op !== 'All' || p.resource.op !== 'All') unsupported('a residual policy with a scope constraint');
  let b: Bool = { t: TRUE, e: FALSE };
  for (const clause of p.conditions) {
    const body = reader.bool(clause.body);
    const c = clause.kind === 'when' ? body : { t: and(not(body.t), not(body.e)), e: body.e };
    b = { t: and(b.t, c.t), e: or(b.e, and(b.t, c.e)) };
  }
  return b;
}

/** The PDP's view for planning: the platform PDP's active set and refused entities, over its entity source. */
export function planWith(
  pdp: { active: CompiledPolicySet | undefined; refusedEntities: ReadonlyMap<string, string> },
  source: Pick<EntitySource, 'all'>,
  request: PlanRequest,
): Plan {
  return planAuthorization({ policy: pdp.active, entities: source.all(), refused: pdp.refusedEntities, actionType: 'Action', request });
}
