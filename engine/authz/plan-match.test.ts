import { describe, expect, it } from 'vitest';
import { uidKey, type Entity } from './entity.ts';
import type { PlanCondition } from './plan.ts';
import { conditionNamesIds, planMatches, type AncestorsOf } from './plan-match.ts';

const ref = (type: string, id: string) => ({ __entity: { type, id } });

const order: Entity = {
  uid: { type: 'Order', id: 'o5' },
  attrs: {
    client: ref('Client', 'c1'),
    // the implicit form a caller may have pushed
    integration: { type: 'Integration', id: 'stripe' },
    pii_redacted: false,
    total: 12,
    status: 'open',
    labels: ['vip', 'old'],
    owners: [ref('User', 'u1'), { type: 'User', id: 'u2' }],
  },
  parents: [{ type: 'Client', id: 'c1' }],
};

/** Client c1 in agency a1: the order's ancestors, transitively. */
const ancestors: AncestorsOf = () => new Set([uidKey({ type: 'Client', id: 'c1' }), uidKey({ type: 'Agency', id: 'a1' })]);
const holds = (c: PlanCondition) => planMatches(c, order, ancestors);

describe('planMatches: a plan condition read against one stored resource', () => {
  it('eq: entity attributes compare type and id, in either stored form; primitives compare strictly', () => {
    expect(holds({ op: 'eq', attribute: 'client', value: { type: 'Client', id: 'c1' } })).toBe(true);
    expect(holds({ op: 'eq', attribute: 'client', value: { type: 'Client', id: 'c2' } })).toBe(false);
    // Same id, another type: not the same entity.
    expect(holds({ op: 'eq', attribute: 'client', value: { type: 'Agency', id: 'c1' } })).toBe(false);
    expect(holds({ op: 'eq', attribute: 'integration', value: { type: 'Integration', id: 'stripe' } })).toBe(true);
    expect(holds({ op: 'eq', attribute: 'pii_redacted', value: false })).toBe(true);
    expect(holds({ op: 'eq', attribute: 'pii_redacted', value: true })).toBe(false);
    expect(holds({ op: 'eq', attribute: 'total', value: 12 })).toBe(true);
    expect(holds({ op: 'eq', attribute: 'total', value: '12' })).toBe(false);
    expect(holds({ op: 'eq', attribute: 'status', value: 'open' })).toBe(true);
    // An entity never equals a primitive, nor a primitive an entity.
    expect(holds({ op: 'eq', attribute: 'client', value: 'c1' })).toBe(false);
    expect(holds({ op: 'eq', attribute: 'status', value: { type: 'Status', id: 'open' } })).toBe(false);
  });

  it('a missing attribute equals nothing (SQL NULL, COALESCEd to false): its negation holds', () => {
    expect(holds({ op: 'eq', attribute: 'missing', value: 'x' })).toBe(false);
    expect(holds({ op: 'in', attribute: 'missing', values: ['x'] })).toBe(false);
    expect(holds({ op: 'is_in_set', attribute: 'missing', value: 'x' })).toBe(false);
    expect(holds({ op: 'not', arg: { op: 'eq', attribute: 'missing', value: 'x' } })).toBe(true);
    // An attribute inherited from Object.prototype is not an attribute.
    expect(holds({ op: 'eq', attribute: 'constructor', value: 'x' })).toBe(false);
  });

  it('in: one of the values; none listed selects nothing', () => {
    expect(
      holds({
        op: 'in',
        attribute: 'client',
        values: [
          { type: 'Client', id: 'c0' },
          { type: 'Client', id: 'c1' },
        ],
      }),
    ).toBe(true);
    expect(holds({ op: 'in', attribute: 'client', values: [{ type: 'Client', id: 'c0' }] })).toBe(false);
    expect(holds({ op: 'in', attribute: 'status', values: ['closed', 'open'] })).toBe(true);
    expect(holds({ op: 'in', attribute: 'status', values: [] })).toBe(false);
  });

  it('is_in_set: an element of a set attribute, entities in either form; a non-set attribute holds none', () => {
    expect(holds({ op: 'is_in_set', attribute: 'labels', value: 'vip' })).toBe(true);
    expect(holds({ op: 'is_in_set', attribute: 'labels', value: 'new' })).toBe(false);
    expect(holds({ op: 'is_in_set', attribute: 'owners', value: { type: 'User', id: 'u1' } })).toBe(true);
    expect(holds({ op: 'is_in_set', attribute: 'owners', value: { type: 'User', id: 'u2' } })).toBe(true);
    expect(holds({ op: 'is_in_set', attribute: 'owners', value: { type: 'User', id: 'u3' } })).toBe(false);
    expect(holds({ op: 'is_in_set', attribute: 'status', value: 'open' })).toBe(false);
  });

  it('id_in: the resource itself; has_ancestor: any transitive ancestor, read through ancestorsOf', () => {
    expect(holds({ op: 'id_in', ids: ['o4', 'o5'] })).toBe(true);
    expect(holds({ op: 'id_in', ids: ['o4'] })).toBe(false);
    expect(holds({ op: 'id_in', ids: [] })).toBe(false);
    expect(holds({ op: 'has_ancestor', entity: { type: 'Client', id: 'c1' } })).toBe(true);
    expect(holds({ op: 'has_ancestor', entity: { type: 'Agency', id: 'a1' } })).toBe(true);
    expect(holds({ op: 'has_ancestor', entity: { type: 'Agency', id: 'a2' } })).toBe(false);
    // Not the resource itself (the planner never asks it: `resource in` its own type is refused).
    expect(holds({ op: 'has_ancestor', entity: { type: 'Order', id: 'o5' } })).toBe(false);
  });

  it('junctions: and of nothing holds, or of nothing does not, not negates; ancestors are asked only when needed', () => {
    expect(holds({ op: 'true' })).toBe(true);
    expect(holds({ op: 'false' })).toBe(false);
    expect(holds({ op: 'and', args: [] })).toBe(true);
    expect(holds({ op: 'or', args: [] })).toBe(false);
    const eq = { op: 'eq', attribute: 'status', value: 'open' } as const;
    const ne = { op: 'not', arg: eq } as const;
    expect(holds({ op: 'and', args: [eq, { op: 'has_ancestor', entity: { type: 'Agency', id: 'a1' } }] })).toBe(true);
    expect(holds({ op: 'and', args: [eq, ne] })).toBe(false);
    expect(holds({ op: 'or', args: [ne, eq] })).toBe(true);
    expect(holds({ op: 'not', arg: { op: 'or', args: [ne, { op: 'false' }] } })).toBe(true);
    let asked = 0;
    const counting: AncestorsOf = (e) => {
      asked++;
      return ancestors(e);
    };
    expect(planMatches({ op: 'and', args: [eq, { op: 'id_in', ids: ['o5'] }] }, order, counting)).toBe(true);
    expect(asked).toBe(0);
  });

  it('refuses an op it does not know, as the SQL helper does', () => {
    expect(() => holds({ op: 'like', attribute: 'status', pattern: 'o*' } as unknown as PlanCondition)).toThrow(/unknown plan condition op "like"/);
  });

  it('conditionNamesIds: whether two resources with the same attributes and parents may differ', () => {
    expect(conditionNamesIds({ op: 'eq', attribute: 'status', value: 'open' })).toBe(false);
    expect(conditionNamesIds({ op: 'and', args: [{ op: 'true' }, { op: 'not', arg: { op: 'id_in', ids: ['o1'] } }] })).toBe(true);
    expect(conditionNamesIds({ op: 'or', args: [{ op: 'has_ancestor', entity: { type: 'Client', id: 'c1' } }] })).toBe(false);
  });
});
