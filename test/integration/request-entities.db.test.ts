import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNED_ENTITY_TYPES } from '../../engine/authz/entity.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Authorization must not be rewritable by its caller. Against the demo entities, with the
// demo's posture: Amazon SP-API ready (its one control passes here), WhatsApp not ready (its control never ran).
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    controls: {
      settings: {
        integrations: {
          amazon_spapi: { controls: ['audit.pii-reveal-retention'] },
          whatsapp: { controls: ['secrets.no-legacy-env-credentials'] },
        },
      },
    },
  });
  await t.controls!.runNow(['audit.pii-reveal-retention'], { trigger: 'manual' });
});
afterAll(async () => t?.close());

const ref = (type: string, id: string) => ({ __entity: { type, id } });
const uid = (type: string, id: string) => ({ type, id });
const ask = (principal: string, action: string, resource: { type: string; id: string }, extra: Record<string, unknown> = {}) => ({
  principal: uid('User', principal),
  action: { id: action },
  resource,
  ...extra,
});
const authorize = (body: unknown) => t.call('/v1/authorize', { role: 'service', body });

async function loggedDecisions(): Promise<number> {
  await t.authz.decisionLog.flush();
  const row = await t.database.db
    .selectFrom('decisions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('request entities only add to the store', () => {
  it('a forged User::asha in saffron cannot turn a cross-agency buyer-PII reveal into an allow', async () => {
    const reveal = ask('asha', 'reveal_buyer_pii', uid('Order', 'o-2001'), { context: { mfa: true } });
    const plain = await authorize(reveal);
    expect(plain.body).toMatchObject({ decision: 'deny', reasons: ['forbid-cross-agency'] });

    const before = await loggedDecisions();
    const forged = await authorize({
      ...reveal,
      entities: [{ uid: uid('User', 'asha'), attrs: { agency: ref('Agency', 'saffron') }, parents: [uid('Role', 'agency_admin'), uid('Agency', 'saffron')] }],
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatchObject({ code: 'entity_conflict', requestId: expect.any(String) });
    expect(forged.body.error.message).toContain('User::"asha"');
    expect(forged.body.error.details).toEqual([{ path: 'entities.0', entity: 'User::"asha"', reason: 'owned_type' }]);
    // Refused before deciding: nothing was decided, so nothing was logged and no reveal was audited.
    expect(await loggedDecisions()).toBe(before);
    const reveals = await t.database.db.selectFrom('pii_reveals').select('decision').where('resource_id', '=', 'o-2001').execute();
    expect(reveals.map((r) => r.decision)).toEqual(['deny']);
  });

  it('a forged ready Integration::whatsapp cannot lift the not-ready guardrail on conv-1', async () => {
    const read = ask('asha', 'read', uid('Conversation', 'conv-1'));
    expect((await authorize(read)).body).toMatchObject({ decision: 'deny', reasons: ['forbid-restricted-integration-not-ready'] });
    const forged = await authorize({
      ...read,
      entities: [{ uid: uid('Integration', 'whatsapp'), attrs: { provider: 'whatsapp', restricted: true, status: 'live', ready: true }, parents: [] }],
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('entity_conflict');
    expect(forged.body.error.message).toContain('Integration::"whatsapp"');
    expect((await authorize(read)).body.decision).toBe('deny');
  });

  it('refuses every owned type even when the store lacks it, and any stored entity of another type', async () => {
    for (const type of OWNED_ENTITY_TYPES) {
      const res = await authorize({ ...ask('asha', 'read', uid('Order', 'o-1001')), entities: [{ uid: uid(type, `ghost-${type}`), attrs: {}, parents: [] }] });
      expect(res.status, type).toBe(400);
      expect(res.body.error, type).toMatchObject({ code: 'entity_conflict', details: [{ entity: `${type}::"ghost-${type}"`, reason: 'owned_type' }] });
    }
    // A stored order re-sent with another tenancy: replacing is refused, whatever the type.
    const o2001 = {
      uid: uid('Order', 'o-2001'),
      attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'chai-co'), integration: ref('Integration', 'amazon_spapi'), pii_redacted: false },
      parents: [uid('Client', 'chai-co')],
    };
    const res = await authorize({ ...ask('asha', 'reveal_buyer_pii', uid('Order', 'o-2001'), { context: { mfa: true } }), entities: [o2001] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'entity_conflict', details: [{ path: 'entities.0', entity: 'Order::"o-2001"', reason: 'stored' }] });
  });

  it('an uid that is personal data is masked in the error body', async () => {
    const res = await authorize({
      ...ask('asha', 'read', uid('Order', 'o-1001')),
      entities: [{ uid: uid('User', 'priya.sharma.sec@example.in'), attrs: {}, parents: [] }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('entity_conflict');
    expect(JSON.stringify(res.body)).not.toContain('priya.sharma.sec@example.in');
  });

  it('a batch with one conflicting request is refused whole, naming it, and decides nothing', async () => {
    const before = await loggedDecisions();
    const res = await t.call('/v1/authorize/batch', {
      role: 'service',
      body: {
        requests: [
          ask('asha', 'read', uid('Order', 'o-1001')),
          {
            ...ask('asha', 'read', uid('Conversation', 'conv-1')),
            entities: [{ uid: uid('Integration', 'whatsapp'), attrs: { provider: 'whatsapp', restricted: false, status: 'live', ready: true }, parents: [] }],
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'entity_conflict', details: [{ path: 'requests.1.entities.0', entity: 'Integration::"whatsapp"' }] });
    expect(res.body.error.message).toMatch(/^requests\.1\.entities\.0: Integration::"whatsapp"/);
    expect(await loggedDecisions()).toBe(before);
  });

  it('an entity the store lacks is added for that decision; the log, the listing and the audit say so', async () => {
    const oNew = {
      uid: uid('Order', 'o-req-1'),
      attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'chai-co'), integration: ref('Integration', 'amazon_spapi'), pii_redacted: false },
      parents: [uid('Client', 'chai-co')],
    };
    const read = await authorize({ ...ask('asha', 'read', uid('Order', 'o-req-1')), entities: [oNew] });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ decision: 'allow', reasons: ['permit-agency-staff-client-data'] });
    // Only for that request: the store did not keep it.
    expect((await authorize(ask('asha', 'read', uid('Order', 'o-req-1')))).body.decision).toBe('deny');
    expect(t.authz.entityStore.get(uid('Order', 'o-req-1'))).toBeUndefined();

    const reveal = await authorize({ ...ask('asha', 'reveal_buyer_pii', uid('Order', 'o-req-1'), { context: { mfa: true } }), entities: [oNew] });
    expect(reveal.body.decision).toBe('allow');
    await t.authz.decisionLog.flush();

    const listed = await t.call('/v1/decisions?resource=Order::o-req-1', { role: 'auditor' });
    expect(listed.status).toBe(200);
    const byId = new Map(listed.body.decisions.map((d: { id: string }) => [d.id, d]));
    expect(byId.get(read.body.decisionId)).toMatchObject({ decision: 'allow', requestEntities: [uid('Order', 'o-req-1')] });
    expect(byId.get(reveal.body.decisionId)).toMatchObject({ action: 'reveal_buyer_pii', requestEntities: [uid('Order', 'o-req-1')] });
    const storedOnly = listed.body.decisions.find((d: { requestEntities: unknown[] }) => d.requestEntities.length === 0);
    expect(storedOnly).toMatchObject({ decision: 'deny', requestEntities: [] });

    // The reveal audit's tenancy is the store's: the request's claim about the order is not evidence.
    const audit = await t.database.db.selectFrom('pii_reveals').selectAll().where('decision_id', '=', reveal.body.decisionId).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ decision: 'allow', agency_id: null, client_id: null });
    // A stored order's reveal keeps its stored tenancy.
    const stored = await authorize(ask('asha', 'reveal_buyer_pii', uid('Order', 'o-1001'), { context: { mfa: true } }));
    await t.authz.decisionLog.flush();
    const storedAudit = await t.database.db.selectFrom('pii_reveals').selectAll().where('decision_id', '=', stored.body.decisionId).executeTakeFirstOrThrow();
    expect(storedAudit).toMatchObject({ decision: 'allow', agency_id: 'northwind', client_id: 'chai-co' });
  });

  it('an added entity that points at tenancy the store does not hold is denied (fail closed)', async () => {
    const ghostClient = {
      uid: uid('Order', 'o-req-ghost'),
      attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'ghost'), integration: ref('Integration', 'amazon_spapi'), pii_redacted: false },
      parents: [uid('Client', 'ghost')],
    };
    const res = await authorize({ ...ask('asha', 'read', uid('Order', 'o-req-ghost')), entities: [ghostClient] });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('deny');
  });

  it('every type the platform schema allows as a parent or as an entity attribute is owned', () => {
    // Why it matters: if a type outside OWNED_ENTITY_TYPES could be an ancestor (or an attribute target) of stored
    // entities, a request could add it where the store leaves a dangling reference and so change a stored
    // entity's hierarchy. The list must grow with the schema.
    const text = readFileSync(path.join(SHIPPED_POLICY_DIR, 'platform.cedarschema'), 'utf8');
    const answer = cedar.schemaToJsonWithResolvedTypes(text);
    if (answer.type !== 'success') throw new Error('schema does not parse');
    const targets = new Set<string>();
    const walk = (t: any): void => {
      if (!t || typeof t !== 'object') return;
      if (t.type === 'Entity' && typeof t.name === 'string') targets.add(t.name);
      if (t.element) walk(t.element);
      if (t.attributes) for (const a of Object.values(t.attributes)) walk(a);
    };
    for (const def of Object.values(answer.json as Record<string, { entityTypes: Record<string, { memberOfTypes?: string[]; shape?: unknown }> }>)) {
      for (const e of Object.values(def.entityTypes)) {
        for (const p of e.memberOfTypes ?? []) targets.add(p);
        walk(e.shape);
      }
    }
    expect(targets.size).toBeGreaterThan(0);
    expect([...targets].filter((x) => !OWNED_ENTITY_TYPES.has(x))).toEqual([]);
  });
});

describe('action.type', () => {
  it('a type the platform schema does not have is a 400; Action or none is decided', async () => {
    const base = ask('asha', 'read', uid('Order', 'o-1001'));
    const wrong = await authorize({ ...base, action: { type: 'Tenet::Action', id: 'read' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_request' });
    expect(wrong.body.error.message).toMatch(/^action\.type: the platform schema has no action type "Tenet::Action"/);
    expect((await authorize({ ...base, action: { type: 'Action', id: 'read' } })).body).toMatchObject({ decision: 'allow' });
    expect((await authorize(base)).body).toMatchObject({ decision: 'allow' });
    const batch = await t.call('/v1/authorize/batch', {
      role: 'service',
      body: { requests: [base, { ...base, action: { type: 'Tenant::Action', id: 'read' } }] },
    });
    expect(batch.status).toBe(400);
    expect(batch.body.error.message).toMatch(/^requests\.1\.action\.type/);
  });
});

describe("an integration's provider, restricted and ready are Tenet's", () => {
  const integration = (id: string, attrs: Record<string, unknown>) => ({
    uid: uid('Integration', id),
    attrs: { provider: id, restricted: true, status: 'live', ready: false, ...attrs },
    parents: [],
  });
  const push = (entities: unknown[], role: 'service' | 'admin' = 'service') => t.call('/v1/entities', { method: 'PUT', role, body: { entities } });

  it('pushing restricted:false keeps restricted (and says so): read conv-1 stays deny', async () => {
    const read = ask('asha', 'read', uid('Conversation', 'conv-1'));
    const res = await push([integration('whatsapp', { restricted: false, provider: 'not-whatsapp' })]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ upserted: 1, version: expect.any(String) });
    expect(res.body.kept.sort()).toEqual(['Integration::whatsapp.provider', 'Integration::whatsapp.restricted']);
    expect(t.authz.entityStore.get(uid('Integration', 'whatsapp'))?.attrs).toMatchObject({ provider: 'whatsapp', restricted: true, ready: false });
    expect((await authorize(read)).body).toMatchObject({ decision: 'deny', reasons: ['forbid-restricted-integration-not-ready'] });
    // Still after the next readiness pass (the 30 s loop runs this).
    await t.controls!.applyReadiness();
    expect((await authorize(read)).body.decision).toBe('deny');

    const ready = await push([integration('whatsapp', { ready: true })]);
    expect(ready.body.kept).toEqual(['Integration::whatsapp.ready']);
    // What the caller sent and Tenet agrees with is not reported.
    expect((await push([integration('whatsapp', {})])).body.kept).toEqual([]);
  });

  it('status moves only toward suspended; only an admin key lifts a suspension, even across delete and re-create', async () => {
    const read = ask('asha', 'read', uid('Order', 'o-1001'));
    expect((await authorize(read)).body.decision).toBe('allow');
    const amazon = (status: string) => integration('amazon_spapi', { status, ready: true });

    const suspend = await push([amazon('suspended')]);
    expect(suspend.status).toBe(200);
    expect(suspend.body.kept).toEqual([]);
    expect((await authorize(read)).body).toMatchObject({ decision: 'deny', reasons: ['forbid-integration-suspended'] });

    const lift = await push([amazon('live')]);
    expect(lift.body.kept).toEqual(['Integration::amazon_spapi.status']);
    expect((await authorize(read)).body.decision).toBe('deny');

    expect((await t.call('/v1/entities/Integration/amazon_spapi', { method: 'DELETE', role: 'service' })).status).toBe(204);
    const recreated = await push([amazon('live')]);
    expect(recreated.body.kept).toEqual(['Integration::amazon_spapi.status']);
    expect(t.authz.entityStore.get(uid('Integration', 'amazon_spapi'))?.attrs.status).toBe('suspended');
    expect((await authorize(read)).body.decision).toBe('deny');

    const admin = await push([amazon('live')], 'admin');
    expect(admin.body.kept).toEqual([]);
    expect((await authorize(read)).body.decision).toBe('allow');

    // An unconfigured integration follows the same status rule (the demo's suspended Instantly).
    const instantly = await push([
      { uid: uid('Integration', 'instantly'), attrs: { provider: 'instantly', restricted: false, status: 'live', ready: true }, parents: [] },
    ]);
    expect(instantly.body.kept).toEqual(['Integration::instantly.status']);
    // Any other move than toward suspended is kept too (planned → live is an administrator's call).
    const razorpay = await push([
      { uid: uid('Integration', 'razorpay'), attrs: { provider: 'razorpay', restricted: false, status: 'live', ready: true }, parents: [] },
    ]);
    expect(razorpay.body.kept).toEqual(['Integration::razorpay.status']);
  });

  it('stored entities that disagree with the settings are corrected by the readiness pass', async () => {
    // As if written before the settings said so (e.g. by an older release): bypass the write transform.
    const store = t.authz.entityStore;
    const before = store.get(uid('Integration', 'whatsapp'))!;
    await t.database.db
      .updateTable('entities')
      .set({ attrs: JSON.stringify({ ...before.attrs, restricted: false }), version: (eb) => eb.fn('nextval', [eb.val('entities_version')]) as never })
      .where('type', '=', 'Integration')
      .where('id', '=', 'whatsapp')
      .execute();
    await store.refresh();
    expect(store.get(uid('Integration', 'whatsapp'))?.attrs.restricted).toBe(false);
    await t.controls!.applyReadiness();
    expect(store.get(uid('Integration', 'whatsapp'))?.attrs.restricted).toBe(true);
    expect((await authorize(ask('asha', 'read', uid('Conversation', 'conv-1')))).body.decision).toBe('deny');
  });
});
