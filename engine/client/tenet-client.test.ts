import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeRoute } from './express.ts';
import { BATCH_CHUNK, TenetClient } from './index.ts';

/**
 * The client's transport, against a loopback HTTP server that answers the way a broken or slow Tenet would (the
 * happy path against a real `tenet serve` is test/example-service). Each test sets how the server answers.
 */
type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
let handler: Handler;
let server: http.Server;
let url: string;
let sockets = 0;
let requests = 0;

const decision = (over: Record<string, unknown> = {}) => ({ decision: 'allow', reasons: ['p'], errors: [], decisionId: 'd-1', policyHash: 'h', ...over });
const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const ask = { principal: { type: 'User', id: 'u' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o' } };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  server.on('connection', () => sockets++);
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  requests = 0;
});

describe('TenetClient fails closed', () => {
  it('a timeout answers deny within the budget, saying so', async () => {
    handler = () => {}; // never answers
    const client = new TenetClient({ url, apiKey: 'k', timeoutMs: 300 });
    const started = Date.now();
    expect(await client.authorize(ask)).toEqual({ decision: 'deny', reasons: [], errors: ['no answer within 300 ms'] });
    expect(Date.now() - started).toBeLessThan(800);
    expect(requests).toBe(1); // a timeout is not retried
  });

  it('a non-2xx answer, a body that is not JSON, or JSON that is not a decision answers deny', async () => {
    const client = new TenetClient({ url, apiKey: 'k' });
    handler = (_q, _b, res) => json(res, 401, { error: { code: 'unauthenticated', message: 'No key.', requestId: 'r-1' } });
    expect((await client.authorize(ask)).errors).toEqual(['tenet answered 401 unauthenticated: No key. (request r-1)']);
    handler = (_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"decision":"allow"');
    };
    expect(await client.authorize(ask)).toEqual({ decision: 'deny', reasons: [], errors: ['tenet answered with a body that is not JSON'] });
    handler = (_q, _b, res) => json(res, 200, { decision: 'allow' });
    expect((await client.authorize(ask)).decision).toBe('deny');
    handler = (_q, _b, res) => json(res, 200, decision({ decision: 'yes' }));
    expect((await client.authorize(ask)).decision).toBe('deny');
    handler = (_q, body, res) => json(res, 200, decision({ reasons: [JSON.parse(body).principal.id] }));
    expect(await client.authorize(ask)).toEqual(decision({ reasons: ['u'] }));
  });

  it('retries a 503 and a dropped connection, within the budget; never a 4xx', async () => {
    let n = 0;
    handler = (req, _b, res) => {
      n++;
      if (n === 1) json(res, 503, { error: { code: 'unavailable', message: 'db' } });
      else if (n === 2) req.socket.destroy();
      else json(res, 200, decision());
    };
    expect(await new TenetClient({ url, apiKey: 'k' }).authorize(ask)).toEqual(decision());
    expect(n).toBe(3);
    n = 0;
    expect((await new TenetClient({ url, apiKey: 'k', retries: 1 }).authorize(ask)).errors[0]).toMatch(/^cannot reach tenet|^the connection closed/);
    n = 0;
    handler = (_q, _b, res) => {
      n++;
      json(res, 400, { error: { code: 'invalid_request', message: 'bad' } });
    };
    await new TenetClient({ url, apiKey: 'k' }).authorize(ask);
    expect(n).toBe(1);
  });

  it('reuses one keep-alive connection for sequential calls', async () => {
    handler = (_q, _b, res) => json(res, 200, decision());
    const client = new TenetClient({ url, apiKey: 'k' });
    await client.authorize(ask);
    const before = sockets;
    for (let i = 0; i < 20; i++) await client.authorize(ask);
    expect(sockets - before).toBe(0);
  });

  it('a failing chunk denies its own requests only, in place', async () => {
    handler = (_q, body, res) => {
      const rs = JSON.parse(body).requests as Array<{ resource: { id: string } }>;
      if (rs.some((r) => r.resource.id === 'o-150')) json(res, 500, { error: { code: 'internal', message: 'boom' } });
      else json(res, 200, { results: rs.map((r) => decision({ decisionId: r.resource.id })) });
    };
    const asks = Array.from({ length: 250 }, (_, i) => ({ ...ask, resource: { type: 'Order', id: `o-${i}` } }));
    const out = await new TenetClient({ url, apiKey: 'k' }).authorizeBatch(asks);
    expect(BATCH_CHUNK).toBe(100);
    out.forEach((d, i) => {
      if (i >= 100 && i < 200) expect(d).toEqual({ decision: 'deny', reasons: [], errors: ['tenet answered 500 internal: boom'] });
      else expect(d.decisionId).toBe(`o-${i}`);
    });
    // A batch answer of the wrong length is not a batch of decisions.
    handler = (_q, _b, res) => json(res, 200, { results: [decision()] });
    expect((await new TenetClient({ url, apiKey: 'k' }).authorizeBatch([ask, ask])).map((d) => d.decision)).toEqual(['deny', 'deny']);
  });

  it('a request that cannot be written as JSON is denied, not thrown', async () => {
    const client = new TenetClient({ url, apiKey: 'k', cache: { ttlMs: 1000 } });
    const bad = { ...ask, context: { n: 1n } };
    expect((await client.authorize(bad)).errors[0]).toMatch(/^the request cannot be sent: .*BigInt/);
    expect((await client.authorizeBatch([ask, bad])).map((d) => d.decision)).toEqual(['deny', 'deny']);
    expect(requests).toBe(0);
  });

  it('never caches a fail-closed deny', async () => {
    const client = new TenetClient({ url, apiKey: 'k', cache: { ttlMs: 60_000 } });
    handler = (_q, _b, res) => json(res, 503, { error: { code: 'unavailable', message: 'db' } });
    expect((await client.authorize(ask)).decision).toBe('deny');
    handler = (_q, _b, res) => json(res, 200, decision());
    expect(await client.authorize(ask)).toEqual(decision());
    expect(await client.authorize(ask)).toEqual({ ...decision(), cached: true });
  });
});

describe('authorizeRoute', () => {
  it('gates a route in one line: allow runs the handler; deny and a throwing provider answer 403', async () => {
    handler = (_q, body, res) => {
      const who = JSON.parse(body).principal.id;
      if (who === 'down') json(res, 500, { error: { code: 'internal', message: 'boom' } });
      else json(res, 200, decision({ decision: who === 'ok' ? 'allow' : 'deny', reasons: ['r'] }));
    };
    const client = new TenetClient({ url, apiKey: 'k' });
    const logged: string[] = [];
    const logger = { log: (m: string) => logged.push(m) };
    const app = express();
    const principal = (req: express.Request) => (req.get('x-user') ? { type: 'User', id: req.get('x-user')! } : undefined);
    app.get(
      '/things/:id',
      authorizeRoute({ client, principal, logger, action: 'read', resource: (req) => ({ type: 'Order', id: String(req.params.id) }) }),
      (_req, res) => res.json({ ok: true, decisionId: res.locals.tenetDecision.decisionId }),
    );
    app.get(
      '/broken',
      authorizeRoute({
        client,
        principal,
        logger,
        action: 'read',
        resource: () => {
          throw new Error('no id');
        },
      }),
      (_req, res) => res.json({ ok: true }),
    );
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const get = async (p: string, user?: string) => {
      const res = await fetch(base + p, { headers: user ? { 'x-user': user } : {} });
      return { status: res.status, body: await res.json() };
    };
    try {
      expect(await get('/things/1', 'ok')).toEqual({ status: 200, body: { ok: true, decisionId: 'd-1' } });
      expect(await get('/things/1', 'no')).toEqual({ status: 403, body: { error: 'forbidden', decisionId: 'd-1', reasons: ['r'] } });
      expect(await get('/things/1')).toEqual({ status: 401, body: { error: 'unauthenticated' } });
      expect(await get('/broken', 'ok')).toEqual({ status: 403, body: { error: 'forbidden', decisionId: null, reasons: [] } });
      // Tenet failing: 403, and the reason goes to the logger, naming the route's pattern, never the path's id.
      expect(await get('/things/alice%40example.com', 'down')).toEqual({ status: 403, body: { error: 'forbidden', decisionId: null, reasons: [] } });
      expect(logged).toEqual([
        'tenet denied GET /broken: the request could not be mapped to a decision: no id',
        'tenet denied GET /things/:id: tenet answered 500 internal: boom',
      ]);
    } finally {
      s.close();
    }
  });
});
