import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasServerDatabase } from '../helpers/test-database.ts';
import { propagation, startTwoReplicas, type Replica } from '../helpers/propagation.ts';

// Readiness is written by the replica that recorded the change (here: an exception approved on A); B must follow at
// once, not only when its own readiness round comes (the scheduler is off here, so B has no round at all). What shows
// it: an Integration written through B keeps the readiness A computed, because B's write transform uses B's view.
describe.runIf(hasServerDatabase)('readiness across replicas', () => {
  let dir: string;
  let replicas: Awaited<ReturnType<typeof startTwoReplicas>>;
  let a: Replica;
  let b: Replica;
  const call = (r: Replica, p: string, init: { method?: string; body?: unknown; key?: string } = {}) => replicas.call(r, p, init);
  const integration = {
    uid: { type: 'Integration', id: 'amazon_spapi' },
    attrs: { provider: 'amazon_spapi', restricted: true, status: 'live', ready: true },
    parents: [],
  };
  const ready = async (r: Replica) => (await call(r, '/v1/entities/Integration/amazon_spapi')).body?.attrs?.ready;
  const pushThrough = async (r: Replica) => expect((await call(r, '/v1/entities', { method: 'PUT', body: { entities: [integration] } })).status).toBe(200);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tenet-readiness-'));
    const settings = path.join(dir, 'controls.json');
    // One control stands between the integration and readiness; it never runs here, so only an exception satisfies it.
    writeFileSync(settings, JSON.stringify({ integrations: { amazon_spapi: { controls: ['storage.s3-lifecycle'], restricted: true } } }));
    replicas = await startTwoReplicas({ name: 'readiness', env: { TENET_CONFIG_FILE: settings } });
    ({ a, b } = replicas);
  }, 120_000);
  afterAll(async () => {
    await replicas?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
