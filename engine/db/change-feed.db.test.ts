import { once } from 'node:events';
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, hasServerDatabase } from '../../test/helpers/test-database.ts';
import { createLogger } from '../kernel/logger.ts';
import { announce, ChangeFeed, type ChangeKind } from './change-feed.ts';
import type { DatabaseHandle } from './database.ts';

const until = async (what: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

// LISTEN/NOTIFY between replicas needs a server (an embedded database has one process).
describe.runIf(hasServerDatabase)('change feed', () => {
  let h: DatabaseHandle;
  let feed: ChangeFeed;
  const calls: Record<ChangeKind, number> = { entities: 0, policies: 0, api_keys: 0, sessions: 0, posture: 0 };
  let listening = 0;
  let slow: Promise<void> | undefined;
  beforeAll(async () => {
    h = await createTestDatabase();
    feed = new ChangeFeed({
      client: h.connection!,
      logger: createLogger({ level: 'silent' }),
      maxBackoffMs: 200,
      onListening: () => listening++,
      handlers: {
        entities: () => calls.entities++,
        policies: async () => {
          calls.policies++;
          await slow;
        },
        api_keys: () => calls.api_keys++,
        sessions: () => calls.sessions++,
        posture: () => calls.posture++,
      },
    });
    feed.start();
    await until(() => listening === 1 && calls.sessions === 1);
  });
  afterAll(async () => {
    await feed?.stop();
    await h?.close();
  });

  it('on listening, calls every handler once (what was announced while away); then each kind announced, once committed', async () => {
    expect(calls).toEqual({ entities: 1, policies: 1, api_keys: 1, sessions: 1, posture: 1 });
    await h.db.transaction().execute(async (trx) => {
      await announce(trx, 'entities');
      await new Promise((r) => setTimeout(r, 200));
      expect(calls.entities, 'not before the commit').toBe(1);
    });
    await until(() => calls.entities === 2);
    await h.db
      .transaction()
      .execute(async (trx) => {
        await announce(trx, 'api_keys');
        throw new Error('roll back');
      })
      .catch(() => {});
    await announce(h.db, 'sessions');
    await until(() => calls.sessions === 2);
    expect(calls.api_keys, 'a rolled-back write is never announced').toBe(1);
    // Not a kind: ignored.
    await sql`SELECT pg_notify('tenet_changes', 'nonsense')`.execute(h.db);
    await announce(h.db, 'sessions');
    await until(() => calls.sessions === 3);
    expect(calls).toEqual({ entities: 2, policies: 1, api_keys: 1, sessions: 3, posture: 1 });
  });

  it('a burst while a handler runs is one more call after it, not one per write', async () => {
    let release!: () => void;
    slow = new Promise<void>((r) => (release = r));
    const before = calls.policies;
    await announce(h.db, 'policies');
    await until(() => calls.policies === before + 1);
    for (let i = 0; i < 20; i++) await announce(h.db, 'policies');
    await new Promise((r) => setTimeout(r, 100));
    release();
    slow = undefined;
    await until(() => calls.policies === before + 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls.policies).toBe(before + 2);
  });

  it('when its connection is killed, reconnects, catches up on every kind, and hears what comes next', async () => {
    const before = { ...calls };
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN tenet_changes' AND datname = current_database()`.execute(h.db);
    await until(() => listening === 2);
    await until(() => calls.api_keys === before.api_keys + 1 && calls.entities === before.entities + 1);
    await announce(h.db, 'api_keys');
    await until(() => calls.api_keys === before.api_keys + 2);
  });
});

describe('change feed against a server that never answers', () => {
  it('stops within about a second, and tries no more after stopping', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    let listening = 0;
    const feed = new ChangeFeed({
      client: { connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 60_000 },
      logger: createLogger({ level: 'silent' }),
      onListening: () => listening++,
      handlers: { entities: () => {}, policies: () => {}, api_keys: () => {}, sessions: () => {}, posture: () => {} },
    });
    feed.start();
    await until(() => sockets.length === 1);
    const t0 = Date.now();
    await feed.stop();
    expect(Date.now() - t0).toBeLessThan(1_500);
    await new Promise((r) => setTimeout(r, 300));
    expect(sockets.length).toBe(1);
    expect(listening).toBe(0);
    for (const s of sockets) s.destroy();
    server.close();
  });
});
