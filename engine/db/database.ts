import { Kysely, Migrator, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations/index.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { databaseTimeouts } from '../kernel/config.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { redactMessage } from '../scanner/redaction.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'embedded' | 'server';
  /** Where the data lives, for messages (never includes a password). */
  location: string;
  /** The server's liveness as the health probe last saw it (server only; embedded runs in this process). */
  health?: DatabaseHealth;
  /** Server only: how to open a connection of one's own (the change feed's LISTEN connection). */
  connection?: pg.ClientConfig;
  close(): Promise<void>;
}

/** Time limits on the server pool (docs/configuration.md); 0 turns one off. Embedded PostgreSQL takes none. */
export interface DatabaseTimeouts {
  /** A new connection must be established within this (DATABASE_CONNECT_TIMEOUT_MS). */
  connectMs: number;
  /** The server cancels a statement running longer (DATABASE_STATEMENT_TIMEOUT_MS); the client gives up 1 s later. */
  statementMs: number;
  /** The server ends a session idle inside a transaction this long (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS). */
  idleInTransactionMs: number;
  /** A query waits at most this for a connection: a free one, or a new one (DATABASE_POOL_WAIT_MS). */
  poolWaitMs: number;
}

const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 2_000, statementMs: 5_000, idleInTransactionMs: 10_000, poolWaitMs: 2_000 };

/** How often the server is probed, and how long a probe (`select 1` on its own connection) may take. */
const PROBE_EVERY_MS = 500;
const PROBE_TIMEOUT_MS = 1_000;
/** Errors of idle connections (the server stopped) are logged at most once per interval. */
const IDLE_ERROR_LOG_INTERVAL_MS = 10_000;

/** Thrown instead of waiting on a server the health probe found unreachable or hung; the HTTP layer answers 503. */
class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  constructor(reason: string) {
    super(`The database is unavailable (${reason})`);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Probes the server every PROBE_EVERY_MS with `select 1` on a connection of its own (so a busy pool is not taken
 * for an outage), each probe bounded by PROBE_TIMEOUT_MS. While the last probe failed, queries fail at once with
 * DatabaseUnavailableError instead of waiting, and queries already waiting on the server are abandoned (their
 * connection is dropped): a frozen server costs a caller at most about 1.5 s, not a hang.
 */
class DatabaseHealth {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private reason: string | undefined;
  private stopped = false;
  private readonly downListeners = new Set<(reason: string) => void>();
  /** When the last probe succeeded (ms since the epoch); undefined before the first. */
  lastOkAt: number | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onError: (error: unknown) => void,
  ) {}

  get up(): boolean {
    return this.reason === undefined;
  }

  /** Why the last probe failed, while it did. */
  get downReason(): string | undefined {
    return this.reason;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.probe(), PROBE_EVERY_MS);
    this.timer.unref();
  }

  /** One probe (shared with a probe already running); true when the server answered in time. */
  probe(): Promise<boolean> {
    this.running ??= this.runProbe().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runProbe(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    const select = this.select1().then(() => {
      answered = true;
    });
    const timeout = new Promise<void>((resolve, reject) => {
      let due = Date.now() + PROBE_TIMEOUT_MS;
      let extended = false;
      const expire = (): void => {
        // A blocked event loop is not a hung server: when this timer ran late, the answer may be waiting unread
        // (or the connection half made), so the probe gets one more full period before it counts as failed.
        if (!extended && Date.now() - due > 100) {
          extended = true;
          due = Date.now() + PROBE_TIMEOUT_MS;
          timer = setTimeout(expire, PROBE_TIMEOUT_MS);
          return;
        }
        // setImmediate runs after the poll phase: an answer that has arrived is read first.
        setImmediate(() => (answered ? resolve() : reject(new Error('no answer within ' + PROBE_TIMEOUT_MS + ' ms'))));
      };
      timer = setTimeout(expire, PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([select, timeout]);
      this.lastOkAt = Date.now();
      this.reason = undefined;
      return true;
    } catch (error) {
      this.dropClient();
      this.markDown(error instanceof Error ? redactMessage(error.message) : 'probe failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async select1(): Promise<void> {
    if (!this.client) {
      if (this.stopped) return;
      const client = new pg.Client(this.config);
      client.on('error', (error) => {
        this.onError(error);
        if (this.client === client) this.dropClient();
      });
      this.client = client;
      await client.connect();
      // Stopped while connecting: this connection must not keep the process alive.
      if (this.stopped) this.dropClient();
    }
    if (!this.client) return;
    await this.client.query('select 1');
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => {});
  }

  private markDown(reason: string): void {
    this.reason = reason;
    for (const l of [...this.downListeners]) l(reason);
  }

  /** Calls `listener` when a probe fails; returns the unsubscribe. */
  onDown(listener: (reason: string) => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.dropClient();
  }
}

/** The pool Kysely sees: fails fast while the health probe finds the server down, and abandons hung queries. */
function guardedPool(pool: pg.Pool, health: DatabaseHealth, onError: (error: unknown) => void): PostgresPool {
  return {
    async connect() {
      if (!health.up) throw new DatabaseUnavailableError(health.downReason ?? 'unreachable');
      const client = await pool.connect();
      let broken: Error | undefined;
      // pg-pool listens for errors only on idle clients: one checked out between two statements (inside a
      // transaction) whose server goes away would emit an 'error' nobody handles, and crash the process.
      const onCheckedOutError = (error: Error): void => {
        broken = error;
        onError(error);
      };
      client.on('error', onCheckedOutError);
      const query = (...args: unknown[]): unknown => {
        const first = args[0] as { submit?: unknown } | undefined;
        // A cursor (Kysely's stream()) goes through untouched: its reads are bounded by the client-side timeout.
        if (first && typeof first === 'object' && typeof first.submit === 'function') return (client.query as (c: unknown) => unknown)(first);
        if (broken) return Promise.reject(new DatabaseUnavailableError(broken.message));
        if (!health.up) return Promise.reject(new DatabaseUnavailableError(health.downReason ?? 'unreachable'));
        let unsubscribe: () => unknown = () => undefined;
        const abandoned = new Promise<never>((_, reject) => {
          unsubscribe = health.onDown((reason) => {
            broken = new Error(reason);
            reject(new DatabaseUnavailableError(reason));
          });
        });
        const running = (client.query as (text: unknown, values: unknown) => Promise<unknown>)(args[0], args[1]).catch((error: unknown) => {
          // A client-side timeout leaves the statement on the wire: that connection cannot be reused.
          if (error instanceof Error && /Query read timeout/.test(error.message)) broken = error;
          throw error;
        });
        return Promise.race([running, abandoned]).finally(() => unsubscribe());
      };
      return {
        query: query as PostgresPoolClient['query'],
        // A connection left with a statement in flight is closed, not handed to the next caller.
        release: () => {
          client.removeListener('error', onCheckedOutError);
          client.release(broken);
        },
      };
    },
    end: () => pool.end(),
  };
}

// bigint (int8) comes back as a string by default; counts and sequence values we read are small enough for Number
// only where we convert them explicitly, so we keep the safe default here.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v));

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? ':' + u.port : ''}${u.pathname}`;
  } catch {
    return 'postgres (unparseable URL)';
  }
}

/**
 * Opens Tenet's database: the server in `databaseUrl`, or embedded PostgreSQL in `dataDir` when there is none.
 * Both are reached through `pg` and Kysely, so every query runs the same way in both modes.
 */
export async function openDatabase(props: {
  databaseUrl?: string;
  dataDir?: string;
  /** Embedded only: keep the database in memory (tests, one-off commands). */
  inMemory?: boolean;
  poolMax?: number;
  migrate?: boolean;
  /** Server only: time limits (the DATABASE_*_TIMEOUT_MS / DATABASE_POOL_WAIT_MS variables when absent). */
  timeouts?: Partial<DatabaseTimeouts>;
  /** Where idle-connection errors are reported (a logger at LOG_LEVEL when absent). */
  logger?: Logger;
  /** Without databaseUrl: the embedded database already being started (startEmbeddedPostgres), to use and own. */
  embedded?: Promise<EmbeddedPostgres>;
}): Promise<DatabaseHandle> {
  let embedded: EmbeddedPostgres | undefined;
  let url = props.databaseUrl;
  if (!url) {
    embedded = await (props.embedded ?? startEmbeddedPostgres({ dataDir: props.inMemory ? undefined : (props.dataDir ?? '.data') }));
    url = embedded.url;
  }
  const t = { ...(embedded ? DEFAULT_DATABASE_TIMEOUTS : databaseTimeouts()), ...props.timeouts };
  // Server only: PGlite runs in a worker of this process, takes one statement at a time and cannot cancel one.
  const serverLimits: pg.ClientConfig = embedded
    ? {}
    : {
        connectionTimeoutMillis: t.connectMs || undefined,
        ...(t.statementMs ? { statement_timeout: t.statementMs, query_timeout: t.statementMs + 1_000 } : {}),
        ...(t.idleInTransactionMs ? { idle_in_transaction_session_timeout: t.idleInTransactionMs } : {}),
      };
  const pool = new pg.Pool({
    connectionString: url,
    // PGlite is a single session: one connection, or concurrent statements would interleave on it.
    max: embedded ? 1 : (props.poolMax ?? 10),
    idleTimeoutMillis: embedded ? 0 : 30_000,
    ...serverLimits,
    // pg-pool's own timer covers both waiting for a free connection and connecting a new one; each new
    // connection still has the connect timeout of its own (the Client below).
    ...(embedded || !t.poolWaitMs ? {} : { connectionTimeoutMillis: t.poolWaitMs }),
    ...(embedded ? {} : { Client: clientWith({ connectionTimeoutMillis: t.connectMs || undefined }) }),
  });
  // An idle client that errors (the server stopped or restarted) must not crash the process: the pool drops it
  // and connects a new one when next needed. Logged once per interval, code and message only (never the URL).
  let loggedAt = 0;
  let suppressed = 0;
  const onIdleError = (error: unknown): void => {
    const now = Date.now();
    if (now - loggedAt < IDLE_ERROR_LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }
    const e = error as { code?: unknown; message?: unknown };
    (props.logger ?? fallbackLogger()).warn(
      {
        database: { code: typeof e?.code === 'string' ? e.code : undefined, message: typeof e?.message === 'string' ? redactMessage(e.message) : undefined },
        suppressedSinceLastReport: suppressed,
      },
      `database connection error; the connection is dropped and replaced when needed (logged at most every ${IDLE_ERROR_LOG_INTERVAL_MS / 1000} s)`,
    );
    loggedAt = now;
    suppressed = 0;
  };
  pool.on('error', onIdleError);
  // The probe bounds itself (and tells a blocked event loop from a hung server): no client-side query timeout.
  const health = embedded ? undefined : new DatabaseHealth({ connectionString: url, ...serverLimits, query_timeout: undefined }, onIdleError);
  health?.start();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: health ? guardedPool(pool, health, onIdleError) : pool }) });
  const handle: DatabaseHandle = {
    db,
    kind: embedded ? 'embedded' : 'server',
    location: embedded ? `embedded PostgreSQL (${embedded.dataDir ?? 'in memory'})` : describeUrl(url),
    ...(health ? { health, connection: { connectionString: url, connectionTimeoutMillis: t.connectMs || undefined } } : {}),
    async close() {
      health?.stop();
      await db.destroy();
      await embedded?.stop();
    },
  };
  try {
    await sql`select 1`.execute(db);
    if (props.migrate !== false) await migrateToLatest(db);
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
  return handle;
}

/**
 * Whether an error means the database cannot be reached or is not taking work (as opposed to a bad query): the
 * connection was refused, reset or timed out, or the server says so (SQLSTATE class 08 connection exception,
 * 57P01-57P03 shutting down / cannot connect now, 53300 too many connections). The HTTP layer answers these with
 * 503 `unavailable` and logs the outage once per interval, not once per request.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; syscall?: unknown };
  // Any failed connect(): TCP, or the embedded database's Unix socket (ENOENT when it is gone).
  if (e.syscall === 'connect') return true;
  const code = typeof e.code === 'string' ? e.code : '';
  // 57014: a statement cancelled by statement_timeout; 25P03: a session ended by idle_in_transaction_session_timeout.
  if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '57014', '25P03'].includes(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  // pg's own wording when the socket goes away or the pool cannot hand out a connection in time.
  if (
    /Connection terminated|Client has encountered a connection error|connection timeout|timeout exceeded when trying to connect|Query read timeout|timeout expired|Cannot use a pool after calling end|the database system is (starting up|shutting down)/i.test(
      message,
    )
  )
    return true;
  // AggregateError (a host with several addresses, all refused) and wrapped causes.
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}

/** pg.Client with some settings fixed (pg-pool hands each new client its own options). */
function clientWith(fixed: pg.ClientConfig): typeof pg.Client {
  return class extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({ ...(typeof config === 'string' ? { connectionString: config } : config), ...fixed });
    }
  };
}

let fallback: Logger | undefined;
function fallbackLogger(): Logger {
  return (fallback ??= createLogger({ level: process.env.LOG_LEVEL || 'info' }));
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // The common case, a restart: every migration is recorded as applied (Kysely records one in the transaction that
  // applies it), so there is nothing to lock or run. Saves the Migrator's lock round trips at every start.
  const known = Object.keys(await migrationProvider.getMigrations()).sort();
  const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db).catch(() => undefined);
  const names = applied?.rows.map((r) => r.name).sort();
  if (names && names.length === known.length && names.every((name, i) => name === known[i])) return [];
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
