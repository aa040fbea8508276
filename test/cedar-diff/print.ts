/**
 * Printing the generated model as Cedar: policy text from syntax trees (every compound parenthesised, so the
 * printed text means the tree whatever the precedence rules), and the Cedar JSON schema.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Attr, Expr, PatternPiece, PolicyAst, SchemaModel, ScopeConstraint, Ty } from './model.ts';
import type { CedarUid } from './subject.ts';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'is', 'like', 'has', 'principal', 'action', 'resource', 'context', '__cedar']);

/** A Cedar string literal. */
export function str(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

function pattern(pieces: PatternPiece[]): string {
  let out = '"';
  for (const p of pieces) {
    if ('star' in p) out += '*';
    else out += str(p.lit).slice(1, -1).replaceAll('*', '\\*'); // a literal star is escaped in a pattern
  }
  return out + '"';
}

export const uidText = (u: CedarUid): string => `${u.type}::${str(u.id)}`;

export function printExpr(e: Expr): string {
  switch (e.t) {
    case 'bool':
      return String(e.v);
    // A negative literal is written as Cedar's own negative literal, so i64::MIN is expressible.
    case 'long':
      return e.v < 0n ? `(${e.v})` : String(e.v);
    case 'str':
      return str(e.v);
    case 'var':
      return e.v;
    case 'euid':
      return `${e.type}::${str(e.id)}`;
    case 'not':
      return `(!${printExpr(e.a)})`;
    case 'neg':
      return `(-${printExpr(e.a)})`;
    case 'bin':
      return `(${printExpr(e.a)} ${e.op} ${printExpr(e.b)})`;
    case 'ite':
      return `(if ${printExpr(e.c)} then ${printExpr(e.a)} else ${printExpr(e.b)})`;
    case 'is':
      return `(${printExpr(e.a)} is ${e.type}${e.in ? ` in ${printExpr(e.in)}` : ''})`;
    case 'has': {
      const plain = e.path.every((p) => IDENT.test(p) && !RESERVED.has(p));
      return `(${printExpr(e.a)} has ${plain ? e.path.join('.') : str(e.path[0]!)})`;
    }
    case 'like':
      return `(${printExpr(e.a)} like ${pattern(e.pat)})`;
    case 'attr':
      return IDENT.test(e.attr) && !RESERVED.has(e.attr) ? `${printExpr(e.a)}.${e.attr}` : `${printExpr(e.a)}[${str(e.attr)}]`;
    case 'method':
      return `${printExpr(e.a)}.${e.m}(${e.args.map(printExpr).join(', ')})`;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
    case 'set':
      return `[${e.els.map(printExpr).join(', ')}]`;
    case 'rec':
      return `{${e.fields.map(([k, v]) => `${IDENT.test(k) && !RESERVED.has(k) ? k : str(k)}: ${printExpr(v)}`).join(', ')}}`;
  }
}

function scope(v: 'principal' | 'resource', sc: ScopeConstraint): string {
  const target = (u: CedarUid | 'slot') => (u === 'slot' ? `?${v}` : uidText(u));
  switch (sc.op) {
    case 'all':
      return v;
    case '==':
      return `${v} == ${target(sc.uid)}`;
    case 'in':
      return `${v} in ${target(sc.uid)}`;
    case 'is':
      return `${v} is ${sc.type}${sc.in ? ` in ${target(sc.in)}` : ''}`;
  }
}

export function printPolicy(p: PolicyAst, m: SchemaModel): string {
  const act = (id: string) => `${m.ns ? `${m.ns}::` : ''}Action::${str(id)}`;
  const action =
    p.action.op === 'all'
      ? 'action'
      : p.action.op === '=='
        ? `action == ${act(p.action.id)}`
        : p.action.list
          ? `action in [${p.action.ids.map(act).join(', ')}]`
          : `action in ${act(p.action.ids[0]!)}`;
  const notes = [...(p.annotationId !== undefined ? [['id', p.annotationId] as [string, string]] : []), ...p.annotations]
    .map(([k, v]) => `@${k}(${str(v)})\n`)
    .join('');
  const conds = p.conditions.map((c) => `\n${c.kind} { ${printExpr(c.body)} }`).join('');
  return `${notes}${p.effect} (${scope('principal', p.principal)}, ${action}, ${scope('resource', p.resource)})${conds};`;
}

// ---------------------------------------------------------------------------------------------------------------

function tyJson(m: SchemaModel, ty: Ty): Record<string, unknown> {
  switch (ty.k) {
    case 'Bool':
      return { type: 'Boolean' };
    case 'Long':
      return { type: 'Long' };
    case 'String':
      return { type: 'String' };
    case 'Set':
      return { type: 'Set', element: tyJson(m, ty.el) };
    case 'Record':
      return { type: 'Record', attributes: shapeJson(m, ty.attrs) };
    case 'Entity':
      return { type: 'Entity', name: m.ns ? `${m.ns}::${ty.name}` : ty.name };
    case 'Ext':
      return { type: 'Extension', name: ty.name };
  }
}

function shapeJson(m: SchemaModel, shape: Record<string, Attr>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(shape)) out[k] = { ...tyJson(m, a.ty), ...(a.required ? {} : { required: false }) };
  return out;
}

/** The Cedar JSON schema of the model. */
export function jsonSchema(m: SchemaModel): Record<string, unknown> {
  const entityTypes: Record<string, unknown> = {};
  for (const t of m.entityTypes) {
    if (t.enumIds) {
      entityTypes[t.name] = { enum: t.enumIds };
      continue;
    }
    entityTypes[t.name] = {
      ...(t.memberOf.length ? { memberOfTypes: t.memberOf } : {}),
      ...(Object.keys(t.shape).length ? { shape: { type: 'Record', attributes: shapeJson(m, t.shape) } } : {}),
      ...(t.tags ? { tags: tyJson(m, t.tags) } : {}),
    };
  }
  const actions: Record<string, unknown> = {};
  for (const a of m.actions) {
    actions[a.id] = {
      ...(a.memberOf.length ? { memberOf: a.memberOf.map((id) => ({ id })) } : {}),
      ...(a.appliesTo
        ? {
            appliesTo: {
              principalTypes: a.appliesTo.principals,
              resourceTypes: a.appliesTo.resources,
              context: { type: 'Record', attributes: shapeJson(m, a.appliesTo.context) },
            },
          }
        : {}),
    };
  }
  return { [m.ns]: { entityTypes, actions } };
}

/** The schema as both sides get it: Cedar JSON, or the same schema as text (printed by cedar-wasm). */
export function printSchema(m: SchemaModel, asText: boolean): string | Record<string, unknown> {
  const json = jsonSchema(m);
  if (!asText) return json;
  const r = cedar.schemaToText(json as cedar.Schema);
  return r.type === 'success' ? r.text : json;
}
