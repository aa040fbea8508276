/**
 * The data the differential test generates: a schema model (from which the Cedar JSON schema, and sometimes its
 * text, are printed), policies as syntax trees (printed to Cedar text), entity JSON and requests. Trees rather than
 * strings so that coverage can be counted and a counter-example can be simplified node by node.
 */
import type { CedarRequest, CedarUid } from './subject.ts';

export type ExtName = 'decimal' | 'ipaddr' | 'datetime' | 'duration';

export type Ty =
  | { k: 'Bool' }
  | { k: 'Long' }
  | { k: 'String' }
  | { k: 'Set'; el: Ty }
  | { k: 'Record'; attrs: Record<string, Attr> }
  /** `name` is unqualified: the schema's namespace is applied when printing. */
  | { k: 'Entity'; name: string }
  | { k: 'Ext'; name: ExtName };

export interface Attr {
  ty: Ty;
  required: boolean;
}

export interface EntityTypeDef {
  name: string;
  memberOf: string[];
  shape: Record<string, Attr>;
  tags?: Ty;
  /** An enumerated entity type: exactly these entities exist, with no attributes or parents. */
  enumIds?: string[];
}

export interface ActionDef {
  id: string;
  memberOf: string[];
  /** Absent: the action cannot appear in a request (a pure group). */
  appliesTo?: { principals: string[]; resources: string[]; context: Record<string, Attr> };
}

export interface SchemaModel {
  /** '' for the empty namespace. */
  ns: string;
  entityTypes: EntityTypeDef[];
  actions: ActionDef[];
}

export type BinOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '&&' | '||' | 'in';

export type PatternPiece = { star: true } | { lit: string };

export type Expr =
  | { t: 'bool'; v: boolean }
  | { t: 'long'; v: bigint }
  | { t: 'str'; v: string }
  | { t: 'var'; v: 'principal' | 'action' | 'resource' | 'context' }
  /** `type` is qualified. */
  | { t: 'euid'; type: string; id: string }
  | { t: 'not'; a: Expr }
  | { t: 'neg'; a: Expr }
  | { t: 'bin'; op: BinOp; a: Expr; b: Expr }
  | { t: 'ite'; c: Expr; a: Expr; b: Expr }
  | { t: 'is'; a: Expr; type: string; in?: Expr }
  | { t: 'has'; a: Expr; path: string[] }
  | { t: 'like'; a: Expr; pat: PatternPiece[] }
  | { t: 'attr'; a: Expr; attr: string }
  | { t: 'method'; a: Expr; m: string; args: Expr[] }
  | { t: 'call'; fn: string; args: Expr[] }
  | { t: 'set'; els: Expr[] }
  | { t: 'rec'; fields: Array<[string, Expr]> };

export type ScopeConstraint =
  { op: 'all' } | { op: '=='; uid: CedarUid | 'slot' } | { op: 'in'; uid: CedarUid | 'slot' } | { op: 'is'; type: string; in?: CedarUid | 'slot' };

export type ActionConstraint = { op: 'all' } | { op: '=='; id: string } | { op: 'in'; ids: string[]; list: boolean };

export interface PolicyAst {
  effect: 'permit' | 'forbid';
  /** The `@id` annotation, when the policy has one. */
  annotationId?: string;
  /** Other annotations, which must not change anything. */
  annotations: Array<[string, string]>;
  principal: ScopeConstraint;
  action: ActionConstraint;
  resource: ScopeConstraint;
  conditions: Array<{ kind: 'when' | 'unless'; body: Expr }>;
}

export interface TemplateLinkDef {
  templateId: string;
  newId: string;
  values: Record<string, CedarUid>;
}

export interface World {
  model: SchemaModel;
  /** What both sides are given: Cedar JSON schema, or its text. */
  schema: string | Record<string, unknown>;
  /** In text order; `id` is Cedar's positional id for policy text (`policyN`), which the evaluator reports too. */
  policies: Array<{ id: string; ast: PolicyAst; template: boolean }>;
  links: TemplateLinkDef[];
  entities: unknown[];
  requests: CedarRequest[];
  /** Facts about the generated input that the syntax trees do not show (for the coverage count). */
  features: string[];
}
