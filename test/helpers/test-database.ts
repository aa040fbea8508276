import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../engine/db/database.ts';

/**
 * A fresh, migrated database for one test file: a new database on the server in DATABASE_URL (dropped on close),
 * or embedded PostgreSQL in memory when there is none.
 */
export async function createTestDatabase(props: { migrate?: boolean } = {}): Promise<DatabaseHandle & { url?: string }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return openDatabase({ inMemory: true, migrate: props.migrate });
  const name = `tenet_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), migrate: props.migrate });
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** True when the suite runs against a PostgreSQL server (CI sets DATABASE_URL). */
export const hasServerDatabase = Boolean(process.env.DATABASE_URL);

/**
 * A database for a `tenet serve` child process: a new, empty database on the server in DATABASE_URL (its URL, which
 * the caller puts in the child's environment, and `drop()`), or none when there is no server (`url` undefined:
 * the child uses embedded PostgreSQL in its data directory, and `drop()` does nothing).
 */
export async function createChildDatabase(prefix: string): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { url: undefined, drop: async () => {} };
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
