import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDecisionRecord } from '../../engine/authz/decision-record.ts';
import { MAX_JSON_DEPTH } from '../../engine/http/input-guard.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Over HTTP: one bad request must never hurt anyone else. Strings PostgreSQL cannot store
 * and over-deep bodies are refused at the edge of every route (Express and the fast path), bodies are read only
 * after authentication, a too-large chunked body is a 413, and error bodies echo little and redact by one rule.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ controls: {} });
});
afterAll(async () => {
  await t?.close();
});

const decide = (requestId: string, body: unknown, key = t.keys.service) =>
  fetch(`${t.url}/v1/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify(body),
  });

const read = { principal: { type: 'User', id: 'meera' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } };

/** Requests whose decision rows carry these request ids, once the log has been flushed. */
async function logged(requestIds: string[]): Promise<number> {
  await t.authz.decisionLog.flush();
  const rows = await t.database.db.selectFrom('decisions').select('request_id').where('request_id', 'in', requestIds).execute();
  return rows.length;
}

describe('strings PostgreSQL cannot store are refused at the edge', () => {
  it('a NUL or lone surrogate anywhere in an authorization request is a 400, and every later decision is logged', async () => {
    const run = Math.random().toString(36).slice(2, 10);
    const bad = [
      { ...read, principal: { type: 'User', id: 'asha\u0000' } },
      { ...read, principal: { type: 'User', id: 'a\ud800b' } },
      { ...read, context: { 'mfa\u0000': true } },
      { ...read, context: { note: 'x\udfff' } },
    ];
    for (const [i, body] of bad.entries()) {
      const res = await decide(`bad-${run}-${i}`, body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { code: string; message: string; requestId: string } };
      expect(json.error.code).toBe('invalid_request');
      expect(json.error.requestId).toBe(`bad-${run}-${i}`);
      // eslint-disable-next-line no-control-regex -- NUL must not come back
      expect(json.error.message).not.toMatch(/[\u0000\ud800-\udfff]/);
    }
    // The batch route too.
    const batch = await fetch(`${t.url}/v1/authorize/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.service}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [read, { ...read, resource: { type: 'Order', id: 'o\u0000' } }] }),
    });
    expect(batch.status).toBe(400);
    const ids = Array.from({ length: 20 }, (_, i) => `after-${run}-${i}`);
    for (const id of ids) expect((await decide(id, read)).status).toBe(200);
    expect(await logged(ids)).toBe(20);
  });

  it('every route refuses them in the query, the path and the body with 400, before its own schema', async () => {
    const seen: string[] = [];
    for (const route of t.app.routes) {
      const path = route.path.replace(/:[A-Za-z]+/g, 'x');
      const method = route.method.toUpperCase();
      // The query: a key no route declares, so only the generic guard can refuse it.
      const cases: Array<{ url: string; body?: string; what: string }> = [
        { url: `${path}?zz=a%00b`, what: 'query NUL' },
        { url: `${path}?zz=a%00b&zz=ok`, what: 'query NUL in a repeated key' },
      ];
      if (route.path.includes(':')) {
        cases.push({ url: route.path.replace(/:[A-Za-z]+/g, 'a%00b'), what: 'path NUL' });
        cases.push({ url: route.path.replace(/:[A-Za-z]+/g, 'a%ED%A0%80b'), what: 'path lone surrogate' });
      }
      if (route.body) {
        cases.push({ url: path, body: '{"zz":"a\\u0000b"}', what: 'body NUL' });
        cases.push({ url: path, body: '{"zz":{"y":["a\\ud800b"]}}', what: 'body lone surrogate' });
        cases.push({ url: path, body: '{"a\\u0000":1}', what: 'body key NUL' });
      }
      for (const c of cases) {
        const res = await fetch(t.url + c.url, {
          method,
          headers: { authorization: `Bearer ${t.keys.admin}`, ...(c.body ? { 'content-type': 'application/json' } : {}) },
          body: c.body,
        });
        const text = await res.text();
        expect({ route: `${method} ${route.path}`, what: c.what, status: res.status }).toEqual({ route: `${method} ${route.path}`, what: c.what, status: 400 });
        const json = JSON.parse(text) as { error: { code: string; message: string } };
        expect(json.error.code).toBe('invalid_request');
        expect(text).not.toMatch(/\\u0000|\\ud800/i);
      }
      seen.push(`${method} ${route.path}`);
    }
    expect(seen.length).toBeGreaterThanOrEqual(13);
    // The reproductions, by name.
    for (const [method, url] of [
      ['GET', '/v1/decisions?action=x%00'],
      ['DELETE', '/v1/api-keys/x%00'],
      ['GET', '/v1/entities/User/a%ED%A0%80b'],
      ['GET', '/v1/pii-reveals?principal=User::x%00'],
    ]) {
      const res = await fetch(t.url + url, { method, headers: { authorization: `Bearer ${t.keys.admin}` } });
      expect(`${method} ${url} → ${res.status}`).toBe(`${method} ${url} → 400`);
    }
    const put = await t.call('/v1/entities', {
      method: 'PUT',
      role: 'service',
      body: { entities: [{ uid: { type: 'User', id: 'n\u0000' }, attrs: {}, parents: [] }] },
    });
    expect(put.status).toBe(400);
  });
});

describe('nesting, size and order of body parsing', () => {
  /** JSON text nested n objects deep (JSON.stringify would overflow the test's own stack at 10,000). */
  const deep = (n: number): string => '{"a":'.repeat(n) + '"leaf"' + '}'.repeat(n);

  it(`a body nested deeper than ${MAX_JSON_DEPTH} levels is a 400 on Express routes and on the fast path`, async () => {
    const put = await t.call('/v1/entities', {
      method: 'PUT',
      role: 'service',
      body: `{"entities":[{"uid":{"type":"Order","id":"deep-1"},"attrs":{"x":${deep(10_000)}},"parents":[]}]}`,
    });
    expect(put.status).toBe(400);
    expect(put.body.error.message).toMatch(/nested deeper than/);
    const res = await fetch(`${t.url}/v1/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.service}`, 'content-type': 'application/json' },
      body: `{"principal":{"type":"User","id":"meera"},"action":{"id":"read"},"resource":{"type":"Order","id":"o-1001"},"context":{"x":${deep(10_000)}}}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/nested deeper than/);
    // Within the limit: the schema decides (an unknown attribute here), not the guard.
    const ok = await t.call('/v1/entities', {
      method: 'PUT',
      role: 'service',
      body: `{"entities":[{"uid":{"type":"Order","id":"deep-2"},"attrs":{"x":${deep(5)}},"parents":[]}]}`,
    });
    expect(ok.status).toBe(400);
    expect(ok.body.error.message).not.toMatch(/nested deeper than/);
  });

  /** Sends `size` bytes chunked (no content-length) and resolves with the answer's status, or rejects on a reset. */
  function sendChunked(path: string, size: number, key: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${t.url}${path}`, {
        method: path === '/v1/entities' ? 'PUT' : 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.write('{"principal":"');
      pump();
    });
  }

  it('a too-large chunked body is a 413 on the fast path, like on the Express routes (not a reset)', async () => {
    const hot = await sendChunked('/v1/authorize', 3 * 1024 * 1024, t.keys.service);
    expect(hot.status).toBe(413);
    expect(JSON.parse(hot.body).error.code).toBe('payload_too_large');
    // PUT /v1/entities takes up to 8 MiB (10,000 entities): past that, its 413 names its limits.
    const express = await sendChunked('/v1/entities', 9 * 1024 * 1024, t.keys.service);
    expect(express.status).toBe(413);
    expect(JSON.parse(express.body).error.message).toContain('8,388,608 bytes');
    // The server still answers decisions afterwards.
    expect((await decide('after-413', read)).status).toBe(200);
  });

  it('an anonymous body is not parsed: no key is a 401 before the body is read, whatever it holds', async () => {
    for (const path of ['/v1/entities', '/v1/policies/validate', '/v1/authorize']) {
      const res = await fetch(t.url + path, {
        method: path === '/v1/entities' ? 'PUT' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{not json',
      });
      expect(`${path} ${res.status}`).toBe(`${path} 401`);
    }
    // With a key, the same body is read and refused as JSON.
    const res = await fetch(t.url + '/v1/entities', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.service}` },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    // A role the gate refuses is answered 403 without its body being parsed either.
    const auditor = await fetch(t.url + '/v1/entities', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.auditor}` },
      body: '{not json',
    });
    expect(auditor.status).toBe(403);
  });

  it('a 1.5 MB context key is refused with a short answer, not echoed', async () => {
    const huge = 'k'.repeat(1_500_000);
    const res = await decide('huge-key-1', { ...read, context: { [huge]: 1 } });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(4_000);
    expect(text).not.toContain('k'.repeat(400));
    // A large context value too (it would be held in the decision cache's key).
    const big = await decide('huge-value-1', { ...read, context: { purpose: 'p'.repeat(1_000_000) } });
    expect(big.status).toBe(400);
    expect((await big.text()).length).toBeLessThan(4_000);
  });
});

describe('one redaction rule for every error body', () => {
  it('an entity-write error masks an id that is personal data, as decision errors do', async () => {
    const email = 'priya.sharma.sec@example.in';
    const res = await t.call('/v1/entities', {
      method: 'PUT',
      role: 'service',
      body: { entities: [{ uid: { type: 'User', id: email }, attrs: { no_such_attribute: 1 }, parents: [] }] },
    });
    expect(res.status).toBe(400);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(email);
    expect(text).not.toContain('priya.sharma');
    // Decisions: the same email as a principal id the schema does not know is masked in `errors` too.
    const d = await decide('redact-decision-1', { ...read, principal: { type: 'User', id: email }, context: { [email]: 1 } });
    expect(await d.text()).not.toContain(email);
  });
});

describe('the decision log isolates what it cannot write', () => {
  it('a queued record PostgreSQL refuses is quarantined and counted in /metrics; 20 later decisions are all logged', async () => {
    const run = Math.random().toString(36).slice(2, 10);
    // As if answered before the edge guard existed: the record reaches the writer with a NUL in its principal id.
    const poisoned = toDecisionRecord({
      request: { ...read, principal: { type: 'User', id: 'asha\u0000' } },
      decision: { decision: 'deny', reasons: [], errors: [], policyHash: 'h', entityVersion: '0', latencyUs: 1 },
      requestId: `poison-${run}`,
    });
    await t.authz.decisionLog.append(poisoned);
    const ids = Array.from({ length: 20 }, (_, i) => `later-${run}-${i}`);
    for (const id of ids) expect((await decide(id, read)).status).toBe(200);
    expect(await logged(ids)).toBe(20);
    expect(t.authz.decisionLog.depth).toBe(0);
    const kept = await t.database.db.selectFrom('decision_quarantine').selectAll().where('decision_id', '=', poisoned.id).execute();
    expect(kept).toHaveLength(1);
    expect(kept[0].record).toContain('asha\\u0000');
    const metrics = await t.call('/metrics', { role: 'admin' });
    expect(metrics.body).toMatch(/^tenet_decision_log_quarantined_total 1$/m);
  });
});
