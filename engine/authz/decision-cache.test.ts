import { describe, expect, it } from 'vitest';
import { uidKey, type Entity } from './entity.ts';
import { indexEntity, type IndexedEntity } from './entity-slice.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { compilePolicySet } from './policy-set.ts';

const schema = `
entity User;
entity Doc { owner: User };
action read appliesTo { principal: User, resource: Doc };
`;
const policies = `
@id("owner-reads")
permit (principal, action == Action::"read", resource) when { resource.owner == principal };
`;

describe('decision cache: a principal the slice names is never anonymised', () => {
  // PostgreSQL jsonb gives object keys back sorted by length then bytes, so a stored reference comes back as
  // {"__entity":{"id":…,"type":…}}: the cache once searched its key for JSON.stringify(principal) — {"type":…,"id":…}
  // — missed it, anonymised alice, and served her allow to bob.
  for (const order of ['type-first', 'id-first'] as const) {
    it(`bob is not served alice's allow on alice's doc (reference stored ${order})`, () => {
      const ref = order === 'type-first' ? { __entity: { type: 'User', id: 'alice' } } : { __entity: { id: 'alice', type: 'User' } };
      const entities: Entity[] = [
        { uid: { type: 'User', id: 'alice' }, attrs: {}, parents: [] },
        { uid: { type: 'User', id: 'bob' }, attrs: {}, parents: [] },
        { uid: { type: 'Doc', id: 'd1' }, attrs: { owner: ref }, parents: [] },
      ];
      const store = new Map<string, IndexedEntity>(entities.map((e) => [uidKey(e.uid), indexEntity(e)]));
      const pdp = new PolicyDecisionPoint({ name: `owner-${order}`, actionType: 'Action', lookup: (k) => store.get(k) });
      pdp.activate(compilePolicySet({ name: 'platform', policies, schema }));
      const read = (user: string) => pdp.authorize({ principal: { type: 'User', id: user }, action: { id: 'read' }, resource: { type: 'Doc', id: 'd1' } });
      expect(read('alice').decision).toBe('allow');
      expect(read('bob').decision).toBe('deny');
      // and the same answers again, from the cache or not
      expect(read('bob').decision).toBe('deny');
      expect(read('alice').decision).toBe('allow');
    });
  }
});
