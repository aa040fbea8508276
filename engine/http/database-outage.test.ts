import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../authz/api-keys.ts';
import type { Database } from '../db/schema.ts';
import { isDatabaseUnavailable } from '../db/database.ts';
import { createLogger } from '../kernel/logger.ts';
import { authenticator } from './access.ts';
import { errorHandler, toErrorResponse } from './error-handler.ts';

/**
 * A database outage answers 503 `unavailable` (not 500) and is logged once per interval, not as
 * a stack trace per request. The outage is real: a pg pool pointed at a port nothing listens on.
 */
let server: http.Server;
let url: string;
let db: Kysely<Database>;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  // A port that refuses connections: bound, then released.
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${deadPort}/postgres`, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {});
  db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const app = express();
  app.use((_req, res, next) => {
    res.locals.requestId = 'req-outage-1';
    next();
  });
  const authenticate = authenticator({ apiKeys: new ApiKeyStore({ db, cacheMs: 0 }) });
  app.get('/protected', async (req, res) => {
    await authenticate(req);
    res.json({ ok: true });
  });
  app.use(errorHandler(logger));
  server = http.createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await db?.destroy();
});

describe('a database outage', () => {
  it('answers 503 unavailable to every request and logs it once, not a stack per request', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${url}/protected`, { headers: { authorization: `Bearer tnt_admin_${'x'.repeat(40)}` } });
      statuses.push(res.status);
      const body = (await res.json()) as { error: { code: string; requestId: string; message: string } };
      expect(body.error.code).toBe('unavailable');
      expect(body.error.requestId).toBe('req-outage-1');
      expect(body.error.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|at /);
    }
    expect(new Set(statuses)).toEqual(new Set([503]));
    const outageLines = lines.filter((l) => String(l.msg).startsWith('database unavailable'));
    expect(outageLines).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'unhandled error')).toHaveLength(0);
    expect(JSON.stringify(lines)).not.toMatch(/"stack"/);
  });

  it('is told apart from a bad query: pg connection errors and server shutdown codes are outages, data errors are not', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ENOENT /data/.s.PGSQL.5432'), { code: 'ENOENT', syscall: 'connect' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("ENOENT: no such file or directory, open 'x.zip'"), { code: 'ENOENT', syscall: 'open' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    // An unclassified error stays a 500 with nothing of its message in the body.
    const logger = createLogger({ level: 'silent' });
    const r = toErrorResponse(new Error('secret detail'), 'rid', logger, '/x');
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('secret detail');
  });
});
