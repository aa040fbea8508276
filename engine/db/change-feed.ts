import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './database.ts';
import type { Logger } from '../kernel/logger.ts';

/** The PostgreSQL channel replicas announce their writes on. */
const CHANNEL = 'tenet_changes';

/**
 * What changed: the entity store, a policy set or its links, an API key, a console session, or the posture (control
 * runs and exceptions, which readiness is computed from).
 */
export type ChangeKind = 'entities' | 'policies' | 'api_keys' | 'sessions' | 'posture';
const KINDS: ReadonlySet<string> = new Set<ChangeKind>(['entities', 'policies', 'api_keys', 'sessions', 'posture']);

/**
 * Announces a write to the other replicas: `pg_notify` on the writer's connection. Inside a transaction the
 * notification is sent when it commits, and never when it rolls back, so a replica never fetches a change that is
 * not there. The payload is only the kind: a listener fetches what changed from its own last version, so a lost or
 * merged notification only delays a change to the next one or the fallback poll.
 */
export async function announce(db: Db, kind: ChangeKind): Promise<void> {
  await sql`SELECT pg_notify(${CHANNEL}, ${kind})`.execute(db);
}

type Handlers = Record<ChangeKind, () => unknown>;

/**
 * One replica's ear on the channel: a connection of its own (not the pool's) that LISTENs and calls the handler of
 * each kind announced. Handlers are coalesced: a burst of writes causes one call per kind while the call before
 * runs, then one more. When the connection drops it reconnects with backoff (up to `maxBackoffMs`), and after every
 * (re)connect calls every handler once, since notifications sent while it was away are lost. Polling stays the
 * fallback underneath (the entity store's and the policy store's timers).
 */
export class ChangeFeed {
  private client: pg.Client | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly running = new Map<ChangeKind, Promise<void>>();
  private readonly again = new Set<ChangeKind>();

  constructor(
    private readonly props: {
      client: pg.ClientConfig;
      handlers: Handlers;
      logger: Logger;
      maxBackoffMs?: number;
      /** Called after each successful LISTEN (tests wait on it). */
      onListening?: () => void;
    },
  ) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    // A server that froze never answers the goodbye, nor a refresh in flight: shutdown waits on them a second at most.
    let timer: NodeJS.Timeout | undefined;
    const settled = Promise.allSettled([c?.end(), ...this.running.values()]);
    await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, 1_000)))]);
    clearTimeout(timer);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ ...this.props.client, keepAlive: true });
    this.client = client;
    let dropped = false;
    const drop = (reason: string) => {
      if (dropped || this.stopped || this.client !== client) return;
      dropped = true;
      this.client = undefined;
      client.end().catch(() => {});
      this.failures++;
      const delay = Math.min(this.props.maxBackoffMs ?? 5_000, 100 * 2 ** Math.min(this.failures, 10));
      if (this.failures === 1) this.props.logger.warn({ reason }, 'change feed connection lost; reconnecting (replicas fall back to polling meanwhile)');
      this.timer = setTimeout(() => void this.connect(), delay);
      this.timer.unref();
    };
    client.on('error', (error) => drop(error.message));
    client.on('end', () => drop('connection ended'));
    client.on('notification', (n) => {
      if (n.channel === CHANNEL && n.payload && KINDS.has(n.payload)) this.fire(n.payload as ChangeKind);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      drop((error as Error).message);
      return;
    }
    if (this.failures > 0) this.props.logger.info({ attempts: this.failures }, 'change feed reconnected');
    this.failures = 0;
    this.props.onListening?.();
    // Whatever was announced while this replica was not listening.
    for (const kind of KINDS) this.fire(kind as ChangeKind);
  }

  private fire(kind: ChangeKind): void {
    if (this.running.has(kind)) {
      this.again.add(kind);
      return;
    }
    const run = (async () => {
      do {
        this.again.delete(kind);
        try {
          await this.props.handlers[kind]();
        } catch (error) {
          this.props.logger.warn({ kind, err: { message: (error as Error).message } }, 'applying an announced change failed; the poll retries it');
        }
      } while (this.again.has(kind) && !this.stopped);
    })().finally(() => this.running.delete(kind));
    this.running.set(kind, run);
  }
}
