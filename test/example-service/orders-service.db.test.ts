import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { planToSql, TenetClient, TenetClientError, type AuthorizeRequest, type PlanTableMapping } from '@tenet/client';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createChildDatabase } from '../helpers/test-database.ts';
import { createOrdersService, orderEntity, type Order } from './orders-service.ts';

/**
 * The example orders service against a real `tenet serve --demo` (its own process, on embedded PostgreSQL or the
 * server in DATABASE_URL): the client pushes the service's orders, the middleware gates each route, and the answers
 * are what the shipped platform policies say for the demo users. Then Tenet is killed, and every route fails closed.
 */
const ORDERS: Order[] = [
  { id: 'ex-1', agency: 'northwind', client: 'chai-co', integration: 'delhivery', total: 1200, piiRedacted: false, buyer: 'B. Uyer' },
  { id: 'ex-2', agency: 'saffron', client: 'masala-mart', integration: 'delhivery', total: 800, piiRedacted: false, buyer: 'S. Hopper' },
  { id: 'ex-3', agency: 'northwind', client: 'chai-co', integration: 'delhivery', total: 50, piiRedacted: true, buyer: 'R. Edacted' },
];
const ADMIN = 'example-service-admin-token-0123456789abcdef';
const TIMEOUT_MS = 1_500;

const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-example-service-'));
let database: Awaited<ReturnType<typeof createChildDatabase>> | undefined;
let tenet: { url: string; child: ChildProcess; exited: Promise<number | null> };
let spawned: ChildProcess | undefined;
let serviceKey: string;
let service: Server;
let serviceUrl: string;
let calls = 0;
/** The real fetch, counted: how many requests the client actually sent. */
const countingFetch: typeof fetch = (input, init) => {
  calls++;
  return fetch(input, init);
};
let client: TenetClient;

beforeAll(async () => {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TENET_DATA_DIR: dataDir,
    TENET_BOOTSTRAP_TOKEN: ADMIN,
    LOG_LEVEL: 'info',
    PORT: '0',
  };
  database = await createChildDatabase('tenet_example_service');
  if (database.url) env.DATABASE_URL = database.url;
  else delete env.DATABASE_URL;
  tenet = await spawnTenet({ args: ['serve', '--demo'], env, onSpawn: (c) => (spawned = c) });
  // The service's own key, of the `service` role, made by an administrator.
  const made = await fetch(`${tenet.url}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'orders-service', role: 'service' }),
  });
  expect(made.status).toBe(201);
  serviceKey = ((await made.json()) as { key: string }).key;
  client = new TenetClient({ url: tenet.url, apiKey: serviceKey, timeoutMs: TIMEOUT_MS, fetch: countingFetch });
  service = createOrdersService({ tenet: client, orders: ORDERS }).listen(0, '127.0.0.1');
  await new Promise((r) => service.once('listening', r));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  service?.close();
  if (spawned && spawned.exitCode === null && spawned.signalCode === null) {
    const gone = new Promise((r) => spawned!.once('exit', r));
    spawned.kill('SIGKILL');
    await gone;
  }
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
});

async function as(user: string | undefined, method: string, p: string, flags: { mfa?: boolean; approved?: boolean } = {}) {
  const headers: Record<string, string> = {};
  if (user) headers['x-user'] = user;
  if (flags.mfa) headers['x-mfa'] = 'yes';
  if (flags.approved) headers['x-approved'] = 'yes';
  const res = await fetch(serviceUrl + p, { method, headers });
  return { status: res.status, body: (await res.json()) as any };
}

const ask = (user: string, action: string, order: string): AuthorizeRequest => ({
  principal: { type: 'User', id: user },
  action: { id: action },
  resource: { type: 'Order', id: order },
});

describe('the example orders service, through @tenet/client and its Express middleware', () => {
  it('pushes its orders with the client', async () => {
    const result = await client.putEntities(ORDERS.map(orderEntity));
    expect(result.upserted).toBe(ORDERS.length);
    // A write Tenet refuses throws, naming the status and code: an entity that does not fit the schema.
    const bad = await client.putEntities([{ uid: { type: 'Order', id: 'ex-bad' }, attrs: { pii_redacted: 'no' }, parents: [] }]).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TenetClientError);
    expect((bad as TenetClientError).status).toBe(400);
    // Delete: true when Tenet deleted it, false when it held no such entity.
    await client.putEntities([orderEntity({ ...ORDERS[0], id: 'ex-gone' })]);
    expect(await client.deleteEntity({ type: 'Order', id: 'ex-gone' })).toBe(true);
    expect(await client.deleteEntity({ type: 'Order', id: 'ex-gone' })).toBe(false);
  });

  it('answers each user as the shipped policies say', async () => {
    // Agency staff: their own agency's clients, never another agency's.
    expect((await as('asha', 'GET', '/orders/ex-1')).body).toMatchObject({ id: 'ex-1', client: 'chai-co' });
    const cross = await as('asha', 'GET', '/orders/ex-2');
    expect(cross.status).toBe(403);
    expect(cross.body.error).toBe('forbidden');
    expect(cross.body.reasons).toEqual(['forbid-cross-agency']);
    expect(cross.body.decisionId).toEqual(expect.any(String));
    expect((await as('asha', 'POST', '/orders/ex-1/refund', { approved: true })).status).toBe(200);
    // A route's own context: a refund without a human's approval is denied by that guardrail.
    expect((await as('asha', 'POST', '/orders/ex-1/refund')).body.reasons).toEqual(['forbid-unapproved-business-action']);
    // A client user: their own client's orders (reading, refunds), never another client's.
    expect((await as('meera', 'GET', '/orders/ex-1')).status).toBe(200);
    const refund = await as('meera', 'POST', '/orders/ex-1/refund', { approved: true });
    expect(refund.status).toBe(200);
    expect(refund.body.decisionId).toEqual(expect.any(String));
    expect(await as('meera', 'POST', '/orders/ex-2/refund', { approved: true })).toEqual({
      status: 403,
      body: { error: 'forbidden', decisionId: expect.any(String), reasons: expect.arrayContaining(['forbid-client-user-other-client']) },
    });
    expect((await as('meera', 'GET', '/orders/ex-2')).body.reasons).toEqual(expect.arrayContaining(['forbid-client-user-other-client']));
    expect((await as('kabir', 'GET', '/orders/ex-2')).status).toBe(200);
    expect((await as('kabir', 'GET', '/orders/ex-1')).status).toBe(403);
    // A platform administrator gets no tenant data; an unknown user gets nothing; nobody signed in is a 401.
    expect((await as('ops-root', 'GET', '/orders/ex-1')).body.reasons).toEqual(['forbid-platform-admin-tenant-data']);
    expect((await as('nobody', 'GET', '/orders/ex-1')).status).toBe(403);
    // The client passes on what Tenet says about such a deny.
    expect((await client.authorize(ask('nobody', 'read', 'ex-1'))).warnings).toEqual(['principal User::"nobody" is not stored']);
    expect(await as(undefined, 'GET', '/orders/ex-1')).toEqual({ status: 401, body: { error: 'unauthenticated' } });
    // Buyer PII: only with MFA (the middleware's context), never from a redacted order.
    expect((await as('asha', 'GET', '/orders/ex-1/buyer')).body.reasons).toEqual(['forbid-reveal-without-mfa']);
    expect(await as('asha', 'GET', '/orders/ex-1/buyer', { mfa: true })).toEqual({ status: 200, body: { buyer: 'B. Uyer' } });
    expect((await as('asha', 'GET', '/orders/ex-3/buyer', { mfa: true })).body.reasons).toEqual(['forbid-reveal-redacted-order']);
    // The list shows each user only what they may read.
    expect((await as('meera', 'GET', '/orders')).body.orders.map((o: Order) => o.id)).toEqual(['ex-1', 'ex-3']);
    expect((await as('kabir', 'GET', '/orders')).body.orders.map((o: Order) => o.id)).toEqual(['ex-2']);
    expect((await as('ops-root', 'GET', '/orders')).body.orders).toEqual([]);
  });

  it('authorizeBatch keeps the order of 250 requests, in chunks of 100', async () => {
    const users = ['asha', 'meera', 'kabir', 'ops-root', 'ravi', 'dev', 'nobody'];
    const actions = ['read', 'refund', 'reveal_buyer_pii'];
    // Not periodic in any chunk size: a shifted or reordered answer lands on a different question.
    const requests = Array.from({ length: 250 }, (_, i) => ask(users[(i * 5 + (i >> 3)) % 7], actions[(i >> 1) % 3], ORDERS[(i * i) % 3].id));
    const single = new Map<string, string>();
    for (const r of requests) {
      const k = JSON.stringify(r);
      if (!single.has(k)) single.set(k, (await client.authorize(r)).decision);
    }
    expect(new Set(single.values())).toEqual(new Set(['allow', 'deny']));
    const before = calls;
    const results = await client.authorizeBatch(requests);
    expect(calls - before).toBe(3);
    expect(results).toHaveLength(250);
    expect(results.map((d) => d.decision)).toEqual(requests.map((r) => single.get(JSON.stringify(r))));
    expect(new Set(results.map((d) => d.decisionId)).size).toBe(250);
  });

  it('the decision cache answers within its TTL without a call, keyed by the canonical request', async () => {
    const cached = new TenetClient({ url: tenet.url, apiKey: serviceKey, cache: { ttlMs: 400, maxEntries: 10 }, fetch: countingFetch });
    const first = await cached.authorize(ask('meera', 'read', 'ex-1'));
    expect(first).toMatchObject({ decision: 'allow', decisionId: expect.any(String) });
    expect(first.cached).toBeUndefined();
    const before = calls;
    // The same question with its keys in another order is the same entry.
    const again = await cached.authorize({ resource: { id: 'ex-1', type: 'Order' }, action: { id: 'read' }, principal: { id: 'meera', type: 'User' } });
    expect(calls).toBe(before);
    expect(again).toEqual({ ...first, cached: true });
    // Another question is another call; past the TTL the first is asked again and logged as a new decision.
    expect((await cached.authorize(ask('kabir', 'read', 'ex-1'))).decision).toBe('deny');
    expect(calls).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 450));
    const later = await cached.authorize(ask('meera', 'read', 'ex-1'));
    expect(calls).toBe(before + 2);
    expect(later.decisionId).not.toBe(first.decisionId);
  });

  it("plan filters a list in the app's own SQL: the rows selected are the orders authorizeBatch allows, per user and action", async () => {
    // The app's own table (an in-process PostgreSQL here), mapped for the planner: attribute -> column.
    const db = new PGlite();
    try {
      await db.exec('create table orders (id text primary key, agency text, client text, integration text, pii_redacted boolean)');
      for (const o of ORDERS) await db.query('insert into orders values ($1, $2, $3, $4, $5)', [o.id, o.agency, o.client, o.integration, o.piiRedacted]);
      const mapping: PlanTableMapping = {
        table: 'orders',
        id: 'id',
        attributes: { agency: 'agency', client: 'client', integration: 'integration', pii_redacted: 'pii_redacted' },
        ancestors: { Client: 'client', Agency: 'agency' },
      };
      const kinds = new Set<string>();
      for (const user of ['asha', 'meera', 'kabir', 'ops-root', 'nobody'])
        for (const action of ['read', 'reveal_buyer_pii']) {
          const plan = await client.plan({ principal: { type: 'User', id: user }, action: { id: action }, resourceType: 'Order', context: { mfa: true } });
          kinds.add(plan.kind);
          let selected: string[] = [];
          if (plan.kind === 'always_allowed') selected = ORDERS.map((o) => o.id);
          else if (plan.kind === 'conditional') {
            const where = planToSql(plan.condition!, mapping);
            selected = (await db.query<{ id: string }>(`select id from orders where ${where.sql}`, where.params)).rows.map((r) => r.id);
          }
          const decisions = await client.authorizeBatch(ORDERS.map((o) => ({ ...ask(user, action, o.id), context: { mfa: true } })));
          const allowed = ORDERS.filter((_, i) => decisions[i].decision === 'allow').map((o) => o.id);
          expect([user, action, selected.sort()]).toEqual([user, action, allowed.sort()]);
        }
      expect(kinds).toContain('conditional');
    } finally {
      await db.close();
    }
  });

  it('with Tenet frozen (connections open, no answer), a gated route answers 403 once the timeout has passed', async () => {
    tenet.child.kill('SIGSTOP');
    try {
      const started = Date.now();
      const res = await as('meera', 'GET', '/orders/ex-1');
      const took = Date.now() - started;
      expect(res).toEqual({ status: 403, body: { error: 'forbidden', decisionId: null, reasons: [] } });
      expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(took).toBeLessThan(TIMEOUT_MS + 700);
      expect(await client.authorize(ask('meera', 'read', 'ex-1'))).toEqual({ decision: 'deny', reasons: [], errors: [`no answer within ${TIMEOUT_MS} ms`] });
    } finally {
      tenet.child.kill('SIGCONT');
    }
  });

  it('with Tenet gone, the client answers deny and every gated route answers 403 within the timeout', async () => {
    tenet.child.kill('SIGKILL');
    await tenet.exited;
    const started = Date.now();
    const res = await as('asha', 'GET', '/orders/ex-1');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
    expect(res).toEqual({ status: 403, body: { error: 'forbidden', decisionId: null, reasons: [] } });
    expect((await as('asha', 'GET', '/orders')).body.orders).toEqual([]);
    const d = await client.authorize(ask('asha', 'read', 'ex-1'));
    expect(d).toEqual({ decision: 'deny', reasons: [], errors: [expect.stringMatching(/^cannot reach tenet: ECONNREFUSED/)] });
    const batch = await client.authorizeBatch(Array.from({ length: 150 }, () => ask('asha', 'read', 'ex-1')));
    expect(batch.every((x) => x.decision === 'deny' && x.errors.length === 1)).toBe(true);
    await expect(client.putEntities(ORDERS.map(orderEntity))).rejects.toMatchObject({ status: 0, code: 'connection' });
    // A plan fails closed too: nothing is listed.
    const plan = await client.plan({ principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resourceType: 'Order' });
    expect(plan).toMatchObject({ kind: 'always_denied', errors: [expect.stringMatching(/^cannot reach tenet/)] });
  });
});
