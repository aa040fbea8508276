import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uidKey, type Entity } from '../../engine/authz/entity.ts';
import { planMatches } from '../../engine/authz/plan-match.ts';
import { compilePolicySet } from '../../engine/authz/policy-set.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// POST /v1/authorize/plan over the demo platform: a list filtered by the plan's condition holds exactly the
// orders /v1/authorize allows, for every demo user. (engine/authz/plan.db.test.ts proves the same in PostgreSQL
// over random platforms.)
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

function ancestorsOf(e: Entity): Set<string> {
  const out = new Set<string>();
  const stack = [...e.parents];
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(uidKey(p))) continue;
    out.add(uidKey(p));
    stack.push(...(t.authz.entityStore.get(p)?.parents ?? []));
  }
  return out;
}

describe('POST /v1/authorize/plan', () => {
  it('a list filtered by the plan holds exactly the orders /v1/authorize allows, for every demo user', async () => {
    const orders = [...t.authz.entityStore.all('Order')];
    const users = [...t.authz.entityStore.all('User')].map((u) => u.uid);
    expect(orders.length).toBeGreaterThan(2);
    const kinds = new Set<string>();
    for (const principal of [...users, { type: 'User', id: 'nobody' }]) {
      for (const [action, context] of [
        ['read', {}],
        ['reveal_buyer_pii', { mfa: true }],
      ] as const) {
        const plan = await t.call('/v1/authorize/plan', { role: 'service', body: { principal, action: { id: action }, resourceType: 'Order', context } });
        expect(plan.status, JSON.stringify(plan.body)).toBe(200);
        kinds.add(plan.body.kind);
        const allowed: string[] = [];
        for (let i = 0; i < orders.length; i += 100) {
          const chunk = orders.slice(i, i + 100);
          const batch = await t.call('/v1/authorize/batch', {
            role: 'service',
            body: { requests: chunk.map((o) => ({ principal, action: { id: action }, resource: o.uid, context })) },
          });
          chunk.forEach((o, j) => batch.body.results[j].decision === 'allow' && allowed.push(o.uid.id));
        }
        const selected =
          plan.body.kind === 'always_allowed'
            ? orders.map((o) => o.uid.id)
            : plan.body.kind === 'always_denied'
              ? []
              : orders.filter((o) => planMatches(plan.body.condition, o, ancestorsOf)).map((o) => o.uid.id);
        expect(selected.sort(), `${principal.id} ${action}`).toEqual(allowed.sort());
      }
    }
    expect(kinds).toContain('conditional');
    expect(kinds).toContain('always_denied');
  }, 60_000);

  it('is gated as /v1/authorize, and refuses a bad request with 400', async () => {
    const body = { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resourceType: 'Order' };
    expect((await t.call('/v1/authorize/plan', { body })).status).toBe(401);
    expect((await t.call('/v1/authorize/plan', { role: 'auditor', body })).status).toBe(403);
    const badType = await t.call('/v1/authorize/plan', { role: 'service', body: { ...body, action: { type: 'Tenet::Action', id: 'read' } } });
    expect(badType.status).toBe(400);
    expect((await t.call('/v1/authorize/plan', { role: 'service', body: { ...body, resourceType: 'not a type' } })).status).toBe(400);
    // A resource type the action does not apply to: denied, with why.
    const wrong = await t.call('/v1/authorize/plan', { role: 'service', body: { ...body, resourceType: 'Credential' } });
    expect(wrong.body).toMatchObject({ kind: 'always_denied', errors: [expect.stringContaining('not a resource type')] });
  });

  it('answers 422 plan_unsupported, naming the construct, when the condition language cannot say it', async () => {
    const active = t.authz.platform.active!;
    const extra = '@id("permit-amazon-like") permit (principal, action, resource) when { resource.integration.provider like "*amazon*" };';
    t.authz.platform.activate(compilePolicySet({ name: 'platform', schema: active.schema, policies: `${active.policies}\n${extra}` }));
    try {
      const res = await t.call('/v1/authorize/plan', {
        role: 'service',
        body: { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resourceType: 'Order' },
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'plan_unsupported', message: expect.stringContaining('like') });
    } finally {
      t.authz.platform.activate(active);
    }
  });
});
