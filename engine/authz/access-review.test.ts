import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SHIPPED_POLICY_DIR } from '../kernel/version.ts';
import { accessReview, type AccessReview, type AccessReviewAction } from './access-review.ts';
import { refId, type Entity } from './entity.ts';
import { MemoryEntitySource } from './entity-source.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { planWith, PlanUnsupportedError } from './plan.ts';
import { compilePolicySet, type CompiledPolicySet } from './policy-set.ts';
import { readShippedPolicySet } from './policy-store.ts';

// The access review against its definition: for every user, action and stored client, the client is listed iff the
// PDP allows the action on at least one stored resource of that client — every resource, not a sample.

const ACTIONS: Array<[AccessReviewAction, string[]]> = [
  ['reveal_buyer_pii', ['Order']],
  ['export', ['Order', 'Report', 'Conversation']],
  ['read_credential', ['Credential']],
];
const CONTEXT = { mfa: true, purpose: 'access-review' };
const PROVIDERS = ['amazon_spapi', 'whatsapp', 'stripe'];
const ROLES = ['agency_admin', 'agency_user', 'client_user', 'platform_admin'];
const ref = (type: string, id: string) => ({ __entity: { type, id } });
const uid = (type: string, id: string) => ({ type, id });

/**
 * The same platform types with attributes a policy can read across resources: a report or conversation is `about`
 * an order (planning reports must then read the orders), a client has a `tier`, an order a `total`, a credential
 * a `provider` (compared with `like`, which the planner refuses).
 */
const RICH_SCHEMA = `
entity Agency;
entity Role;
entity Integration { provider: String, restricted: Bool, status: String, ready: Bool };
entity Client in [Agency] { agency: Agency, integrations: Set<Integration>, tier: Long };
entity User in [Role, Agency, Client] { agency?: Agency };
entity Order in [Client] { agency: Agency, client: Client, integration: Integration, pii_redacted: Bool, total: Long };
entity Report, Conversation in [Client] { agency: Agency, client: Client, integration: Integration, about: Order };
entity Credential in [Client] { agency: Agency, client: Client, integration: Integration, provider: String };
type Ctx = { mfa?: Bool, purpose?: String };
action reveal_buyer_pii appliesTo { principal: [User], resource: [Order], context: Ctx };
action export appliesTo { principal: [User], resource: [Order, Report, Conversation], context: Ctx };
action read_credential appliesTo { principal: [User], resource: [Credential], context: Ctx };
`;

/** Conditions by the resource type a policy is scoped to (`*`: any); some are beyond the planner (decided). */
const ATOMS: Record<string, string[]> = {
  '*': [
    'principal in resource.client',
    'principal has agency && resource in principal.agency',
    'resource.client.integrations.contains(resource.integration)',
    'resource.integration.status == "live"',
    'resource.integration.restricted && !resource.integration.ready',
    'context.mfa',
    'context.purpose == "access-review"',
    'resource.client.tier > 1',
    'resource in Client::"c1"',
    'resource.client == Client::"c0"',
    'principal in Role::"agency_admin"',
    'Order::"o0".pii_redacted',
    'resource.client in principal.agency',
  ],
  Order: ['resource.pii_redacted', 'resource == Order::"o1"', 'resource.total > 10'],
  Report: [
    'resource.about.pii_redacted',
    'resource.about == Order::"o0"',
    'resource.about.client == resource.client',
    'Report::"r0".client == resource.client',
  ],
  Conversation: ['resource.about.total > 10', 'resource.about.integration == resource.integration'],
  Credential: ['resource.provider == "amazon_spapi"', 'resource.provider like "amazon*"'],
};

const policy = fc
  .record({
    effect: fc.constantFrom('permit', 'permit', 'forbid'),
    action: fc.option(fc.constantFrom(...ACTIONS.map(([a]) => a))),
    type: fc.constantFrom('*', 'Order', 'Report', 'Conversation', 'Credential'),
    n: fc.nat(),
    m: fc.option(fc.nat()),
    negate: fc.boolean(),
  })
  .map((p) => {
    const atoms = [...ATOMS['*'], ...(ATOMS[p.type] ?? [])];
    const first = atoms[p.n % atoms.length];
    const body = p.m === null ? first : `${first} && ${atoms[p.m % atoms.length]}`;
    const scope = `principal, ${p.action ? `action == Action::"${p.action}"` : 'action'}, ${p.type === '*' ? 'resource' : `resource is ${p.type}`}`;
    return `${p.effect} (${scope}) ${p.negate ? 'unless' : 'when'} { ${body} };`;
  });

/** A random platform, with a client that is not stored and `about` orders that are not stored either. */
const world = fc.record({
  agencies: fc.integer({ min: 1, max: 2 }),
  integrations: fc.array(fc.record({ status: fc.constantFrom('live', 'suspended'), restricted: fc.boolean(), ready: fc.boolean() }), {
    minLength: PROVIDERS.length,
    maxLength: PROVIDERS.length,
  }),
  clients: fc.array(fc.record({ agency: fc.nat(), integrations: fc.subarray(PROVIDERS), tier: fc.nat({ max: 3 }) }), { minLength: 1, maxLength: 3 }),
  users: fc.array(fc.record({ role: fc.constantFrom(...ROLES), agency: fc.nat(), client: fc.nat() }), { minLength: 1, maxLength: 3 }),
  resources: fc.array(
    fc.record({
      type: fc.constantFrom('Order', 'Order', 'Order', 'Report', 'Conversation', 'Credential'),
      client: fc.nat({ max: 4 }),
      integration: fc.constantFrom(...PROVIDERS),
      redacted: fc.boolean(),
      total: fc.nat({ max: 20 }),
      about: fc.nat({ max: 5 }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

/** The world's entities; `rich` adds the attributes only RICH_SCHEMA declares. */
function entitiesOf(w: World, rich: boolean): Entity[] {
  const out: Entity[] = ROLES.map((r) => ({ uid: uid('Role', r), attrs: {}, parents: [] }));
  for (let a = 0; a < w.agencies; a++) out.push({ uid: uid('Agency', `a${a}`), attrs: {}, parents: [] });
  PROVIDERS.forEach((p, i) => out.push({ uid: uid('Integration', p), attrs: { provider: p, ...w.integrations[i] }, parents: [] }));
  const clients = w.clients.map((c, i) => ({ id: `c${i}`, agency: `a${c.agency % w.agencies}` }));
  w.clients.forEach((c, i) =>
    out.push({
      uid: uid('Client', clients[i].id),
      attrs: { agency: ref('Agency', clients[i].agency), integrations: c.integrations.map((p) => ref('Integration', p)), ...(rich ? { tier: c.tier } : {}) },
      parents: [uid('Agency', clients[i].agency)],
    }),
  );
  w.users.forEach((u, i) => {
    const client = clients[u.client % clients.length];
    const agency = u.role === 'client_user' ? client.agency : `a${u.agency % w.agencies}`;
    const parents = [uid('Role', u.role)];
    if (u.role !== 'platform_admin') parents.push(uid('Agency', agency));
    if (u.role === 'client_user') parents.push(uid('Client', client.id));
    out.push({ uid: uid('User', `u${i}`), attrs: u.role === 'platform_admin' ? {} : { agency: ref('Agency', agency) }, parents });
  });
  const counts: Record<string, number> = {};
  for (const r of w.resources) {
    const n = (counts[r.type] = (counts[r.type] ?? 0) + 1) - 1;
    const id = `${r.type === 'Order' ? 'o' : r.type === 'Report' ? 'r' : r.type === 'Conversation' ? 'v' : 'k'}${n}`;
    // Client index 4: not stored (its agency is then a0).
    const client = r.client < clients.length ? clients[r.client] : { id: 'c_unstored', agency: 'a0' };
    const attrs: Record<string, unknown> = {
      agency: ref('Agency', client.agency),
      client: ref('Client', client.id),
      integration: ref('Integration', r.integration),
    };
    if (r.type === 'Order') Object.assign(attrs, { pii_redacted: r.redacted }, rich ? { total: r.total } : {});
    if (rich && (r.type === 'Report' || r.type === 'Conversation')) attrs.about = ref('Order', `o${r.about}`);
    if (rich && r.type === 'Credential') attrs.provider = r.integration;
    out.push({ uid: uid(r.type, id), attrs, parents: [uid('Client', client.id)] });
  }
  return out;
}

function pdpOver(entities: Entity[], policies: CompiledPolicySet): PolicyDecisionPoint {
  const pdp = new PolicyDecisionPoint({ name: 'review', actionType: 'Action', entities: new MemoryEntitySource(entities) });
  pdp.activate(policies);
  return pdp;
}

/** The definition, asked of the PDP on every stored resource: the rows and the cross-agency count a review must have. */
function exhaustive(pdp: PolicyDecisionPoint, entities: Entity[]): Pick<AccessReview, 'rows' | 'crossAgency'> {
  const clients = entities.filter((e) => e.uid.type === 'Client');
  const agencyOf = new Map(clients.map((c) => [c.uid.id, refId(c.attrs.agency)]));
  const rows: AccessReview['rows'] = [];
  let crossAgency = 0;
  for (const u of entities.filter((e) => e.uid.type === 'User')) {
    const agency = refId(u.attrs.agency) ?? null;
    for (const [action, types] of ACTIONS) {
      const allowed = clients
        .filter((c) =>
          entities.some(
            (r) =>
              types.includes(r.uid.type) &&
              refId(r.attrs.client) === c.uid.id &&
              pdp.authorize({ principal: u.uid, action: { id: action }, resource: r.uid, context: CONTEXT }).decision === 'allow',
          ),
        )
        .map((c) => c.uid.id);
      crossAgency += allowed.filter((c) => agency && agencyOf.get(c) && agencyOf.get(c) !== agency).length;
      const roles = u.parents.filter((p) => p.type === 'Role').map((p) => p.id);
      if (allowed.length) rows.push({ user: u.uid.id, roles, agency, action, clients: allowed });
    }
  }
  return { rows, crossAgency };
}

const review = (pdp: PolicyDecisionPoint, entities: Entity[], planFrom?: number) =>
  accessReview({ pdp, entities: new MemoryEntitySource(entities) }, undefined, planFrom === undefined ? {} : { planFrom });

let platform: CompiledPolicySet;
let platformSchema: string;
beforeAll(async () => {
  platform = compilePolicySet(await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' }));
  platformSchema = await readFile(path.join(SHIPPED_POLICY_DIR, 'platform.cedarschema'), 'utf8');
});

describe('access review = the PDP on every stored resource (fast-check)', () => {
  it('with the shipped platform policies, planned and decided alike', () => {
    fc.assert(
      fc.property(world, fc.constantFrom(0, 1000), (w, planFrom) => {
        const entities = entitiesOf(w, false);
        const pdp = pdpOver(entities, platform);
        const r = review(pdp, entities, planFrom);
        expect(r).toMatchObject(exhaustive(pdp, entities));
        // One answer per (user, action, type) where the type holds resources.
        const held = ACTIONS.flatMap(([, types]) => types).filter((t) => entities.some((e) => e.uid.type === t && refId(e.attrs.client)));
        expect(r.method!.planned + r.method!.decided).toBe(r.users * held.length);
      }),
      { numRuns: 25 },
    );
  });

  it('with random policies reading across resources, the planner answering what it can and decisions the rest', () => {
    const seen = { planned: 0, decided: 0 };
    fc.assert(
      fc.property(world, fc.array(policy, { minLength: 1, maxLength: 4 }), (w, texts) => {
        const policies = compilePolicySet({ name: 'platform', schema: RICH_SCHEMA, policies: texts.map((t, i) => `@id("p${i}") ${t}`).join('\n') });
        const entities = entitiesOf(w, true);
        const pdp = pdpOver(entities, policies);
        expect(pdp.refusedEntities.size).toBe(0);
        const r = review(pdp, entities, 0);
        expect(r, texts.join('\n')).toMatchObject(exhaustive(pdp, entities));
        seen.planned += r.method!.planned;
        seen.decided += r.method!.decided;
      }),
      { numRuns: 100 },
    );
    // Both ways of answering were exercised: plans, and decisions where the planner refused.
    expect(seen.planned).toBeGreaterThan(50);
    expect(seen.decided).toBeGreaterThan(5);
  });
});

/** One agency, one client with Amazon connected, a client user, and `orders` orders of which only the last is unredacted. */
function fifthOrderStore(orders: number): Entity[] {
  const entities: Entity[] = [
    { uid: uid('Role', 'client_user'), attrs: {}, parents: [] },
    { uid: uid('Agency', 'northwind'), attrs: {}, parents: [] },
    { uid: uid('Integration', 'amazon_spapi'), attrs: { provider: 'amazon_spapi', restricted: true, status: 'live', ready: true }, parents: [] },
    {
      uid: uid('Client', 'chai-co'),
      attrs: { agency: ref('Agency', 'northwind'), integrations: [ref('Integration', 'amazon_spapi')] },
      parents: [uid('Agency', 'northwind')],
    },
    {
      uid: uid('User', 'meera'),
      attrs: { agency: ref('Agency', 'northwind') },
      parents: [uid('Role', 'client_user'), uid('Agency', 'northwind'), uid('Client', 'chai-co')],
    },
  ];
  for (let i = 1; i <= orders; i++) {
    entities.push({
      uid: uid('Order', `o-${i}`),
      attrs: {
        agency: ref('Agency', 'northwind'),
        client: ref('Client', 'chai-co'),
        integration: ref('Integration', 'amazon_spapi'),
        pii_redacted: i < orders,
      },
      parents: [uid('Client', 'chai-co')],
    });
  }
  return entities;
}

describe('access review examples', () => {
  it("lists a client where the user's only grant is on its 5th order (three sampled orders missed it)", () => {
    const entities = fifthOrderStore(5);
    const pdp = pdpOver(entities, platform);
    const ask = (id: string) =>
      pdp.authorize({ principal: uid('User', 'meera'), action: { id: 'reveal_buyer_pii' }, resource: uid('Order', id), context: CONTEXT }).decision;
    expect(['o-1', 'o-2', 'o-3', 'o-4'].map(ask)).toEqual(['deny', 'deny', 'deny', 'deny']);
    expect(ask('o-5')).toBe('allow');
    for (const planFrom of [0, undefined]) {
      const r = review(pdp, entities, planFrom);
      expect(r.rows.find((row) => row.action === 'reveal_buyer_pii')).toEqual({
        user: 'meera',
        roles: ['client_user'],
        agency: 'northwind',
        action: 'reveal_buyer_pii',
        clients: ['chai-co'],
      });
      expect(r.method).toEqual(planFrom === 0 ? { planned: 2, decided: 0 } : { planned: 0, decided: 2 });
    }
    // Bulky types are planned by default: 1,200 orders, one of them revealable.
    const many = fifthOrderStore(1200);
    const r = review(pdpOver(many, platform), many);
    expect(r.rows.find((row) => row.action === 'reveal_buyer_pii')?.clients).toEqual(['chai-co']);
    expect(r.method).toEqual({ planned: 2, decided: 0 });
  });

  it('reads a grant on one resource by its id, among resources that are otherwise alike', () => {
    const policies = compilePolicySet({
      name: 'platform',
      schema: platformSchema,
      policies: '@id("one-order") permit (principal == User::"meera", action == Action::"export", resource == Order::"o-5");',
    });
    // Five orders with the same attributes and parents: only the id tells the 5th apart.
    const entities = fifthOrderStore(5).map((e) => (e.uid.type === 'Order' ? { ...e, attrs: { ...e.attrs, pii_redacted: false } } : e));
    const pdp = pdpOver(entities, policies);
    const r = review(pdp, entities, 0);
    expect(r.rows).toEqual([{ user: 'meera', roles: ['client_user'], agency: 'northwind', action: 'export', clients: ['chai-co'] }]);
    expect(r.method).toEqual({ planned: 2, decided: 0 });
  });

  it('answers through decisions, exactly, where the planner cannot express the policy (`like` on an attribute of the resource)', () => {
    const policies = compilePolicySet({
      name: 'platform',
      schema: platformSchema,
      policies:
        '@id("amazon-exports") permit (principal, action == Action::"export", resource is Order) when { principal in resource.client && resource.integration.provider like "amazon*" };\n' +
        '@id("reveal-own") permit (principal, action == Action::"reveal_buyer_pii", resource) when { principal in resource.client };',
    });
    const entities = fifthOrderStore(5);
    entities.push(
      { uid: uid('Integration', 'stripe'), attrs: { provider: 'stripe', restricted: false, status: 'live', ready: true }, parents: [] },
      {
        uid: uid('Client', 'kora-home'),
        attrs: { agency: ref('Agency', 'northwind'), integrations: [ref('Integration', 'stripe')] },
        parents: [uid('Agency', 'northwind')],
      },
      {
        uid: uid('User', 'kabir'),
        attrs: { agency: ref('Agency', 'northwind') },
        parents: [uid('Role', 'client_user'), uid('Agency', 'northwind'), uid('Client', 'kora-home')],
      },
      {
        uid: uid('Order', 'k-1'),
        attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'kora-home'), integration: ref('Integration', 'stripe'), pii_redacted: false },
        parents: [uid('Client', 'kora-home')],
      },
    );
    const pdp = pdpOver(entities, policies);
    const source = new MemoryEntitySource(entities);
    expect(() => planWith(pdp, source, { principal: uid('User', 'meera'), action: { id: 'export' }, resourceType: 'Order', context: CONTEXT })).toThrow(
      PlanUnsupportedError,
    );
    const r = review(pdp, entities, 0);
    expect(r).toMatchObject(exhaustive(pdp, entities));
    const exports = Object.fromEntries(r.rows.filter((row) => row.action === 'export').map((row) => [row.user, row.clients]));
    // meera's client has Amazon orders; kabir's only a Stripe one.
    expect(exports).toEqual({ meera: ['chai-co'] });
    expect(r.rows.filter((row) => row.action === 'reveal_buyer_pii').map((row) => [row.user, row.clients])).toEqual([
      ['meera', ['chai-co']],
      ['kabir', ['kora-home']],
    ]);
    // Per user: export on orders is refused by the planner (decided), reveal is planned (no other type holds any).
    expect(r.method).toEqual({ planned: 2, decided: 2 });
  });

  it('asks decisions when planning itself fails (the planner then denies everything, decisions may not)', () => {
    const entities = fifthOrderStore(5);
    const pdp = pdpOver(entities, platform);
    const broken = {
      authorize: pdp.authorize.bind(pdp),
      // a set the planner trips over (it throws where it reads the action types); decisions use the PDP's own
      active: { ...platform, actionTypes: undefined } as unknown as CompiledPolicySet,
      refusedEntities: pdp.refusedEntities,
    };
    const r = accessReview({ pdp: broken, entities: new MemoryEntitySource(entities) }, undefined, { planFrom: 0 });
    expect(r.rows.find((row) => row.action === 'reveal_buyer_pii')?.clients).toEqual(['chai-co']);
    expect(r.method).toEqual({ planned: 0, decided: 2 });
  });

  it('keeps the agency-wide flag and progress as before', () => {
    const entities = fifthOrderStore(2);
    entities.push(
      { uid: uid('Role', 'agency_admin'), attrs: {}, parents: [] },
      { uid: uid('User', 'asha'), attrs: { agency: ref('Agency', 'northwind') }, parents: [uid('Role', 'agency_admin'), uid('Agency', 'northwind')] },
    );
    const pdp = pdpOver(entities, platform);
    const progress: string[] = [];
    const r = accessReview({ pdp, entities: new MemoryEntitySource(entities) }, (done, total) => progress.push(`${done}/${total}`), { planFrom: 0 });
    expect(progress).toEqual(['1/2', '2/2']);
    expect(r.agencyWide).toEqual([{ user: 'asha', roles: ['agency_admin'], agency: 'northwind', clients: 1 }]);
    expect(r).toMatchObject({ users: 2, clients: 1, crossAgency: 0 });
  });

  it('over a live store, is kept until the entities or the active policy version change', () => {
    const entities = fifthOrderStore(5);
    const pdp = pdpOver(entities, platform);
    const source = new MemoryEntitySource(entities);
    const store = { all: () => source.all(), version: '7' };
    const asked = vi.spyOn(pdp, 'authorize');
    const first = accessReview({ pdp, entities: store });
    const calls = asked.mock.calls.length;
    expect(calls).toBeGreaterThan(0);
    expect(accessReview({ pdp, entities: store })).toBe(first);
    expect(asked.mock.calls.length).toBe(calls);
    store.version = '8';
    expect(accessReview({ pdp, entities: store })).not.toBe(first);
    expect(asked.mock.calls.length).toBe(2 * calls);
    pdp.activate(compilePolicySet({ ...platform, policies: `${platform.policies}\n// a new version` }));
    accessReview({ pdp, entities: store });
    expect(asked.mock.calls.length).toBe(3 * calls);
    // Without a version, nothing is kept.
    accessReview({ pdp, entities: { all: () => source.all() } });
    expect(asked.mock.calls.length).toBe(4 * calls);
  });
});
