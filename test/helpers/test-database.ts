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
