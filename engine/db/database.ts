import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations/index.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'embedded' | 'server';
  /** Where the data lives, for messages (never includes a password). */
  location: string;
  close(): Promise<void>;
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
}): Promise<DatabaseHandle> {
  let embedded: EmbeddedPostgres | undefined;
  let url = props.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: props.inMemory ? undefined : (props.dataDir ?? '.data') });
    url = embedded.url;
  }
  const pool = new pg.Pool({
    connectionString: url,
    // PGlite is a single session: one connection, or concurrent statements would interleave on it.
    max: embedded ? 1 : (props.poolMax ?? 10),
    idleTimeoutMillis: embedded ? 0 : 30_000,
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const handle: DatabaseHandle = {
    db,
    kind: embedded ? 'embedded' : 'server',
    location: embedded ? `embedded PostgreSQL (${embedded.dataDir ?? 'in memory'})` : describeUrl(url),
    async close() {
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
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; syscall?: unknown };
  // Any failed connect(): TCP, or the embedded database's Unix socket (ENOENT when it is gone).
  if (e.syscall === 'connect') return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^08/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  // pg's own wording when the socket goes away or the pool cannot hand out a connection in time.
  if (/Connection terminated|Client has encountered a connection error|connection timeout|timeout exceeded when trying to connect|Cannot use a pool after calling end|the database system is (starting up|shutting down)/i.test(message)) return true;
  // AggregateError (a host with several addresses, all refused) and wrapped causes.
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
