/**
 * The incrementally kept ancestor sets equal the ones computed from scratch: random sequences of upserts (single
 * and bulk) and removals over a small universe of entities (so parents are often missing or shared, and writes that would make a cycle are refused and leave the index as
 * it was), then
 * every stored entity's ancestors are compared with an index built fresh from what is stored at the end, and
 * with a plain reachability walk.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityIndex } from './entity-index.ts';

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const uid = (id: string) => ({ type: 'N', id });
const entity = fc.record({ id: fc.constantFrom(...ids), parents: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 3 }) });
const op = fc.oneof(
  entity.map((e) => ({ kind: 'upsert' as const, e })),
  fc.array(entity, { maxLength: 4 }).map((es) => ({ kind: 'many' as const, es })),
  fc.constantFrom(...ids).map((id) => ({ kind: 'remove' as const, id })),
);
const json = (e: { id: string; parents: string[] }) => ({ uid: uid(e.id), attrs: {}, parents: e.parents.map(uid) });

function hasCycle(stored: Map<string, { id: string; parents: string[] }>): boolean {
  for (const start of stored.keys()) {
    const seen = new Set<string>();
    const stack = [...stored.get(start)!.parents];
    while (stack.length) {
      const p = stack.pop()!;
      if (p === start) return true;
      if (seen.has(p)) continue;
      seen.add(p);
      stack.push(...(stored.get(p)?.parents ?? []));
    }
  }
  return false;
}

describe('entity index ancestor closure', () => {
  it('incremental upkeep equals a fresh computation', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const index = new EntityIndex();
        const stored = new Map<string, { id: string; parents: string[] }>();
        for (const o of ops) {
          // The model: what would be stored after the write; Cedar refuses a write that makes a cycle.
          const next = new Map(stored);
          if (o.kind === 'upsert') next.set(o.e.id, o.e);
          else if (o.kind === 'many') for (const e of o.es) next.set(e.id, e);
          else next.delete(o.id);
          const write = () => {
            if (o.kind === 'upsert') index.upsert(json(o.e));
            else if (o.kind === 'many') index.upsertMany(o.es.map(json));
            else index.remove(uid(o.id));
          };
          if (hasCycle(next)) expect(write).toThrow(/cycle/);
          else {
            write();
            stored.clear();
            for (const [k, v] of next) stored.set(k, v);
          }
        }
        const fresh = new EntityIndex({ entities: [...stored.values()].map(json) });
        for (const e of stored.values()) {
          // Plain reachability over the stored parent lists; a parent that is not stored ends its path.
          const reach = new Set<string>();
          const stack = [...e.parents];
          while (stack.length) {
            const p = stack.pop()!;
            if (reach.has(p)) continue;
            reach.add(p);
            stack.push(...(stored.get(p)?.parents ?? []));
          }
          reach.delete(e.id);
          const key = `N::${JSON.stringify(e.id)}`;
          const expected = new Set([...reach].map((p) => `N::${JSON.stringify(p)}`));
          expect(index.get(key)!.ancestors).toEqual(expected);
          expect(fresh.get(key)!.ancestors).toEqual(expected);
        }
        expect(index.size).toBe(stored.size);
      }),
      { numRuns: 2000, seed },
    );
  });
});
