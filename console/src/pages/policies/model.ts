// Shapes of the policy routes (generated from the OpenAPI document) and small helpers to read Cedar text in the
// browser: no Cedar parser here, just enough to list and jump to policies.
import type { Answer, Schemas } from '../../api.ts';

export const SET_LABEL: Record<PolicySetName, string> = { platform: 'Platform', tenet: 'Tenet' };
export const SET_DESCRIPTION: Record<PolicySetName, string> = {
  platform: "Who may do what on the governed platform's data (asked through /v1/authorize).",
  tenet: "Who may call Tenet's own routes: this console and the API.",
};

type PoliciesAnswer = Answer<'/v1/policies'>;
export type PolicySet = PoliciesAnswer['policySets'][number];
export type PolicySetName = PolicySet['name'];
export type PolicyVersion = Schemas['PolicyVersion'];
/** What POST /v1/policies/validate answers (and what a 409 on PUT carries in error.details.report). */
export type CheckReport = Schemas['PolicyCheckReport'];
type TableFailure = NonNullable<CheckReport['tables']>['failed'][number];
export type StoredEntity = Schemas['StoredEntity'];

/** A report as the panels show it: errors and warnings, and the decision tables when they ran. */
export function readReport(r: CheckReport | undefined | null): {
  ok: boolean;
  hash?: string;
  errors: string[];
  warnings: string[];
  passed: number | null;
  failures: TableFailure[];
  tablesRan: boolean;
} {
  return {
    ok: Boolean(r?.ok),
    hash: r?.hash,
    errors: r?.validation.errors ?? [],
    warnings: r?.validation.warnings ?? [],
    passed: r?.tables?.passed ?? null,
    failures: r?.tables?.failed ?? [],
    tablesRan: Boolean(r?.tables),
  };
}

// ---- Cedar text -------------------------------------------------------------------------------------------------

export interface CedarSegment {
  /** the policy's @id, when this segment is one policy */
  id?: string;
  effect?: 'permit' | 'forbid';
  text: string;
}

const ID_LINE = /^\s*@id\(\s*"((?:[^"\\]|\\.)*)"\s*\)/;
const isComment = (line: string) => /^\s*\/\//.test(line);
const isBlank = (line: string) => line.trim() === '';

/**
 * Splits Cedar policy text into segments: each policy with an @id (with the comment lines right above it) is one
 * segment; section comments and blank lines in between are plain segments. Joining the texts gives the input back.
 */
export function splitPolicies(text: string): CedarSegment[] {
  const lines = text.split('\n');
  const starts: Array<{ line: number; id: string }> = [];
  lines.forEach((line, i) => {
    const m = ID_LINE.exec(line);
    if (!m) return;
    let start = i;
    while (start > 0 && isComment(lines[start - 1]!)) start--;
    // annotations stacked above the @id belong to the policy too
    while (start > 0 && /^\s*@\w+/.test(lines[start - 1]!)) start--;
    starts.push({ line: start, id: m[1]!.replace(/\\(.)/g, '$1') });
  });
  if (starts.length === 0) return [{ text }];
  const out: CedarSegment[] = [];
  const push = (from: number, to: number, props: Omit<CedarSegment, 'text'> = {}) => {
    if (to <= from) return;
    out.push({ ...props, text: lines.slice(from, to).join('\n') + (to < lines.length ? '\n' : '') });
  };
  push(0, starts[0]!.line);
  starts.forEach((s, k) => {
    const next = k + 1 < starts.length ? starts[k + 1]!.line : lines.length;
    // the policy ends at its last code line; trailing blank lines and the next section's comments stand apart
    let end = next;
    while (end > s.line + 1 && (isBlank(lines[end - 1]!) || isComment(lines[end - 1]!))) end--;
    const body = lines.slice(s.line, end).join('\n');
    const effect = /\bforbid\s*\(/.test(body) ? 'forbid' : /\bpermit\s*\(/.test(body) ? 'permit' : undefined;
    push(s.line, end, { id: s.id, effect });
    push(end, next);
  });
  return out;
}

/** One policy's text by id (comments included), or undefined. */
export function policyText(text: string | undefined, id: string): string | undefined {
  if (!text) return undefined;
  return splitPolicies(text)
    .find((s) => s.id === id)
    ?.text.trimEnd();
}

export const policyAnchor = (set: PolicySetName, id: string) => `policy-${set}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

// ---- Cedar schema -----------------------------------------------------------------------------------------------

export interface SchemaSummary {
  entityTypes: string[];
  actions: Array<{ id: string; principals: string[]; resources: string[] }>;
}

const stripComments = (s: string) => s.replace(/\/\/[^\n]*/g, '');
const names = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);

/** Entity types and actions declared in a Cedar schema (best effort, for suggestions and hints only). */
export function summariseSchema(schema: string | undefined): SchemaSummary {
  if (!schema) return { entityTypes: [], actions: [] };
  const s = stripComments(schema).replace(/\benum\s*\[[^\]]*\]/g, '');
  const entityTypes = new Set<string>();
  for (const m of s.matchAll(/\bentity\s+([^{;]+?)(?:\s+in\s+\[[^\]]*\]|\s+in\s+\w+)?\s*(?:=\s*)?[{;]/g)) {
    for (const n of names(m[1]!)) entityTypes.add(n);
  }
  const actions: SchemaSummary['actions'] = [];
  for (const m of s.matchAll(/\baction\s+([^;{]+?)(?:\s+in\s+\[[^\]]*\])?\s+appliesTo\s*\{([\s\S]*?)\}\s*;/g)) {
    const body = m[2]!;
    const list = (key: string) => {
      const r = new RegExp(`${key}\\s*:\\s*(?:\\[([^\\]]*)\\]|([A-Za-z_][\\w:]*))`).exec(body);
      return r ? names(r[1] ?? r[2] ?? '') : [];
    };
    for (const id of names(m[1]!)) actions.push({ id, principals: list('principal'), resources: list('resource') });
  }
  return { entityTypes: [...entityTypes].sort(), actions: actions.sort((a, b) => a.id.localeCompare(b.id)) };
}
