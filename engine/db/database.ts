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
