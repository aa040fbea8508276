import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_POLICY_DIR } from '../kernel/version.ts';
import type { Entity } from './entity.ts';
import { MemoryEntitySource } from './entity-source.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { compilePolicySet, type CompiledPolicySet } from './policy-set.ts';
import { readShippedPolicySet } from './policy-store.ts';

const PROVIDERS = ['amazon_spapi', 'google_ads', 'whatsapp', 'stripe', 'apollo', 'delhivery'];
const ACTIONS = ['read', 'export', 'reveal_buyer_pii', 'send_message', 'ai_prompt', 'refund', 'change_price', 'generate_label', 'create_payment_link'];
const ROLES = ['agency_admin', 'agency_user', 'client_user', 'platform_admin'];
const ref = (type: string, id: string) => ({ __entity: { type, id } });

/** A random platform: agencies, clients with random integration sets, users of every role, orders. */
const graph = fc
  .record({
    agencies: fc.integer({ min: 2, max: 3 }),
    clients: fc.array(fc.record({ agency: fc.nat(), integrations: fc.subarray(PROVIDERS, { minLength: 1 }) }), { minLength: 2, maxLength: 5 }),
    integrations: fc.array(fc.record({ status: fc.constantFrom('live', 'planned', 'suspended'), restricted: fc.boolean(), ready: fc.boolean() }), {
      minLength: PROVIDERS.length,
      maxLength: PROVIDERS.length,
    }),
    users: fc.array(fc.record({ role: fc.constantFrom(...ROLES), agency: fc.nat(), client: fc.nat() }), { minLength: 2, maxLength: 6 }),
    orders: fc.array(fc.record({ client: fc.nat(), integration: fc.constantFrom(...PROVIDERS), redacted: fc.boolean() }), { minLength: 2, maxLength: 8 }),
  })
  .map((g) => {
    const entities: Entity[] = [];
    for (const r of ROLES) entities.push({ uid: { type: 'Role', id: r }, attrs: {}, parents: [] });
    for (let a = 0; a < g.agencies; a++) entities.push({ uid: { type: 'Agency', id: `a${a}` }, attrs: {}, parents: [] });
    PROVIDERS.forEach((p, i) => entities.push({ uid: { type: 'Integration', id: p }, attrs: { provider: p, ...g.integrations[i] }, parents: [] }));
    const clients = g.clients.map((c, i) => ({ id: `c${i}`, agency: `a${c.agency % g.agencies}`, integrations: c.integrations }));
    for (const c of clients) {
      entities.push({
        uid: { type: 'Client', id: c.id },
        attrs: { agency: ref('Agency', c.agency), integrations: c.integrations.map((i) => ref('Integration', i)) },
        parents: [{ type: 'Agency', id: c.agency }],
      });
    }
    const users = g.users.map((u, i) => {
      const client = clients[u.client % clients.length];
      const agency = u.role === 'client_user' ? client.agency : `a${u.agency % g.agencies}`;
      const parents = [{ type: 'Role', id: u.role }];
      if (u.role !== 'platform_admin') parents.push({ type: 'Agency', id: agency });
      if (u.role === 'client_user') parents.push({ type: 'Client', id: client.id });
      entities.push({ uid: { type: 'User', id: `u${i}` }, attrs: u.role === 'platform_admin' ? {} : { agency: ref('Agency', agency) }, parents });
      return { id: `u${i}`, role: u.role, agency: u.role === 'platform_admin' ? undefined : agency };
    });
    const orders = g.orders.map((o, i) => {
      const client = clients[o.client % clients.length];
      entities.push({
        uid: { type: 'Order', id: `o${i}` },
        attrs: {
          agency: ref('Agency', client.agency),
          client: ref('Client', client.id),
          integration: ref('Integration', o.integration),
          pii_redacted: o.redacted,
        },
        parents: [{ type: 'Client', id: client.id }],
      });
      return { id: `o${i}`, agency: client.agency, client, integration: o.integration };
    });
    return { entities, users, orders, integrations: Object.fromEntries(PROVIDERS.map((p, i) => [p, g.integrations[i]])) };
  });

/** The most permissive context each action can ask for: anything that still denies is denied by the rules. */
const generousContext = {
  mfa: true,
  human_approved: true,
  template_approved: true,
  within_limits: true,
  channel: 'amazon_messaging',
  purpose: 'fulfilment',
  audience: 'business',
  fields: ['order_id'],
};

let compiled: CompiledPolicySet;
beforeAll(async () => {
  compiled = compilePolicySet(await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' }));
});

describe('platform policies, over random platforms (fast-check)', () => {
  it('never allow across agencies, never on a suspended or not-ready restricted integration, and the PDP decides as Cedar does on the whole store', () => {
    fc.assert(
      fc.property(graph, fc.nat(), fc.nat(), fc.constantFrom(...ACTIONS), (p, ui, oi, action) => {
        const pdp = new PolicyDecisionPoint({ name: 'prop', actionType: 'Action', entities: new MemoryEntitySource(p.entities) });
        pdp.activate(compiled);
        const user = p.users[ui % p.users.length];
        const order = p.orders[oi % p.orders.length];
        const request = {
          principal: { type: 'User', id: user.id },
          action: { id: action },
          resource: { type: 'Order', id: order.id },
          context: generousContext,
        };
        const d = pdp.authorize(request);
        const integration = p.integrations[order.integration];
        if (d.decision === 'allow') {
          expect(user.agency, 'cross-agency allow').toBe(order.agency);
          expect(integration.status, 'allow on a suspended integration').not.toBe('suspended');
          if (integration.restricted) expect(integration.ready, 'allow on a not-ready restricted integration').toBe(true);
          expect(order.client.integrations, 'allow on an integration the client has not connected').toContain(order.integration);
          expect(user.role).not.toBe('platform_admin');
        }
        // The PDP is Cedar: the full store, the schema and Cedar's own validation agree (an error anywhere denies in
        // both here: the shipped policies have no permit that errors on these platforms).
        const full = cedar.isAuthorized({
          principal: request.principal,
          action: { type: 'Action', id: action },
          resource: request.resource,
          context: generousContext as cedar.Context,
          policies: { staticPolicies: compiled.byId },
          schema: compiled.schema,
          validateRequest: true,
          entities: p.entities as cedar.Entities,
        });
        const fullDecision = full.type === 'success' && full.response.diagnostics.errors.length === 0 ? full.response.decision : 'deny';
        expect(d.decision, JSON.stringify(d.errors)).toBe(fullDecision);
        if (full.type === 'success' && fullDecision === 'allow') expect(new Set(d.reasons)).toEqual(new Set(full.response.diagnostics.reason));
      }),
      { numRuns: 400 },
    );
  });
});
