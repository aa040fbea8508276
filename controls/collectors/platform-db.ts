import pg from 'pg';
import type { UnredactedOrdersResult } from '../define-control.ts';

/** The default backfill query: orders delivered more than $1 days ago whose buyer PII is not redacted. */
const DEFAULT_UNREDACTED_ORDERS_QUERY = 'SELECT id::text AS id FROM orders WHERE delivered_at < now() - make_interval(days => $1::int) AND NOT pii_redacted';

/** Runs one statement in a READ ONLY transaction with a statement timeout, and rolls back. */
export type ReadOnlyQuery = (text: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** Read-only SQL on a PostgreSQL server: one connection per call, READ ONLY, statement timeout, rollback. */
export function pgReadOnly(props: { url: string; statementTimeoutMs: number }): ReadOnlyQuery {
  return async (text, params) => {
    const client = new pg.Client({ connectionString: props.url, connectionTimeoutMillis: props.statementTimeoutMs, application_name: 'tenet-controls' });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.floor(props.statementTimeoutMs)}`);
      return (await client.query(text, params)).rows;
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      await client.end().catch(() => {});
    }
  };
}

/** Counts the orders the query returns; only ids leave this function (a sample of 20), never the PII. */
export async function queryUnredactedOrders(props: { run: ReadOnlyQuery; query?: string; olderThanDays: number }): Promise<UnredactedOrdersResult> {
  const inner = props.query ?? DEFAULT_UNREDACTED_ORDERS_QUERY;
  const rows = await props.run(`SELECT count(*) OVER () AS total, q.id::text AS id FROM (${inner}) q ORDER BY q.id LIMIT 20`, [props.olderThanDays]);
  return { count: rows.length ? Number(rows[0].total) : 0, sample: rows.map((r) => String(r.id)), olderThanDays: props.olderThanDays };
}
