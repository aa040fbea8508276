import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pgReadOnly, queryUnredactedOrders } from '../../controls/collectors/platform-db.ts';
import { createTestDatabase, hasServerDatabase } from '../helpers/test-database.ts';

// The collector connects over the wire with pg: it needs a PostgreSQL server.
describe.runIf(hasServerDatabase)('read-only SQL on a PostgreSQL server', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    await c.query(`CREATE TABLE orders (id text, delivered_at timestamptz, pii_redacted boolean, buyer_name text);
      INSERT INTO orders VALUES ('o-1', now() - interval '40 days', false, 'Asha K'), ('o-2', now() - interval '40 days', true, null), ('o-3', now() - interval '3 days', false, 'Ravi');`);
    await c.end();
  });
  afterAll(() => database?.close());

  it('answers from a READ ONLY transaction with a statement timeout', async () => {
    const run = pgReadOnly({ url: database.url!, statementTimeoutMs: 500 });
    expect(await queryUnredactedOrders({ run, olderThanDays: 30 })).toEqual({ count: 1, sample: ['o-1'], olderThanDays: 30 });
    await expect(run('UPDATE orders SET pii_redacted = true', [])).rejects.toThrow(/read-only transaction/);
    await expect(run('SELECT pg_sleep(2)', [])).rejects.toThrow(/statement timeout/);
  });
});
