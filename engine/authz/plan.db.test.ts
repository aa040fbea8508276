import fc from 'fast-check';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { SHIPPED_POLICY_DIR } from '../kernel/version.ts';
import { uidKey, type Entity } from './entity.ts';
import { MemoryEntitySource } from './entity-source.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { planAuthorization, PlanUnsupportedError, planWith } from './plan.ts';
import { PlanMappingError, planToKysely, planToSql, type PlanTableMapping } from '../client/plan-sql.ts';
import { compilePolicySet, type CompiledPolicySet } from './policy-set.ts';
import { readShippedPolicySet } from './policy-store.ts';

const PROVIDERS = ['amazon_spapi', 'google_ads', 'whatsapp', 'stripe', 'apollo', 'delhivery'];
const ROLES = ['agency_admin', 'agency_user', 'client_user', 'platform_admin'];
/** The actions on orders an order list filters by (a Service may not reveal buyer PII: always denied). */
const ACTIONS = ['read', 'reveal_buyer_pii', 'export', 'refund', 'generate_label', 'train_model'];
const ref = (type: string, id: string) => ({ __entity: { type, id } });

/**
 * A random platform, with the gaps a real store has: integrations not pushed (yet), orders of a client that is
 * not stored (reading their client's attributes errs: a deny), users of every role and services.
 */
const platform = fc
  .record({
    agencies: fc.integer({ min: 1, max: 3 }),
    storedProviders: fc.subarray(PROVIDERS, { minLength: 3 }),
    clients: fc.array(fc.record({ agency: fc.nat(), integrations: fc.subarray(PROVIDERS) }), { minLength: 1, maxLength: 4 }),
    integrations: fc.array(fc.record({ status: fc.constantFrom('live', 'planned', 'suspended'), restricted: fc.boolean(), ready: fc.boolean() }), {
      minLength: PROVIDERS.length,
      maxLength: PROVIDERS.length,
    }),
    users: fc.array(fc.record({ role: fc.constantFrom(...ROLES), agency: fc.nat(), client: fc.nat(), secondRole: fc.option(fc.constantFrom(...ROLES)) }), {
      minLength: 1,
      maxLength: 4,
    }),
    orders: fc.array(fc.record({ client: fc.nat(), integration: fc.constantFrom(...PROVIDERS), redacted: fc.boolean() }), { minLength: 1, maxLength: 12 }),
  })
  .map((g) => {
    const entities: Entity[] = [];
    for (const r of ROLES) entities.push({ uid: { type: 'Role', id: r }, attrs: {}, parents: [] });
    for (let a = 0; a < g.agencies; a++) entities.push({ uid: { type: 'Agency', id: `a${a}` }, attrs: {}, parents: [] });
    PROVIDERS.forEach((p, i) => {
      if (g.storedProviders.includes(p)) entities.push({ uid: { type: 'Integration', id: p }, attrs: { provider: p, ...g.integrations[i] }, parents: [] });
    });
    const clients = g.clients.map((c, i) => ({ id: `c${i}`, agency: `a${c.agency % g.agencies}`, integrations: c.integrations }));
    for (const c of clients) {
      entities.push({
        uid: { type: 'Client', id: c.id },
        attrs: { agency: ref('Agency', c.agency), integrations: c.integrations.map((i) => ref('Integration', i)) },
        parents: [{ type: 'Agency', id: c.agency }],
      });
    }
    const principals = g.users.map((u, i) => {
      const client = clients[u.client % clients.length];
      const agency = u.role === 'client_user' ? client.agency : `a${u.agency % g.agencies}`;
      const parents = [{ type: 'Role', id: u.role }];
      if (u.secondRole && u.secondRole !== u.role) parents.push({ type: 'Role', id: u.secondRole });
      if (u.role !== 'platform_admin') parents.push({ type: 'Agency', id: agency });
      if (u.role === 'client_user') parents.push({ type: 'Client', id: client.id });
      entities.push({ uid: { type: 'User', id: `u${i}` }, attrs: u.role === 'platform_admin' ? {} : { agency: ref('Agency', agency) }, parents });
      return { type: 'User', id: `u${i}` };
    });
    entities.push({ uid: { type: 'Service', id: 'order-import' }, attrs: {}, parents: [] });
    principals.push({ type: 'Service', id: 'order-import' }, { type: 'User', id: 'nobody' });
    const orders = g.orders.map((o, i) => {
      // One client id in five is not stored.
      const clientId = o.client % 5 === 4 ? 'c_unstored' : clients[o.client % clients.length].id;
      const agency = clients.find((c) => c.id === clientId)?.agency ?? 'a0';
      const order: Entity = {
        uid: { type: 'Order', id: `o${i}` },
        attrs: { agency: ref('Agency', agency), client: ref('Client', clientId), integration: ref('Integration', o.integration), pii_redacted: o.redacted },
        parents: [{ type: 'Client', id: clientId }],
      };
      entities.push(order);
      return order;
    });
    return { entities, principals, orders };
  });

const context = fc.record(
  {
    mfa: fc.boolean(),
    human_approved: fc.boolean(),
    within_limits: fc.boolean(),
    purpose: fc.constantFrom('fulfilment', 'advertising'),
  },
  { requiredKeys: [] },
);

/** The app's table: attributes as columns, and the order's ancestors (from the store's hierarchy) as columns. */
const mapping: PlanTableMapping = {
  table: 'plan_orders',
  id: 'id',
  attributes: { agency: 'agency_id', client: 'client_id', integration: 'integration_id', pii_redacted: 'pii_redacted' },
  ancestors: { Client: 'ancestor_client_id', Agency: 'ancestor_agency_id' },
};

interface OrderRow {
  id: string;
  agency_id: string;
  client_id: string;
  integration_id: string;
  pii_redacted: boolean;
  ancestor_client_id: string | null;
  ancestor_agency_id: string | null;
}

function ancestorsOf(entity: Entity, byKey: Map<string, Entity>): Entity['parents'] {
  const out = new Map<string, Entity['parents'][number]>();
  const stack = [...entity.parents];
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(uidKey(p))) continue;
    out.set(uidKey(p), p);
    stack.push(...(byKey.get(uidKey(p))?.parents ?? []));
  }
  return [...out.values()];
}

function rowOf(order: Entity, byKey: Map<string, Entity>): OrderRow {
  const a = order.attrs as Record<string, { __entity: { id: string } } | boolean>;
  const ancestors = ancestorsOf(order, byKey);
  return {
    id: order.uid.id,
    agency_id: (a.agency as { __entity: { id: string } }).__entity.id,
    client_id: (a.client as { __entity: { id: string } }).__entity.id,
    integration_id: (a.integration as { __entity: { id: string } }).__entity.id,
    pii_redacted: a.pii_redacted as boolean,
    ancestor_client_id: ancestors.find((p) => p.type === 'Client')?.id ?? null,
    ancestor_agency_id: ancestors.find((p) => p.type === 'Agency')?.id ?? null,
  };
}

let database: DatabaseHandle;
let db: Kysely<{ plan_orders: OrderRow }>;
let compiled: CompiledPolicySet;

beforeAll(async () => {
  compiled = compilePolicySet(await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' }));
  database = await createTestDatabase({ migrate: false });
  db = database.db as unknown as Kysely<{ plan_orders: OrderRow }>;
  await sql`CREATE TABLE plan_orders (
    id text PRIMARY KEY, agency_id text NOT NULL, client_id text NOT NULL, integration_id text NOT NULL,
    pii_redacted boolean NOT NULL, ancestor_client_id text, ancestor_agency_id text)`.execute(db);
});

afterAll(async () => {
  await database?.close();
});

describe('list filtering by partial evaluation', () => {
  it('selects exactly the orders /v1/authorize allows, over random stores, principals, actions and contexts (fast-check, PostgreSQL)', async () => {
    const kinds = { always_allowed: 0, always_denied: 0, conditional: 0 };
    await fc.assert(
      fc.asyncProperty(platform, fc.nat(), fc.constantFrom(...ACTIONS), context, fc.boolean(), async (p, pi, action, ctx, viaKysely) => {
        const source = new MemoryEntitySource(p.entities);
        const pdp = new PolicyDecisionPoint({ name: 'plan', actionType: 'Action', entities: source });
        pdp.activate(compiled);
        const principal = p.principals[pi % p.principals.length];
        const plan = planWith(pdp, source, { principal, action: { id: action }, resourceType: 'Order', context: ctx });
        kinds[plan.kind]++;
        const allowed = p.orders
          .filter((o) => pdp.authorize({ principal, action: { id: action }, resource: o.uid, context: ctx }).decision === 'allow')
          .map((o) => o.uid.id)
          .sort();
        const byKey = new Map(p.entities.map((e) => [uidKey(e.uid), e]));
        await sql`DELETE FROM plan_orders`.execute(db);
        await db
          .insertInto('plan_orders')
          .values(p.orders.map((o) => rowOf(o, byKey)))
          .execute();
        let selected: string[];
        if (plan.kind === 'always_allowed') selected = p.orders.map((o) => o.uid.id);
        else if (plan.kind === 'always_denied') selected = [];
        else if (viaKysely)
          selected = (await db.selectFrom('plan_orders').select('id').where(planToKysely(plan.condition, mapping)).execute()).map((r) => r.id);
        else {
          const where = planToSql(plan.condition, mapping);
          const result = await db.executeQuery<{ id: string }>(CompiledQuery.raw(`SELECT id FROM plan_orders WHERE ${where.sql}`, where.params));
          selected = result.rows.map((r) => r.id);
        }
        expect(selected.sort(), JSON.stringify({ plan, principal, action, ctx })).toEqual(allowed);
      }),
      { numRuns: 200 },
    );
    // The runs cover every kind of answer (a property that only ever saw "always denied" would prove little).
    expect(kinds.conditional).toBeGreaterThan(20);
    expect(kinds.always_denied).toBeGreaterThan(5);
  }, 60_000);

  it('answers always_allowed, always_denied and conditional as the decisions are', () => {
    const source = new MemoryEntitySource([
      { uid: { type: 'Service', id: 'svc' }, attrs: {}, parents: [] },
      { uid: { type: 'User', id: 'admin' }, attrs: {}, parents: [{ type: 'Role', id: 'platform_admin' }] },
    ]);
    const pdp = new PolicyDecisionPoint({ name: 'plan', actionType: 'Action', entities: source });
    pdp.activate(compiled);
    // A platform admin gets no tenant data; a service may never reveal buyer PII (the schema's principals).
    expect(planWith(pdp, source, { principal: { type: 'User', id: 'admin' }, action: { id: 'read' }, resourceType: 'Order' }).kind).toBe('always_denied');
    const reveal = planWith(pdp, source, {
      principal: { type: 'Service', id: 'svc' },
      action: { id: 'reveal_buyer_pii' },
      resourceType: 'Order',
      context: { mfa: true },
    });
    expect(reveal).toMatchObject({ kind: 'always_denied', errors: [expect.stringContaining('not a principal type')] });
    // No client or integration is stored: reading them errs for every order, and an erring forbid denies.
    const svc = { principal: { type: 'Service', id: 'svc' }, action: { id: 'read' }, resourceType: 'Order' };
    expect(planWith(pdp, source, svc).kind).toBe('always_denied');
    source.put(
      { uid: { type: 'Integration', id: 'stripe' }, attrs: { provider: 'stripe', restricted: false, status: 'live', ready: true }, parents: [] },
      { uid: { type: 'Client', id: 'c1' }, attrs: { agency: ref('Agency', 'a1'), integrations: [ref('Integration', 'stripe')] }, parents: [] },
    );
    const read = planWith(pdp, source, svc);
    expect(read.kind).toBe('conditional');
    const where = read.kind === 'conditional' ? planToSql(read.condition, mapping) : undefined;
    expect(where?.params).toEqual(expect.arrayContaining(['c1', 'stripe']));
    expect(
      planWith({ active: undefined, refusedEntities: new Map() }, source, {
        principal: { type: 'Service', id: 'svc' },
        action: { id: 'read' },
        resourceType: 'Order',
      }),
    ).toMatchObject({
      kind: 'always_denied',
    });
  });

  it('refuses, with plan_unsupported, residuals the condition language cannot express', () => {
    const set = compilePolicySet({
      name: 'platform',
      schema: 'entity User; entity Doc { owner: User, title: String }; action read appliesTo { principal: [User], resource: [Doc] };',
      policies: '@id("p") permit (principal, action, resource) when { resource.title like "*draft*" };',
    });
    const call = () =>
      planAuthorization({
        policy: set,
        entities: [],
        actionType: 'Action',
        request: { principal: { type: 'User', id: 'u' }, action: { id: 'read' }, resourceType: 'Doc' },
      });
    expect(call).toThrow(PlanUnsupportedError);
    expect(call).toThrow(/like/);
  });

  it('turns conditions into SQL over the declared mapping only', () => {
    expect(
      planToSql(
        {
          op: 'and',
          args: [
            { op: 'eq', attribute: 'client', value: { type: 'Client', id: 'c1' } },
            { op: 'not', arg: { op: 'in', attribute: 'integration', values: ['x', 'y'] } },
          ],
        },
        mapping,
      ),
    ).toEqual({
      sql: '(COALESCE("plan_orders"."client_id" = $1, FALSE) AND (NOT COALESCE("plan_orders"."integration_id" IN ($2, $3), FALSE)))',
      params: ['c1', 'x', 'y'],
    });
    expect(planToSql({ op: 'id_in', ids: ['o1', 'o2'] }, mapping, 3)).toEqual({ sql: 'COALESCE("plan_orders"."id" IN ($3, $4), FALSE)', params: ['o1', 'o2'] });
    expect(() => planToSql({ op: 'id_in', ids: ['o1'] }, { ...mapping, id: undefined })).toThrow(PlanMappingError);
    expect(() => planToSql({ op: 'eq', attribute: 'secret', value: 1 }, mapping)).toThrow(PlanMappingError);
    expect(() => planToSql({ op: 'has_ancestor', entity: { type: 'Region', id: 'eu' } }, mapping)).toThrow(PlanMappingError);
  });
});
