/**
 * What the three benchmark apps (gdrive, github, tinytodo) share: the app shape the bench and the test run, a
 * seeded random source, the reachable closure of a request (what cedar-wasm is handed), and the comparison of
 * the evaluator's answer with cedar-wasm's.
 */
import { readFileSync } from 'node:fs';
import type * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { referencedUids, uidKey, type Entity, type EntityUid } from '../../../engine/authz/entity.ts';
import type { AuthorizeAnswer, CedarRequest } from '../../../engine/authz/evaluator/index.ts';
import { rng } from '../request-mix.ts';

export interface BenchApp {
  name: 'gdrive' | 'github' | 'tinytodo';
  /** Cedar schema text */
  schema: string;
  /** Cedar policy text */
  policies: string;
  /** a seeded entity store of about `size` entities (the exact count is the array's length) */
  entities(size: number, seed: number): Entity[];
  /** `count` seeded requests over those entities, every one valid for the schema */
  requests(entities: Entity[], count: number, seed: number): CedarRequest[];
}

/** Reads a file next to the app modules. */
export const appFile = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');

/** A seeded random source with the helpers the generators use. */
export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  float(): number {
    return this.next();
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** up to n distinct elements */
  some<T>(xs: readonly T[], n: number): T[] {
    const out = new Set<T>();
    for (let i = 0; i < n * 3 && out.size < Math.min(n, xs.length); i++) out.add(this.pick(xs));
    return [...out];
  }
}

export const uid = (type: string, id: string): EntityUid => ({ type, id });
/** An entity reference as an attribute value (Cedar's explicit JSON form: both engines read it without a schema type). */
export const ref = (u: EntityUid) => ({ __entity: { type: u.type, id: u.id } });
export const action = (id: string): EntityUid => ({ type: 'Action', id });

/**
 * The entities a request can reach: principal, resource and the context's entity references, then,
 * transitively, every parent and every entity an attribute names. Action entities are not included: with a
 * schema, cedar-wasm takes the actions and their groups from the schema.
 */
export class ClosureIndex {
  private readonly byKey = new Map<string, Entity>();
  private readonly edges = new Map<string, EntityUid[]>();
  constructor(entities: Entity[]) {
    for (const e of entities) {
      const key = uidKey(e.uid);
      this.byKey.set(key, e);
      this.edges.set(key, [...e.parents, ...referencedUids(e.attrs)]);
    }
  }

  of(request: CedarRequest): Entity[] {
    const out: Entity[] = [];
    const seen = new Set<string>();
    const stack: EntityUid[] = [request.principal, request.resource, ...referencedUids(request.context)];
    while (stack.length) {
      const u = stack.pop()!;
      const key = uidKey(u);
      if (seen.has(key)) continue;
      seen.add(key);
      const e = this.byKey.get(key);
      if (!e) continue;
      out.push(e);
      for (const next of this.edges.get(key)!) if (!seen.has(uidKey(next))) stack.push(next);
    }
    return out;
  }
}

/** undefined when the two answers agree (decision, reasons as sets, erroring policies as sets); else what differs. */
export function disagreement(mine: AuthorizeAnswer, wasm: cedar.AuthorizationAnswer): string | undefined {
  if (wasm.type === 'failure') return `cedar-wasm failed: ${wasm.errors.map((e) => e.message).join('; ')}`;
  const set = (xs: readonly string[]) => [...new Set(xs)].sort().join(',');
  const theirs = wasm.response;
  if (theirs.decision !== mine.decision) return `decision: evaluator ${mine.decision}, cedar-wasm ${theirs.decision}`;
  if (set(theirs.diagnostics.reason) !== set(mine.reasons)) return `reasons: evaluator [${set(mine.reasons)}], cedar-wasm [${set(theirs.diagnostics.reason)}]`;
  const theirErrors = theirs.diagnostics.errors.map((e) => e.policyId);
  if (set(theirErrors) !== set(mine.errors)) return `errors: evaluator [${set(mine.errors)}], cedar-wasm [${set(theirErrors)}]`;
  return undefined;
}

/** By type, for the generators' statistics. */
export function countByType(entities: Entity[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entities) out[e.uid.type] = (out[e.uid.type] ?? 0) + 1;
  return out;
}
