import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from './database.ts';
import { migrateToLatest } from './database.ts';

describe('database', () => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase();
  });
  afterAll(async () => h?.close());

  it('migrates, and migrating again is a no-op', async () => {
    expect(await migrateToLatest(h.db)).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(h.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['api_keys', 'decisions', 'entities', 'pii_reveals', 'policy_sets']));
  });

  it('refuses to update an audit row', async () => {
    await h.db
      .insertInto('pii_reveals')
      .values({
        decision_id: 'd1',
        at: new Date(),
        principal_type: 'User',
        principal_id: 'u1',
        resource_type: 'Order',
        resource_id: 'o1',
        agency_id: 'a1',
        client_id: 'c1',
        decision: 'allow',
        reasons: '[]',
        purpose: null,
        caller: null,
      })
      .execute();
    await expect(h.db.updateTable('pii_reveals').set({ decision: 'deny' }).execute()).rejects.toThrow(/append-only/);
    const rows = await h.db.selectFrom('pii_reveals').select('decision').execute();
    expect(rows).toEqual([{ decision: 'allow' }]);
  });
});
