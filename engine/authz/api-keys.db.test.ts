import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { ApiKeyStore } from './api-keys.ts';
import type { DatabaseHandle } from '../db/database.ts';

/** A bootstrap token is an admin key only while TENET_BOOTSTRAP_TOKEN holds it, and lists no part of itself. */
let database: DatabaseHandle;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const tokenA = randomBytes(32).toString('base64url');
const tokenB = randomBytes(32).toString('base64url');

/** A store as a fresh process would have it (nothing cached), given the variable's value at start-up. */
async function start(token: string | undefined): Promise<ApiKeyStore> {
  const store = new ApiKeyStore({ db: database.db, cacheMs: 0 });
  await store.syncBootstrap(token);
  return store;
}

describe('TENET_BOOTSTRAP_TOKEN', () => {
  it('is an admin key while set, and its listing shows no part of it', async () => {
    const store = await start(tokenA);
    const info = await store.authenticate(tokenA);
    expect(info?.role).toBe('admin');
    const listed = (await store.list()).find((k) => k.id === info!.id)!;
    for (let i = 0; i + 4 <= tokenA.length; i++) expect(listed.prefix).not.toContain(tokenA.slice(i, i + 4));
    expect(JSON.stringify(listed)).not.toContain(tokenA.slice(0, 8));
    // Restarting with the same token keeps the same key (no duplicate).
    const again = await start(tokenA);
    expect((await again.authenticate(tokenA))?.id).toBe(info!.id);
    expect((await again.list()).filter((k) => k.createdBy === 'TENET_BOOTSTRAP_TOKEN' && !k.revokedAt)).toHaveLength(1);
    store.close();
    again.close();
  });

  it('is revoked when the variable is rotated, and again when it is removed', async () => {
    const rotated = await start(tokenB);
    expect(await rotated.authenticate(tokenA)).toBeUndefined();
    expect((await rotated.authenticate(tokenB))?.role).toBe('admin');
    rotated.close();
    const removed = await start(undefined);
    expect(await removed.authenticate(tokenA)).toBeUndefined();
    expect(await removed.authenticate(tokenB)).toBeUndefined();
    removed.close();
  });

  it("a key made by an earlier version, listing the token's first 12 characters, loses that prefix", async () => {
    const store = new ApiKeyStore({ db: database.db, cacheMs: 0 });
    const tokenC = randomBytes(32).toString('base64url');
    // What start-up used to do.
    const { info } = await store.create({ name: 'bootstrap admin', role: 'admin', key: tokenC, createdBy: 'TENET_BOOTSTRAP_TOKEN' });
    expect(info.prefix).toBe(tokenC.slice(0, 12));
    await store.syncBootstrap(tokenC);
    const listed = (await store.list()).find((k) => k.id === info.id)!;
    expect(listed.prefix).not.toContain(tokenC.slice(0, 6));
    expect((await store.authenticate(tokenC))?.id).toBe(info.id);
    store.close();
  });

  it('leaves every other key alone', async () => {
    const store = new ApiKeyStore({ db: database.db, cacheMs: 0 });
    const { key } = await store.create({ name: 'ops', role: 'security_officer' });
    await store.syncBootstrap(undefined);
    expect((await store.authenticate(key))?.role).toBe('security_officer');
    store.close();
  });
});

describe('API keys while the database is unreachable', () => {
  /** The store's database, with a switch that makes every lookup fail as a refused connection does. */
  function switchable() {
    const state = { down: false };
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const db = new Proxy(database.db, {
      get(target, prop, receiver) {
        if (prop === 'selectFrom' && state.down) {
          const chain: Record<string, unknown> = {};
          for (const m of ['selectAll', 'select', 'where']) chain[m] = () => chain;
          chain.executeTakeFirst = () => Promise.reject(refused);
          return () => chain;
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        // Kysely keeps its state in private fields: its methods must run on the real instance.
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { db, state };
  }

  it('a key looked up before the outage keeps working after its cache entry expires; unknown and revoked keys do not', async () => {
    const { db, state } = switchable();
    const store = new ApiKeyStore({ db, cacheMs: 1 });
    const good = await store.create({ name: 'svc', role: 'service' });
    const gone = await store.create({ name: 'old', role: 'service' });
    await store.revoke(gone.info.id);
    expect((await store.authenticate(good.key))?.id).toBe(good.info.id);
    expect(await store.authenticate(gone.key)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5)); // both entries expired
    state.down = true;
    expect((await store.authenticate(good.key))?.id).toBe(good.info.id);
    expect(await store.authenticate(gone.key)).toBeUndefined();
    // A key this replica never saw cannot be vouched for: the outage is the answer (a 503 at the edge), not a guess.
    await expect(store.authenticate(`tnt_service_${randomBytes(32).toString('base64url')}`)).rejects.toThrow(/ECONNREFUSED/);
    state.down = false;
    expect((await store.authenticate(good.key))?.id).toBe(good.info.id);
    store.close();
  });
});
