/**
 * Concrete minimization of a disagreement, after fast-check's shrinking of the choice tape: greedily deletes
 * requests, policies, links, conditions, entities, attributes, parents, tags and context fields, and replaces
 * expression nodes by `true`, `false` or one of their own children — keeping each step only if the evaluator and
 * cedar-wasm still disagree *the same way* (same pair of outcomes), so it does not drift to another bug.
 */
import type { Expr, PolicyAst, SchemaModel, World } from './model.ts';
import { printSchema } from './print.ts';
import type { Subject } from './subject.ts';
import { checkWorld } from './harness.ts';

const stillFails = (w: World, kind: string, subject?: Subject): boolean => checkWorld(w, undefined, subject).some((m) => m.kind === kind);

/** Policies are named by position: after a deletion, renumber them (and their links). */
function renumber(w: World): World {
  const rename = new Map<string, string>();
  const policies = w.policies.map((p, i) => {
    const id = `policy${i}`;
    rename.set(p.id, id);
    return { ...p, id };
  });
  const links = w.links.filter((l) => rename.has(l.templateId)).map((l) => ({ ...l, templateId: rename.get(l.templateId)! }));
  return { ...w, policies, links };
}

function exprChildren(e: Expr): Expr[] {
  switch (e.t) {
    case 'not':
    case 'neg':
    case 'attr':
    case 'has':
    case 'like':
      return [e.a];
    case 'bin':
      return [e.a, e.b];
    case 'ite':
      return [e.c, e.a, e.b];
    case 'is':
      return e.in ? [e.a, e.in] : [e.a];
    case 'method':
      return [e.a, ...e.args];
    case 'call':
      return e.args;
    case 'set':
      return e.els;
    case 'rec':
      return e.fields.map(([, v]) => v);
    default:
      return [];
  }
}

function withChildren(e: Expr, kids: Expr[]): Expr {
  switch (e.t) {
    case 'not':
    case 'neg':
    case 'attr':
    case 'has':
    case 'like':
      return { ...e, a: kids[0]! };
    case 'bin':
      return { ...e, a: kids[0]!, b: kids[1]! };
    case 'ite':
      return { ...e, c: kids[0]!, a: kids[1]!, b: kids[2]! };
    case 'is':
      return e.in ? { ...e, a: kids[0]!, in: kids[1]! } : { ...e, a: kids[0]! };
    case 'method':
      return { ...e, a: kids[0]!, args: kids.slice(1) };
    case 'call':
      return { ...e, args: kids };
    case 'set':
      return { ...e, els: kids };
    case 'rec':
      return { ...e, fields: e.fields.map(([k], i) => [k, kids[i]!] as [string, Expr]) };
    default:
      return e;
  }
}

/** Every expression one step simpler than e: a node replaced by a constant or by one of its children. */
function* simpler(e: Expr): Generator<Expr> {
  if (!(e.t === 'bool')) {
    yield { t: 'bool', v: true };
    yield { t: 'bool', v: false };
  }
  const kids = exprChildren(e);
  yield* kids;
  if (e.t === 'set') for (let i = 0; i < kids.length; i++) yield { ...e, els: kids.filter((_, j) => j !== i) };
  if (e.t === 'rec') for (let i = 0; i < kids.length; i++) yield { ...e, fields: e.fields.filter((_, j) => j !== i) };
  for (let i = 0; i < kids.length; i++) {
    for (const k of simpler(kids[i]!)) {
      const next = [...kids];
      next[i] = k;
      yield withChildren(e, next);
    }
  }
}

function* policyVariants(p: PolicyAst, template: boolean): Generator<PolicyAst> {
  for (let i = 0; i < p.conditions.length; i++) yield { ...p, conditions: p.conditions.filter((_, j) => j !== i) };
  if (p.annotations.length) yield { ...p, annotations: [] };
  if (!template) {
    if (p.principal.op !== 'all') yield { ...p, principal: { op: 'all' } };
    if (p.resource.op !== 'all') yield { ...p, resource: { op: 'all' } };
  }
  if (p.action.op !== 'all') yield { ...p, action: { op: 'all' } };
  for (let i = 0; i < p.conditions.length; i++) {
    for (const body of simpler(p.conditions[i]!.body)) {
      yield { ...p, conditions: p.conditions.map((c, j) => (j === i ? { ...c, body } : c)) };
    }
  }
}

/** Smaller schemas: fewer actions, types, attributes, parents, tags, context attributes. */
function* schemaVariants(m: SchemaModel): Generator<SchemaModel> {
  for (const a of m.actions) {
    yield { ...m, actions: m.actions.filter((x) => x !== a).map((x) => ({ ...x, memberOf: x.memberOf.filter((g) => g !== a.id) })) };
  }
  for (const t of m.entityTypes) yield { ...m, entityTypes: m.entityTypes.filter((x) => x !== t) };
  const putType = (i: number, t: SchemaModel['entityTypes'][number]) => ({ ...m, entityTypes: m.entityTypes.map((x, j) => (j === i ? t : x)) });
  for (let i = 0; i < m.entityTypes.length; i++) {
    const t = m.entityTypes[i]!;
    for (const k of Object.keys(t.shape)) yield putType(i, { ...t, shape: Object.fromEntries(Object.entries(t.shape).filter(([kk]) => kk !== k)) });
    for (const g of t.memberOf) yield putType(i, { ...t, memberOf: t.memberOf.filter((x) => x !== g) });
    if (t.tags) yield putType(i, { ...t, tags: undefined });
  }
  for (let i = 0; i < m.actions.length; i++) {
    const a = m.actions[i]!;
    if (!a.appliesTo) continue;
    const put = (appliesTo: typeof a.appliesTo) => ({ ...m, actions: m.actions.map((x, j) => (j === i ? { ...a, appliesTo } : x)) });
    for (const k of Object.keys(a.appliesTo.context))
      yield put({ ...a.appliesTo, context: Object.fromEntries(Object.entries(a.appliesTo.context).filter(([kk]) => kk !== k)) });
    if (a.appliesTo.principals.length > 1)
      for (const p of a.appliesTo.principals) yield put({ ...a.appliesTo, principals: a.appliesTo.principals.filter((x) => x !== p) });
    if (a.appliesTo.resources.length > 1)
      for (const r of a.appliesTo.resources) yield put({ ...a.appliesTo, resources: a.appliesTo.resources.filter((x) => x !== r) });
  }
}

function* candidates(w: World): Generator<World> {
  for (let i = 0; i < w.policies.length; i++) {
    yield renumber({ ...w, policies: w.policies.filter((_, j) => j !== i), links: w.links.filter((l) => l.templateId !== w.policies[i]!.id) });
  }
  for (let i = 0; i < w.links.length; i++) yield { ...w, links: w.links.filter((_, j) => j !== i) };
  for (let i = 0; i < w.entities.length; i++) yield { ...w, entities: w.entities.filter((_, j) => j !== i) };
  for (let i = 0; i < w.entities.length; i++) {
    const e = w.entities[i] as { attrs: Record<string, unknown>; parents: unknown[]; tags?: Record<string, unknown> };
    const put = (x: unknown) => ({ ...w, entities: w.entities.map((y, j) => (j === i ? x : y)) });
    for (const k of Object.keys(e.attrs)) yield put({ ...e, attrs: Object.fromEntries(Object.entries(e.attrs).filter(([kk]) => kk !== k)) });
    for (let p = 0; p < e.parents.length; p++) yield put({ ...e, parents: e.parents.filter((_, j) => j !== p) });
    if (e.tags) for (const k of Object.keys(e.tags)) yield put({ ...e, tags: Object.fromEntries(Object.entries(e.tags).filter(([kk]) => kk !== k)) });
  }
  if (w.requests.length > 1) for (let i = 0; i < w.requests.length; i++) yield { ...w, requests: w.requests.filter((_, j) => j !== i) };
  for (let i = 0; i < w.requests.length; i++) {
    const r = w.requests[i]!;
    for (const k of Object.keys(r.context)) {
      const ctx = Object.fromEntries(Object.entries(r.context).filter(([kk]) => kk !== k));
      yield { ...w, requests: w.requests.map((x, j) => (j === i ? { ...r, context: ctx } : x)) };
    }
  }
  for (const model of schemaVariants(w.model)) yield { ...w, model, schema: printSchema(model, typeof w.schema === 'string') };
  for (let i = 0; i < w.policies.length; i++) {
    for (const ast of policyVariants(w.policies[i]!.ast, w.policies[i]!.template)) {
      yield { ...w, policies: w.policies.map((p, j) => (j === i ? { ...p, ast } : p)) };
    }
  }
}

/** The smallest world found that still disagrees in the same way (`kind`); `budgetMs` bounds the search. */
export function minimize(world: World, kind: string, budgetMs = 20_000, subject?: Subject): World {
  const first = checkWorld(world, undefined, subject).find((m) => m.kind === kind);
  if (!first) return world;
  let w: World = { ...world, requests: [first.request] };
  // The one-shot entry point is asked about the first request only; the kept request is now the first.
  if (!stillFails(w, kind, subject)) w = world;
  const deadline = Date.now() + budgetMs;
  let progress = true;
  while (progress && Date.now() < deadline) {
    progress = false;
    for (const cand of candidates(w)) {
      if (Date.now() > deadline) break;
      if (stillFails(cand, kind, subject)) {
        w = cand;
        progress = true;
        break;
      }
    }
  }
  return w;
}
