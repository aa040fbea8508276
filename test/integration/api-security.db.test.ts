import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENET_ROLES } from '../../engine/authz/api-keys.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { ROUTE_ACCESS } from './route-access.ts';

let t: TestApp;
beforeAll(async () => {
  // Amazon SP-API needs one control that passes here, so its orders are decided by the role and tenant policies
  // under test; other restricted integrations have no controls configured and are therefore never ready.
  t = await startTestApp({ controls: { settings: { integrations: { amazon_spapi: { controls: ['audit.pii-reveal-retention'] } } } } });
  await t.controls!.runNow(['audit.pii-reveal-retention'], { trigger: 'manual' });
});
afterAll(async () => t?.close());

// A resource that does not exist: the gate is what is under test, and a DELETE must not remove demo data.
const samplePath = (path: string) => path.replace(':type', 'Order').replace(':id', 'not-a-real-id');

describe('every route: authentication and role gate', () => {
  it('every gated route is in the access table', () => {
    // 'authenticated' routes (the caller's own session) have no role gate: every authenticated caller passes.
    const missing = t.app.routes.filter((r) => typeof r.gate === 'object' && !ROUTE_ACCESS[`${r.gate.area}:${r.gate.action}`]);
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('no key, a malformed header or an unknown key → 401 with the error body', async () => {
    for (const r of t.app.routes.filter((x) => x.gate !== 'public')) {
      for (const key of [undefined, 'not-a-real-key-but-long-enough-000000']) {
        const res = await t.call(samplePath(r.path), {
          method: r.method.toUpperCase(),
          key,
          body: r.method === 'get' || r.method === 'delete' ? undefined : {},
        });
        expect(res.status, `${r.method} ${r.path}`).toBe(401);
        expect(res.body.error).toMatchObject({ code: 'unauthenticated', requestId: expect.any(String) });
      }
    }
    const metrics = await t.call('/metrics');
    expect(metrics.status).toBe(401);
  });

  it('a role outside the table → 403; a role inside gets past the gate', async () => {
    for (const r of t.app.routes.filter((x) => x.gate !== 'public')) {
      if (r.gate === 'public') continue;
      const allowed: readonly string[] = r.gate === 'authenticated' ? TENET_ROLES : ROUTE_ACCESS[`${r.gate.area}:${r.gate.action}`];
      for (const role of TENET_ROLES) {
        // An empty body: an allowed role gets 400 (or 404), a forbidden one 403 before the body is read.
        const res = await t.call(samplePath(r.path), {
          method: r.method.toUpperCase(),
          role,
          body: r.method === 'get' || r.method === 'delete' ? undefined : {},
        });
        if (allowed.includes(role)) expect([200, 201, 204, 400, 404, 409], `${role} ${r.method} ${r.path}`).toContain(res.status);
        else {
          expect(res.status, `${role} ${r.method} ${r.path}`).toBe(403);
          expect(res.body.error.code).toBe('forbidden');
        }
      }
    }
  });

  it('route denials are in the decision log', async () => {
    await t.call('/v1/policies', { role: 'auditor' });
    await t.authz.decisionLog.flush();
    const res = await t.call('/v1/decisions?principal=Tenet::ApiKey::x&decision=deny', { role: 'admin' });
    expect(res.status).toBe(200);
    const all = await t.call('/v1/decisions?decision=deny&limit=1000', { role: 'admin' });
    expect(all.body.decisions.some((d: any) => d.principal.type === 'Tenet::ApiKey' && d.resource.id === 'policies')).toBe(true);
  });
});

describe('POST /v1/authorize', () => {
  const req = (user: string, action: string, order: string, context?: Record<string, unknown>) => ({
    principal: { type: 'User', id: user },
    action: { id: action },
    resource: { type: 'Order', id: order },
    ...(context ? { context } : {}),
  });

  it('allows an agency user on their agency’s order and names the policy', async () => {
    const res = await t.call('/v1/authorize', { role: 'service', body: req('asha', 'read', 'o-1001') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'allow', errors: [], decisionId: expect.any(String), policyHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.reasons.length).toBeGreaterThan(0);
    // The fast path sets what helmet sets everywhere else.
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('another tenant’s resource → deny', async () => {
    const res = await t.call('/v1/authorize', { role: 'service', body: req('dev', 'read', 'o-1001') });
    expect(res.body.decision).toBe('deny');
    const client = await t.call('/v1/authorize', { role: 'service', body: req('kabir', 'read', 'o-1001') });
    expect(client.body.decision).toBe('deny');
  });

  it('unknown principal or resource, or a bad context → deny with errors or no reasons, never allow', async () => {
    for (const body of [req('nobody', 'read', 'o-1001'), req('asha', 'read', 'no-such-order'), req('asha', 'read', 'o-1001', { mfa: 'yes' })]) {
      const res = await t.call('/v1/authorize', { role: 'service', body });
      expect(res.status).toBe(200);
      expect(res.body.decision).toBe('deny');
    }
    const bad = await t.call('/v1/authorize', { role: 'service', body: req('asha', 'read', 'o-1001', { mfa: 'yes' }) });
    expect(bad.body.errors.join(' ')).toMatch(/context\.mfa/);
  });

  it('rejects a malformed body with 400 and the one error shape', async () => {
    const res = await t.call('/v1/authorize', { role: 'service', body: { principal: { type: 'User' } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', requestId: expect.any(String) });
    const json = await t.call('/v1/authorize', { role: 'service', body: '{"principal":' });
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('invalid_json');
    const big = await t.call('/v1/authorize', { role: 'service', body: JSON.stringify({ x: 'a'.repeat(3_000_000) }) });
    expect(big.status).toBe(413);
  });

  it('batch answers in order, ≤ 100', async () => {
    const res = await t.call('/v1/authorize/batch', {
      role: 'service',
      body: { requests: [req('asha', 'read', 'o-1001'), req('dev', 'read', 'o-1001'), req('dev', 'read', 'o-2001')] },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.decision)).toEqual(['allow', 'deny', 'allow']);
    const tooMany = await t.call('/v1/authorize/batch', {
      role: 'service',
      body: { requests: Array.from({ length: 101 }, () => req('asha', 'read', 'o-1001')) },
    });
    expect(tooMany.status).toBe(400);
  });

  it('every decision is logged with context keys but not values; reveals go to the PII audit', async () => {
    const marker = 'audience-value-should-not-be-stored';
    const res = await t.call('/v1/authorize', { role: 'service', body: req('asha', 'reveal_buyer_pii', 'o-1001', { mfa: true, audience: marker }) });
    await t.authz.decisionLog.flush();
    const log = await t.call(`/v1/decisions?principal=User::asha&action=reveal_buyer_pii`, { role: 'auditor' });
    const row = log.body.decisions.find((d: any) => d.id === res.body.decisionId);
    expect(row).toMatchObject({ action: 'reveal_buyer_pii', contextKeys: ['audience', 'mfa'] });
    expect(JSON.stringify(log.body)).not.toContain(marker);
    const reveals = await t.call('/v1/pii-reveals?client=chai-co', { role: 'auditor' });
    expect(reveals.body.reveals.find((r: any) => r.decisionId === res.body.decisionId)).toMatchObject({
      agency: 'northwind',
      client: 'chai-co',
      principal: { type: 'User', id: 'asha' },
    });
  });
});

describe('entities', () => {
  it('upserts, is used by the next decision, deletes', async () => {
    const order = {
      uid: { type: 'Order', id: 'o-new' },
      attrs: {
        agency: { __entity: { type: 'Agency', id: 'northwind' } },
        client: { type: 'Client', id: 'chai-co' },
        integration: { __entity: { type: 'Integration', id: 'amazon_spapi' } },
        pii_redacted: false,
      },
      parents: [{ type: 'Client', id: 'chai-co' }],
    };
    const put = await t.call('/v1/entities', { method: 'PUT', role: 'service', body: { entities: [order] } });
    expect(put.status).toBe(200);
    expect(put.body.upserted).toBe(1);
    const d = await t.call('/v1/authorize', {
      role: 'service',
      body: { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-new' } },
    });
    expect(d.body.decision).toBe('allow');
    const del = await t.call('/v1/entities/Order/o-new', { method: 'DELETE', role: 'service' });
    expect(del.status).toBe(204);
    expect((await t.call('/v1/entities/Order/o-new', { method: 'DELETE', role: 'service' })).status).toBe(404);
    const after = await t.call('/v1/authorize', {
      role: 'service',
      body: { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-new' } },
    });
    expect(after.body.decision).toBe('deny');
  });

  it('refuses a batch with one bad entity, writes nothing, and does not echo values', async () => {
    const good = { uid: { type: 'Agency', id: 'fresh-agency' }, attrs: {}, parents: [] };
    const bad = {
      uid: { type: 'Integration', id: 'stripe' },
      attrs: { provider: 'stripe', restricted: 'secret-looking-value-9876543210', status: 'live', ready: true },
      parents: [],
    };
    const res = await t.call('/v1/entities', { method: 'PUT', role: 'service', body: { entities: [good, bad] } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('Integration::\\"stripe\\"');
    expect(JSON.stringify(res.body)).not.toContain('9876543210');
    expect((await t.call('/v1/entities/Agency/fresh-agency', { role: 'admin' })).status).toBe(404);
  });
});

describe('policies', () => {
  it('lists both sets with their versions', async () => {
    const res = await t.call('/v1/policies', { role: 'security_officer' });
    expect(res.status).toBe(200);
    expect(res.body.policySets.map((p: any) => p.name)).toEqual(['platform', 'tenet']);
    expect(res.body.policySets[0].versions[0]).toMatchObject({ version: 1, status: 'active' });
  });

  it('a version that breaks a decision table is rejected with the failing cases and never serves', async () => {
    const current = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];
    // Permit everything: tenancy cases must fail.
    const broken = current.policies + '\n@id("oops-permit-all")\npermit (principal, action, resource);\n';
    const validate = await t.call('/v1/policies/validate', { role: 'security_officer', body: { name: 'platform', policies: broken, schema: current.schema } });
    expect(validate.body.ok).toBe(false);
    expect(validate.body.tables.failed.length).toBeGreaterThan(0);
    const put = await t.call('/v1/policies', { method: 'PUT', role: 'security_officer', body: { name: 'platform', policies: broken, schema: current.schema } });
    expect(put.status).toBe(409);
    expect(put.body.error.details.report.tables.failed.length).toBeGreaterThan(0);
    const d = await t.call('/v1/authorize', {
      role: 'service',
      body: { principal: { type: 'User', id: 'dev' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } },
    });
    expect(d.body.decision).toBe('deny');
    expect(d.body.policyHash).toBe(current.hash);
    const after = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];
    expect(after.versions[0]).toMatchObject({ status: 'rejected' });
    expect(after.hash).toBe(current.hash);
  });

  it('a version that passes goes live and decisions report its hash', async () => {
    const current = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];
    const changed = current.policies + '\n// a harmless comment changes the hash\n';
    const put = await t.call('/v1/policies', {
      method: 'PUT',
      role: 'admin',
      body: { name: 'platform', policies: changed, schema: current.schema, comment: 'test' },
    });
    expect(put.status).toBe(200);
    expect(put.body.version.status).toBe('active');
    const d = await t.call('/v1/authorize', {
      role: 'service',
      body: { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } },
    });
    expect(d.body.policyHash).toBe(put.body.version.hash);
    expect(d.body.policyHash).not.toBe(current.hash);
  });
});

describe('public routes', () => {
  it('healthz, readyz and openapi answer without a key; openapi lists every route', async () => {
    expect((await t.call('/healthz')).status).toBe(200);
    expect((await t.call('/readyz')).body.status).toBe('ready');
    const doc = (await t.call('/openapi.json')).body;
    for (const r of t.app.routes) expect(doc.paths[r.path.replace(/:([A-Za-z_]+)/g, '{$1}')]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
  });
  it('metrics for an allowed role', async () => {
    const res = await t.call('/metrics', { role: 'security_officer' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('tenet_decisions_total');
  });
});
