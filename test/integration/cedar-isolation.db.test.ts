import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cedar from '../../engine/authz/cedar-runtime.ts';
import { decidingCedar, loadCedarInstance, type CedarApi } from '../../engine/authz/cedar-runtime.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

/** A hostile policy: 259 bytes, 100 nested parentheses. */
const HOSTILE = `@id("x")\npermit(principal, action, resource) when { ${'('.repeat(100)}true${')'.repeat(100)} };`;

const decide = (principal: string, action: string, resource: string, context: Record<string, unknown> = {}) =>
  t.call('/v1/authorize', {
    role: 'service',
    body: { principal: { type: 'User', id: principal }, action: { id: action }, resource: { type: 'Order', id: resource }, context },
  });

/** tenet_cedar_instance_replacements_total for one instance, as /metrics reports it. */
async function replacements(instance: 'deciding' | 'sandbox'): Promise<number> {
  const metrics = await t.call('/metrics', { role: 'admin' });
  expect(metrics.status).toBe(200);
  const m = new RegExp(`tenet_cedar_instance_replacements_total\\{instance="${instance}"\\} (\\d+)`).exec(metrics.body);
  expect(m, metrics.body.slice(0, 200)).not.toBeNull();
  return Number(m![1]);
}

describe('hostile policy text never poisons the deciding Cedar instance', () => {
  it('two validate calls with 100 nested parentheses, then decisions are still correct and admins are not 403', async () => {
    expect(Buffer.byteLength(HOSTILE)).toBe(259);
    const schema = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0].schema;
    for (let i = 0; i < 2; i++) {
      const res = await t.call('/v1/policies/validate', { role: 'security_officer', body: { name: 'platform', policies: HOSTILE, schema } });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    }
    const allow = await decide('asha', 'read', 'o-1001');
    expect(allow.body).toMatchObject({ decision: 'allow', errors: [] });
    const deny = await decide('dev', 'read', 'o-1001');
    expect(deny.body.decision).toBe('deny');
    expect((await t.call('/v1/policies', { role: 'admin' })).status).toBe(200);
    expect((await t.call('/readyz')).status).toBe(200);
    // Each hostile text faulted the sandbox's thread, which was replaced.
    expect(await replacements('sandbox')).toBeGreaterThanOrEqual(2);
  });

  it('the same text as a draft to activate, or in the playground, is refused; nothing changes', async () => {
    const current = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];
    const put = await t.call('/v1/policies', { method: 'PUT', role: 'admin', body: { name: 'platform', policies: HOSTILE, schema: current.schema } });
    expect(put.status).toBe(409);
    expect(put.body.error.details.report.validation.errors.join()).toMatch(/Cedar faulted on this text/);
    const tried = await t.call('/v1/policies/try', {
      role: 'security_officer',
      body: { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' }, policies: HOSTILE },
    });
    expect(tried.status).toBe(400);
    expect(tried.body.error).toMatchObject({ code: 'invalid_request', requestId: expect.any(String) });
    expect(tried.body.error.message).toMatch(/Cedar faulted on this text/);
    const after = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];
    expect(after.hash).toBe(current.hash);
    expect((await decide('asha', 'read', 'o-1001')).body).toMatchObject({ decision: 'allow', policyHash: current.hash });
    expect((await decide('dev', 'read', 'o-1001')).body.decision).toBe('deny');
  });

  it('a trap in the deciding instance: decisions go on, entity writes 503 while it is replaced, then 200, and /metrics counts it', async () => {
    // Hold the replacement open so the broken window can be observed over HTTP.
    let release!: () => void;
    const loaded = new Promise<void>((r) => (release = r));
    const restore = decidingCedar.useLoader(async (): Promise<CedarApi> => {
      await loaded;
      return loadCedarInstance();
    });
    const before = decidingCedar.replacements;
    expect((await decide('asha', 'read', 'o-1001')).body.decision).toBe('allow');
    try {
      // A real trap, in the instance the main thread uses (through the guarded module, as every main-thread caller is).
      expect(() => cedar.policySetTextToParts(`permit(principal, action, resource) when { ${'('.repeat(400)}true${')'.repeat(400)} };`)).toThrow(
        /Cedar faulted/,
      );
      const ready = await t.call('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.cedar).toBe(false);
      // Decisions and route gates are Tenet's evaluator: they do not wait for Cedar.
      expect((await decide('asha', 'read', 'o-1001')).body).toMatchObject({ decision: 'allow', errors: [] });
      expect((await decide('dev', 'read', 'o-1001')).body.decision).toBe('deny');
      expect((await t.call('/metrics', { role: 'security_officer' })).status).toBe(200);
      // An entity write is checked by Cedar: 503 (try again), nothing written.
      const pushed = await t.call('/v1/entities', {
        role: 'admin',
        method: 'PUT',
        body: { entities: [{ uid: { type: 'Agency', id: 'during-fault' }, attrs: {}, parents: [] }] },
      });
      expect(pushed.status).toBe(503);
      expect(pushed.body.error).toMatchObject({ code: 'unavailable', requestId: expect.any(String) });
      expect(t.authz.entityStore.get({ type: 'Agency', id: 'during-fault' })).toBeUndefined();
    } finally {
      release();
      restore();
    }
    await decidingCedar.whenHealthy();
    expect(decidingCedar.replacements).toBe(before + 1);
    expect((await t.call('/readyz')).status).toBe(200);
    expect((await decide('asha', 'read', 'o-1001')).body).toMatchObject({ decision: 'allow', errors: [] });
    expect((await decide('asha', 'reveal_buyer_pii', 'o-2001', { mfa: true })).body.decision).toBe('deny');
    expect((await decide('dev', 'read', 'o-1001')).body.decision).toBe('deny');
    expect((await t.call('/v1/policies', { role: 'admin' })).status).toBe(200);
    expect((await t.call('/metrics', { role: 'security_officer' })).status).toBe(200);
    expect(await replacements('deciding')).toBeGreaterThanOrEqual(1);
  });
});
