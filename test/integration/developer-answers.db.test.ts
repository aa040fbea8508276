import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// What a developer integrating with Tenet is told when a request goes wrong: a deny over an entity the store
// does not hold says so, and a body that is not JSON is a 415, not a puzzling 400.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const ask = (principal: string, resource: string) => ({
  principal: { type: 'User', id: principal },
  action: { id: 'read' },
  resource: { type: 'Order', id: resource },
});

describe('warnings on a deny', () => {
  it('/v1/authorize names the principal or resource the store does not hold; an allow carries none', async () => {
    const nobody = await t.call('/v1/authorize', { role: 'service', body: ask('nobody', 'o-1001') });
    expect(nobody.status).toBe(200);
    expect(nobody.body).toMatchObject({ decision: 'deny', warnings: ['principal User::"nobody" is not stored'] });
    const missing = await t.call('/v1/authorize', { role: 'service', body: ask('asha', 'o-404') });
    expect(missing.body).toMatchObject({ decision: 'deny', warnings: ['resource Order::"o-404" is not stored'] });
    const allowed = await t.call('/v1/authorize', { role: 'service', body: ask('asha', 'o-1001') });
    expect(allowed.body.decision).toBe('allow');
    expect(allowed.body).not.toHaveProperty('warnings');
  });

  it('the batch answers carry them per decision, in order', async () => {
    const r = await t.call('/v1/authorize/batch', { role: 'service', body: { requests: [ask('asha', 'o-1001'), ask('nobody', 'o-nowhere')] } });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).not.toHaveProperty('warnings');
    expect(r.body.results[1]).toMatchObject({
      decision: 'deny',
      warnings: ['principal User::"nobody" is not stored', 'resource Order::"o-nowhere" is not stored'],
    });
  });
});

describe('a body that is not JSON', () => {
  const post = (path: string, body: string, headers: Record<string, string>, role: 'service' | 'admin' = 'service') =>
    fetch(t.url + path, { method: 'POST', headers: { authorization: `Bearer ${t.keys[role]}`, ...headers }, body });

  it('is a 415 with a clear error on a hot route and on the others; nothing is decided', async () => {
    const json = JSON.stringify(ask('asha', 'o-1001'));
    for (const [path, role] of [
      ['/v1/authorize', 'service'],
      ['/v1/authorize/batch', 'service'],
      ['/v1/api-keys', 'admin'],
    ] as const) {
      for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, {}] as Array<Record<string, string>>) {
        const r = await post(path, json, headers, role);
        expect({ path, headers, status: r.status }).toEqual({ path, headers, status: 415 });
        const body = (await r.json()) as { error: { code: string; message: string; requestId: string } };
        expect(body.error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringMatching(/must be JSON.*application\/json/) });
        expect(body.error.requestId).toBe(r.headers.get('x-request-id'));
      }
    }
  });

  it('JSON in any spelling of its type is read; requests without a body still work', async () => {
    const json = JSON.stringify(ask('asha', 'o-1001'));
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json']) {
      const r = await post('/v1/authorize', json, { 'content-type': type });
      expect({ type, status: r.status, decision: ((await r.json()) as { decision?: string }).decision }).toEqual({ type, status: 200, decision: 'allow' });
    }
    expect((await t.call('/v1/entities?type=Order&limit=1', { role: 'service' })).status).toBe(200);
    const created = await t.call('/v1/api-keys', { role: 'admin', body: { name: 'to delete', role: 'auditor' } });
    expect(created.status).toBe(201);
    expect((await t.call(`/v1/api-keys/${created.body.info.id}`, { role: 'admin', method: 'DELETE' })).status).toBe(200);
    // A declared empty body is no body: not a 415.
    const empty = await post('/v1/authorize', '', { 'content-type': 'text/plain' });
    expect(empty.status).toBe(400);
  });

  it('an anonymous caller still gets 401 first', async () => {
    const r = await fetch(t.url + '/v1/authorize', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(r.status).toBe(401);
  });
});
