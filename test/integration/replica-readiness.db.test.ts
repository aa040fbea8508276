import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeySet } from '../../evidence/ledger/keys.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createChildDatabase, hasServerDatabase } from '../helpers/test-database.ts';
import { apiCaller, propagation } from '../helpers/propagation.ts';

type Replica = Awaited<ReturnType<typeof spawnTenet>>;

// Readiness is written by the replica that recorded the change (here: an exception approved on A); B must follow at
// once, not only when its own readiness round comes (the scheduler is off here, so B has no round at all). What shows
// it: an Integration written through B keeps the readiness A computed, because B's write transform uses B's view.
describe.runIf(hasServerDatabase)('readiness across replicas', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tenet-readiness-'));
  const admin = `tnt_test_${randomBytes(24).toString('base64url')}`;
  let database: Awaited<ReturnType<typeof createChildDatabase>>;
  let a: Replica;
  let b: Replica;
  const call = (r: Replica, p: string, init: { method?: string; body?: unknown; key?: string } = {}) => apiCaller(r.url, admin)(p, init);
  const integration = {
    uid: { type: 'Integration', id: 'amazon_spapi' },
    attrs: { provider: 'amazon_spapi', restricted: true, status: 'live', ready: true },
    parents: [],
  };
  const ready = async (r: Replica) => (await call(r, '/v1/entities/Integration/amazon_spapi')).body?.attrs?.ready;
  const pushThrough = async (r: Replica) => expect((await call(r, '/v1/entities', { method: 'PUT', body: { entities: [integration] } })).status).toBe(200);

  beforeAll(async () => {
    database = await createChildDatabase('tenet_readiness');
    const settings = path.join(dir, 'controls.json');
    // One control stands between the integration and readiness; it never runs here, so only an exception satisfies it.
    writeFileSync(settings, JSON.stringify({ integrations: { amazon_spapi: { controls: ['storage.s3-lifecycle'], restricted: true } } }));
    const env = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: database.url!,
      TENET_BOOTSTRAP_TOKEN: admin,
      TENET_KEYS: JSON.stringify(newKeySet()),
      TENET_CONFIG_FILE: settings,
      TENET_ENTITY_REFRESH_MS: '10000',
      TENET_SCHEDULER: 'false',
      LOG_LEVEL: 'info',
      PORT: '0',
    };
    a = await spawnTenet({ args: ['serve'], env: { ...env, TENET_DATA_DIR: path.join(dir, 'a') } });
    b = await spawnTenet({ args: ['serve'], env: { ...env, TENET_DATA_DIR: path.join(dir, 'b') } });
  }, 120_000);
  afterAll(async () => {
    for (const r of [a, b]) r?.child.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an exception approved on one replica makes the integration ready on both, and a write through the other keeps it', async () => {
    await pushThrough(a);
    expect(await ready(a)).toBe(false);
    await propagation(
      async () => {},
      async () => (await ready(b)) === false,
    );

    const officer = await call(a, '/v1/api-keys', { body: { name: 'officer', role: 'security_officer' } });
    expect(officer.status).toBe(201);
    const requested = await call(a, '/v1/exceptions', {
      key: officer.body.key,
      body: {
        controlId: 'storage.s3-lifecycle',
        integrationId: 'amazon_spapi',
        reason: 'Lifecycle rule ships with the next release.',
        ticket: 'SEC-42',
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      },
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    const seen = await propagation(
      async () => expect((await call(a, `/v1/exceptions/${requested.body.id}/approve`, { method: 'POST' })).status).toBe(200),
      async () => (await ready(b)) === true,
    );
    console.log(`readiness seen on the other replica ${Math.round(seen)} ms after the approval answered`);
    // B recomputes on the posture notice; give it the bar's time, then write through B
    await new Promise((r) => setTimeout(r, 250));
    await pushThrough(b);
    expect(await ready(b)).toBe(true);
    await propagation(
      async () => {},
      async () => (await ready(a)) === true,
    );

    // and back: revoked on A, not ready anywhere, and a write through B does not make it ready again
    expect((await call(a, `/v1/exceptions/${requested.body.id}`, { method: 'DELETE' })).status).toBe(200);
    await propagation(
      async () => {},
      async () => (await ready(b)) === false,
    );
    await new Promise((r) => setTimeout(r, 250));
    await pushThrough(b);
    expect(await ready(b)).toBe(false);
    expect(await ready(a)).toBe(false);
  }, 60_000);
});
