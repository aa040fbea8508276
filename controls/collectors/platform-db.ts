import pg from 'pg';
import type { UnredactedOrdersResult } from '../define-control.ts';

/** The default backfill query: orders delivered more than $1 days ago whose buyer PII is not redacted. */
export const DEFAULT_UNREDACTED_ORDERS_QUERY =
  "SELECT id::text AS id FROM orders WHERE delivered_at < now() - make_interval(days => $1::int) AND NOT pii_redacted";

/**
 * Read-only SQL on the governed platform's database: one connection per call, a READ ONLY transaction with a
 * statement timeout, rolled back at the end. Only ids leave this function (count and a sample of 20).
 */
export async function queryUnredactedOrders(props: {
  url: string;
  query?: string;
  olderThanDays: number;
  statementTimeoutMs: number;
}): Promise<UnredactedOrdersResult> {
  const client = new pg.Client({ connectionString: props.url, connectionTimeoutMillis: props.statementTimeoutMs, application_name: 'tenet-controls' });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.floor(props.statementTimeoutMs)}`);
    const inner = props.query ?? DEFAULT_UNREDACTED_ORDERS_QUERY;
    const { rows } = await client.query<{ total: string; id: string }>(
      `SELECT count(*) OVER () AS total, q.id::text AS id FROM (${inner}) q ORDER BY q.id LIMIT 20`,
      [props.olderThanDays],
    );
    return { count: rows.length ? Number(rows[0].total) : 0, sample: rows.map((r) => r.id), olderThanDays: props.olderThanDays };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  }
}
