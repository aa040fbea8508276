import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { TENET_VERSION } from '../kernel/version.ts';
import { listDecisionPartitions, nextDay, partitionName, utcDay } from './decision-partitions.ts';

/**
 * Export of closed days of the decision log to S3, one object per daily partition, for keeping (and querying with
 * Athena) beyond the database's retention:
 *
 *   <prefix>/decisions/dt=YYYY-MM-DD/part-0000.jsonl.gz             the day's rows, JSON Lines, gzip
 *   <prefix>/decisions-manifests/dt=YYYY-MM-DD/manifest.json        what the object holds and its checksums
 *
 * The manifest sits beside the data tree, not in it: Athena reads every object under a table's location, and would
 * read a manifest there as rows. A closed day is one before today (UTC). Each export is recorded in
 * `decision_log_exports`, so a day is exported once, and retention can refuse to drop a day not exported.
 *
 * Memory stays bounded whatever the day's size: rows are read in keyset batches (no transaction is held open while
 * uploading), compressed as they stream (node:zlib, off the event loop), and uploaded as a multipart upload in parts
 * of `partBytes` (8 MiB); a day whose compressed object is smaller than one part is put in one PutObject.
 */

/** The JSON lines' schema: bump when a field changes meaning or shape (the manifest carries it). */
export const DECISION_EXPORT_SCHEMA_VERSION = 1;

/** The columns of a line, in order. `at` is ISO 8601 UTC with microseconds; jsonb columns are JSON values. */
export const DECISION_EXPORT_COLUMNS = [
  'id',
  'at',
  'principal_type',
  'principal_id',
  'action',
  'resource_type',
  'resource_id',
  'decision',
  'reasons',
  'errors',
  'policy_hash',
  'entity_version',
  'latency_us',
  'context_keys',
  'request_id',
  'caller',
  'request_entities',
] as const;

const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const BATCH_ROWS = 5_000;
const LEASE_MS = 10 * 60_000;

export interface DecisionExportTarget {
  client: S3Client;
  bucket: string;
  /** Key prefix (no leading or trailing slash needed); '' puts `decisions/` at the bucket's root. */
  prefix: string;
  /** Multipart part size in bytes (S3's least is 5 MiB but for the last part); default 8 MiB. */
  partBytes?: number;
}

export interface DecisionExportManifest {
  schemaVersion: number;
  table: 'decisions';
  partition: string;
  day: string;
  /** The partition's range: from inclusive, to exclusive. */
  range: { from: string; to: string };
  rows: number;
  /** In the object's order (at, then id); null for a day without decisions. */
  firstDecisionId: string | null;
  lastDecisionId: string | null;
  order: string[];
  columns: string[];
  object: { bucket: string; key: string; bytes: number; sha256: string; contentType: string; contentEncoding: string };
  /** sha256 of the uncompressed JSON lines (what `gunzip` gives back). */
  linesSha256: string;
  exportedAt: string;
  tool: { name: 'tenet'; version: string };
}

export type DayExport =
  | { day: string; status: 'exported'; rows: number; key: string; manifestKey: string; sha256: string; bytes: number }
  | { day: string; status: 'already-exported' | 'in-progress-elsewhere' | 'no-partition' };

/**
 * The export target the configuration names, or undefined when TENET_DECISION_EXPORT_BUCKET is unset. Credentials
 * come from the SDK's default chain (environment, web identity, instance or task role), as for the checkpoint bucket:
 * none is ever read into Tenet's configuration, so none can reach a log. An endpoint is addressed path-style (what
 * S3-compatible stores expect). Requests are bounded in time and retried as the AWS collectors' are.
 */
export function exportTargetFromConfig(config: Config): DecisionExportTarget | undefined {
  if (!config.TENET_DECISION_EXPORT_BUCKET) return undefined;
  const client = new S3Client({
    ...(config.TENET_DECISION_EXPORT_REGION ? { region: config.TENET_DECISION_EXPORT_REGION } : {}),
    ...(config.TENET_DECISION_EXPORT_ENDPOINT ? { endpoint: config.TENET_DECISION_EXPORT_ENDPOINT, forcePathStyle: true } : {}),
    maxAttempts: 5,
    // Without throwOnRequestTimeout the handler only warns when requestTimeout passes, and waits on.
    requestHandler: { requestTimeout: 60_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
  });
  return { client, bucket: config.TENET_DECISION_EXPORT_BUCKET, prefix: config.TENET_DECISION_EXPORT_PREFIX };
}

export function exportKeys(prefix: string, day: string): { object: string; manifest: string } {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  const base = p ? `${p}/` : '';
  return { object: `${base}decisions/dt=${day}/part-0000.jsonl.gz`, manifest: `${base}decisions-manifests/dt=${day}/manifest.json` };
}

/** Exports every closed daily partition not yet exported, oldest first; stops at the first failure (it throws). */
export async function exportClosedDecisionDays(props: { db: Db; target: DecisionExportTarget; now?: Date; logger?: Logger }): Promise<DayExport[]> {
  const today = utcDay(props.now ?? new Date());
  const done = new Set(
    (await sql<{ day: string }>`SELECT day::text AS day FROM decision_log_exports WHERE status = 'done'`.execute(props.db)).rows.map((r) => r.day),
  );
  const results: DayExport[] = [];
  for (const p of await listDecisionPartitions(props.db)) {
    if (p.day >= today || done.has(p.day)) continue;
    results.push(await exportDecisionDay({ ...props, day: p.day }));
  }
  return results;
}

/**
 * Exports one closed day. A day already exported is not exported again (`already-exported`); one another process
 * is exporting (its claim's lease not lapsed) is left to it. On any failure the claim is withdrawn, so no export is
 * recorded and retention keeps the partition; objects an interrupted attempt left are overwritten by the next.
 */
export async function exportDecisionDay(props: { db: Db; target: DecisionExportTarget; day: string; now?: Date; logger?: Logger }): Promise<DayExport> {
  const { db, target, day } = props;
  const name = partitionName(day);
  if (day >= utcDay(props.now ?? new Date())) throw new Error(`${day} is not closed yet: only days before today (UTC) are exported`);
  if (!(await listDecisionPartitions(db)).some((p) => p.name === name)) return { day, status: 'no-partition' };

  const claimant = `${hostname()}:${process.pid}:${randomUUID()}`;
  const claimed = await sql<{ day: string }>`
    INSERT INTO decision_log_exports (day, status, claimed_by, lease_until)
    VALUES (${day}::date, 'exporting', ${claimant}, now() + ${`${LEASE_MS} milliseconds`}::interval)
    ON CONFLICT (day) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, lease_until = EXCLUDED.lease_until
      WHERE decision_log_exports.status = 'exporting' AND decision_log_exports.lease_until < now()
    RETURNING day::text AS day`.execute(db);
  if (!claimed.rows.length) {
    const row = await db.selectFrom('decision_log_exports').select('status').where('day', '=', day).executeTakeFirst();
    return { day, status: row?.status === 'done' ? 'already-exported' : 'in-progress-elsewhere' };
  }
  try {
    const keys = exportKeys(target.prefix, day);
    let renewedAt = Date.now();
    const renew = async (): Promise<void> => {
      if (Date.now() - renewedAt < LEASE_MS / 3) return;
      renewedAt = Date.now();
      await sql`UPDATE decision_log_exports SET lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval
                WHERE day = ${day}::date AND claimed_by = ${claimant} AND status = 'exporting'`.execute(db);
    };
    const lines = createHash('sha256');
    const stats = { rows: 0, first: null as string | null, last: null as string | null };
    const source = Readable.from(readLines({ db, partition: name, lines, stats, renew }));
    const gzip = createGzip({ level: 6 });
    const piping = pipeline(source, gzip);
    piping.catch(() => {}); // its error surfaces through the iteration of `gzip` below
    const upload = await uploadStream({ target, key: keys.object, chunks: gzip });
    await piping;

    const exportedAt = new Date();
    const manifest: DecisionExportManifest = {
      schemaVersion: DECISION_EXPORT_SCHEMA_VERSION,
      table: 'decisions',
      partition: name,
      day,
      range: { from: `${day}T00:00:00.000Z`, to: `${nextDay(day)}T00:00:00.000Z` },
      rows: stats.rows,
      firstDecisionId: stats.first,
      lastDecisionId: stats.last,
      order: ['at', 'id'],
      columns: [...DECISION_EXPORT_COLUMNS],
      object: {
        bucket: target.bucket,
        key: keys.object,
        bytes: upload.bytes,
        sha256: upload.sha256,
        contentType: 'application/x-ndjson',
        contentEncoding: 'gzip',
      },
      linesSha256: lines.digest('hex'),
      exportedAt: exportedAt.toISOString(),
      tool: { name: 'tenet', version: TENET_VERSION },
    };
    const manifestBody = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: keys.manifest,
        Body: manifestBody,
        ContentType: 'application/json',
        ChecksumSHA256: createHash('sha256').update(manifestBody).digest('base64'),
      }),
    );
    const recorded = await sql`
      UPDATE decision_log_exports
      SET status = 'done', object_key = ${keys.object}, manifest_key = ${keys.manifest}, sha256 = ${upload.sha256},
          lines_sha256 = ${manifest.linesSha256}, rows = ${stats.rows}, bytes = ${upload.bytes}, exported_at = ${exportedAt.toISOString()}::timestamptz
      WHERE day = ${day}::date AND claimed_by = ${claimant} AND status = 'exporting'`.execute(db);
    if (Number(recorded.numAffectedRows ?? 0) !== 1) throw new Error(`the claim on ${day} lapsed while exporting; another process exports it`);
    props.logger?.info({ day, rows: stats.rows, bucket: target.bucket, key: keys.object, bytes: upload.bytes }, 'decision log day exported');
    return { day, status: 'exported', rows: stats.rows, key: keys.object, manifestKey: keys.manifest, sha256: upload.sha256, bytes: upload.bytes };
  } catch (error) {
    await sql`DELETE FROM decision_log_exports WHERE day = ${day}::date AND claimed_by = ${claimant} AND status = 'exporting'`.execute(db).catch(() => {});
    throw error;
  }
}

/**
 * The partition's rows as JSON lines, in (at, id) order, read in keyset batches: each batch is one short statement,
 * so nothing holds a transaction (or a connection) while the upload waits on S3.
 */
async function* readLines(props: {
  db: Db;
  partition: string;
  lines: ReturnType<typeof createHash>;
  stats: { rows: number; first: string | null; last: string | null };
  renew: () => Promise<void>;
}): AsyncGenerator<Buffer> {
  const table = sql.table(props.partition);
  const select = sql`
    SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, principal_type, principal_id, action,
           resource_type, resource_id, decision, reasons, errors, policy_hash, entity_version, latency_us, context_keys,
           request_id, caller, request_entities
    FROM ${table}`;
  let after: { at: string; id: string } | undefined;
  for (;;) {
    const batch = await sql<Record<(typeof DECISION_EXPORT_COLUMNS)[number], unknown> & { id: string; at: string }>`
      ${select}
      ${after ? sql`WHERE at >= ${after.at}::timestamptz AND (at, id) > (${after.at}::timestamptz, ${after.id})` : sql``}
      ORDER BY at, id
      LIMIT ${BATCH_ROWS}`.execute(props.db);
    if (!batch.rows.length) return;
    let text = '';
    for (const row of batch.rows) {
      const line: Record<string, unknown> = {};
      for (const c of DECISION_EXPORT_COLUMNS) line[c] = row[c];
      text += JSON.stringify(line) + '\n';
    }
    const chunk = Buffer.from(text, 'utf8');
    props.lines.update(chunk);
    props.stats.rows += batch.rows.length;
    props.stats.first ??= batch.rows[0].id;
    const last = batch.rows[batch.rows.length - 1];
    props.stats.last = last.id;
    after = { at: last.at, id: last.id };
    yield chunk;
    if (batch.rows.length < BATCH_ROWS) return;
    await props.renew();
  }
}

/**
 * Uploads a stream of chunks to `key`: one PutObject when it all fits in one part, else a multipart upload of parts of
 * `partBytes` (the last may be smaller), aborted on failure so no parts are left billed. Returns the object's size and
 * sha256; S3 checks each body against the SHA-256 sent with it.
 */
async function uploadStream(props: { target: DecisionExportTarget; key: string; chunks: AsyncIterable<Buffer> }): Promise<{ bytes: number; sha256: string }> {
  const { target, key } = props;
  const partBytes = target.partBytes ?? DEFAULT_PART_BYTES;
  const whole = createHash('sha256');
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let uploadId: string | undefined;
  const parts: Array<{ PartNumber: number; ETag: string; ChecksumSHA256?: string }> = [];
  const sendPart = async (body: Buffer): Promise<void> => {
    uploadId ??= (
      await target.client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: key,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
          ChecksumAlgorithm: 'SHA256',
        }),
      )
    ).UploadId;
    if (!uploadId) throw new Error('CreateMultipartUpload answered no upload id');
    const checksum = createHash('sha256').update(body).digest('base64');
    const r = await target.client.send(
      new UploadPartCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId, PartNumber: parts.length + 1, Body: body, ChecksumSHA256: checksum }),
    );
    if (!r.ETag) throw new Error('UploadPart answered no ETag');
    parts.push({ PartNumber: parts.length + 1, ETag: r.ETag, ChecksumSHA256: r.ChecksumSHA256 ?? checksum });
  };
  try {
    for await (const chunk of props.chunks) {
      whole.update(chunk);
      bytes += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= partBytes) {
        const body = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        await sendPart(body);
      }
    }
    const rest = Buffer.concat(pending);
    if (uploadId === undefined) {
      await target.client.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: key,
          Body: rest,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
          ChecksumSHA256: createHash('sha256').update(rest).digest('base64'),
        }),
      );
    } else {
      if (rest.length) await sendPart(rest);
      await target.client.send(new CompleteMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    }
  } catch (error) {
    if (uploadId) await target.client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId })).catch(() => {});
    throw error;
  }
  return { bytes, sha256: whole.digest('hex') };
}
