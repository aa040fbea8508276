import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startS3KmsLoopback, type S3KmsLoopback } from '../../test/fixtures/aws-loopback-s3-kms.ts';
import { createTestDatabase, hasServerDatabase } from '../../test/helpers/test-database.ts';
import { openDatabase } from '../db/database.ts';
import { loadConfig } from '../kernel/config.ts';
import { TENET_VERSION } from '../kernel/version.ts';
import { exportDecisions } from '../main/commands/export-decisions.ts';
import { exportClosedDecisionDays, exportDecisionDay, exportKeys, type DecisionExportManifest, type DecisionExportTarget } from './decision-export.ts';
import { ensureDecisionPartitions, listDecisionPartitions } from './decision-partitions.ts';
import { runRetention } from './retention.ts';

let aws: S3KmsLoopback;
let h: Awaited<ReturnType<typeof createTestDatabase>>;
const BUCKET = 'tenet-decisions';
const PART = 16 * 1024;

const client = () =>
  new S3Client({
    endpoint: aws.endpoint,
    region: 'ap-south-1',
    credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
let target: DecisionExportTarget;

beforeAll(async () => {
  aws = await startS3KmsLoopback({ buckets: [{ name: BUCKET, objectLock: false }], minPartBytes: PART });
  h = await createTestDatabase();
  target = { client: client(), bucket: BUCKET, prefix: 'prod/tenet/', partBytes: PART };
});
afterAll(async () => {
  target?.client.destroy();
  await h?.close();
  await aws?.close();
});

/** `n` decisions on `day`, spread over it, inserted in one statement; some with request entities, some denied. */
async function fill(day: string, n: number, tag: string): Promise<void> {
  await ensureDecisionPartitions({ db: h.db, now: new Date(`${day}T00:00:00Z`), aheadDays: 0 });
  await sql`
    INSERT INTO decisions (id, at, principal_type, principal_id, action, resource_type, resource_id, decision, reasons, errors,
                           policy_hash, entity_version, latency_us, context_keys, request_id, caller, request_entities)
    SELECT ${tag} || '-' || lpad(i::text, 6, '0') || '-' || md5(i::text),
           ${`${day}T00:00:00Z`}::timestamptz + (i * (86399.0 / ${n})) * interval '1 second' + (i % 1000) * interval '1 microsecond',
           'User', 'u-' || (i % 97), CASE WHEN i % 3 = 0 THEN 'reveal_buyer_pii' ELSE 'read' END, 'Order', 'o-' || i,
           CASE WHEN i % 5 = 0 THEN 'deny' ELSE 'allow' END,
           CASE WHEN i % 5 = 0 THEN '[]'::jsonb ELSE '["policy0"]'::jsonb END, '[]'::jsonb, 'hash-' || (i % 3), (i % 11)::text, i % 900,
           '["purpose"]'::jsonb, CASE WHEN i % 2 = 0 THEN 'req-' || i END, NULL,
           CASE WHEN i % 7 = 0 THEN jsonb_build_array(jsonb_build_object('type', 'Order', 'id', 'o-' || i)) ELSE '[]'::jsonb END
    FROM generate_series(1, ${n}) AS i`.execute(h.db);
}

/** The partition's rows as the export should write them: (at, id) order, `at` ISO with microseconds. */
async function expectedLines(day: string): Promise<Array<Record<string, unknown>>> {
  const r = await sql<Record<string, unknown>>`
    SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, principal_type, principal_id, action, resource_type,
           resource_id, decision, reasons, errors, policy_hash, entity_version, latency_us, context_keys, request_id, caller, request_entities
    FROM decisions WHERE at >= ${`${day}T00:00:00Z`}::timestamptz AND at < ${`${day}T00:00:00Z`}::timestamptz + interval '1 day'
    ORDER BY at, id`.execute(h.db);
  return r.rows;
}

const latest = (key: string) => aws.buckets.get(BUCKET)!.get(key)?.at(-1)?.body;
const record = async (day: string) =>
  (
    await sql<{ status: string; sha256: string; rows: string; object_key: string }>`
    SELECT status, sha256, rows, object_key FROM decision_log_exports WHERE day = ${day}::date`.execute(h.db)
  ).rows[0];

describe('export of closed days to S3', () => {
  it('writes the day as gzip JSON lines in parts (multipart), decompressing to exactly the partition’s rows, with a manifest whose checksums match', async () => {
    await fill('2026-10-01', 3000, 'a');
    const r = await exportDecisionDay({ db: h.db, target, day: '2026-10-01' });
    const keys = exportKeys('prod/tenet/', '2026-10-01');
    expect(keys).toEqual({
      object: 'prod/tenet/decisions/dt=2026-10-01/part-0000.jsonl.gz',
      manifest: 'prod/tenet/decisions-manifests/dt=2026-10-01/manifest.json',
    });
    expect(r).toMatchObject({ day: '2026-10-01', status: 'exported', rows: 3000, key: keys.object, manifestKey: keys.manifest });
    const ops = aws.calls.filter((c) => c.input?.Key === keys.object).map((c) => c.operation);
    expect(ops[0]).toBe('CreateMultipartUpload');
    expect(ops.filter((o) => o === 'UploadPart').length).toBeGreaterThan(1);
    expect(ops.at(-1)).toBe('CompleteMultipartUpload');
    expect(aws.uploads.size).toBe(0);

    const gz = latest(keys.object)!;
    const text = gunzipSync(gz).toString('utf8');
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected = await expectedLines('2026-10-01');
    expect(lines.length).toBe(3000);
    expect(lines).toEqual(expected);
    expect(lines.some((l) => (l.request_entities as unknown[]).length > 0)).toBe(true);

    const manifest = JSON.parse(latest(keys.manifest)!.toString('utf8')) as DecisionExportManifest;
    expect(manifest).toMatchObject({
      schemaVersion: 1,
      table: 'decisions',
      partition: 'decisions_p20261001',
      day: '2026-10-01',
      range: { from: '2026-10-01T00:00:00.000Z', to: '2026-10-02T00:00:00.000Z' },
      rows: 3000,
      firstDecisionId: expected[0].id,
      lastDecisionId: expected.at(-1)!.id,
      tool: { name: 'tenet', version: TENET_VERSION },
    });
    expect(manifest.object).toEqual({
      bucket: BUCKET,
      key: keys.object,
      bytes: gz.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
      contentType: 'application/x-ndjson',
      contentEncoding: 'gzip',
    });
    expect(manifest.linesSha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(Date.parse(manifest.exportedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await record('2026-10-01')).toEqual({ status: 'done', sha256: manifest.object.sha256, rows: '3000', object_key: keys.object });
  });

  it('a second export of the same day is a no-op', async () => {
    const before = aws.calls.length;
    expect(await exportDecisionDay({ db: h.db, target, day: '2026-10-01' })).toEqual({ day: '2026-10-01', status: 'already-exported' });
    expect(aws.calls.length).toBe(before);
  });

  it('exports every closed day not yet exported (a small one in one PutObject, an empty one too) and never today', async () => {
    await fill('2026-10-02', 5, 'b');
    await ensureDecisionPartitions({ db: h.db, now: new Date('2026-10-03T00:00:00Z'), aheadDays: 0 });
    const today = new Date().toISOString().slice(0, 10);
    const results = await exportClosedDecisionDays({ db: h.db, target });
    expect(results.map((x) => [x.day, x.status])).toEqual([
      ['2026-10-02', 'exported'],
      ['2026-10-03', 'exported'],
    ]);
    const small = exportKeys('prod/tenet', '2026-10-02').object;
    expect(aws.calls.filter((c) => c.input?.Key === small).map((c) => c.operation)).toEqual(['PutObject']);
    expect(gunzipSync(latest(small)!).toString('utf8').trimEnd().split('\n')).toHaveLength(5);
    const empty = exportKeys('prod/tenet', '2026-10-03');
    expect(gunzipSync(latest(empty.object)!).length).toBe(0);
    expect(JSON.parse(latest(empty.manifest)!.toString('utf8'))).toMatchObject({ rows: 0, firstDecisionId: null, lastDecisionId: null });
    expect(results.some((x) => x.day === today)).toBe(false);
    await expect(exportDecisionDay({ db: h.db, target, day: today })).rejects.toThrow(/not closed yet/);
    expect(await record(today)).toBeUndefined();
  });

  it('an S3 error leaves no export record, aborts a multipart upload, and retention keeps the partition', async () => {
    await fill('2026-10-04', 3000, 'c');
    await fill('2026-10-05', 10, 'd');
    aws.failNext('UploadPart', 1);
    await expect(exportDecisionDay({ db: h.db, target, day: '2026-10-04' })).rejects.toThrow();
    expect(await record('2026-10-04')).toBeUndefined();
    expect(aws.uploads.size).toBe(0);
    expect(aws.calls.filter((c) => c.operation === 'AbortMultipartUpload')).toHaveLength(1);
    aws.failNext('PutObject', 1);
    await expect(exportDecisionDay({ db: h.db, target, day: '2026-10-05' })).rejects.toThrow();
    expect(await record('2026-10-05')).toBeUndefined();

    // Retention (1 day, now 2026-10-07T00:00Z: every day up to the 5th has ended) drops what was exported only.
    const now = new Date('2026-10-07T00:00:00Z');
    const r = await runRetention({ db: h.db, decisionDays: 1, revealDays: 365, now, aheadDays: 0, requireExport: true });
    expect(r.partitionsDropped).toEqual(['2026-10-01', '2026-10-02', '2026-10-03']);
    expect(r.decisionsDeleted).toBe(3005);
    expect(r.awaitingExport).toEqual(['2026-10-04', '2026-10-05']);
    const days = (await listDecisionPartitions(h.db)).map((p) => p.day);
    expect(days).toEqual(expect.arrayContaining(['2026-10-04', '2026-10-05']));
    expect(days).not.toContain('2026-10-01');

    // Once S3 answers, the next round exports them (and the 7th, which that retention round made), and the one after
    // drops them.
    expect((await exportClosedDecisionDays({ db: h.db, target })).map((x) => [x.day, x.status])).toEqual([
      ['2026-10-04', 'exported'],
      ['2026-10-05', 'exported'],
      ['2026-10-07', 'exported'],
    ]);
    const again = await runRetention({ db: h.db, decisionDays: 1, revealDays: 365, now, aheadDays: 0, requireExport: true });
    expect(again).toMatchObject({ partitionsDropped: ['2026-10-04', '2026-10-05'], decisionsDeleted: 3010, awaitingExport: [] });
  });

  it('leaves a day another process is exporting to it, and takes over a claim whose lease lapsed', async () => {
    await fill('2026-10-06', 3, 'e');
    await sql`INSERT INTO decision_log_exports (day, status, claimed_by, lease_until) VALUES ('2026-10-06', 'exporting', 'elsewhere', now() + interval '1 minute')`.execute(
      h.db,
    );
    expect(await exportDecisionDay({ db: h.db, target, day: '2026-10-06' })).toEqual({ day: '2026-10-06', status: 'in-progress-elsewhere' });
    await sql`DELETE FROM decision_log_exports WHERE day = '2026-10-06'`.execute(h.db);
    await sql`INSERT INTO decision_log_exports (day, status, claimed_by, lease_until) VALUES ('2026-10-06', 'exporting', 'elsewhere', now() - interval '1 second')`.execute(
      h.db,
    );
    expect(await exportDecisionDay({ db: h.db, target, day: '2026-10-06' })).toMatchObject({ status: 'exported', rows: 3 });
  });
});

describe('tenet export-decisions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tenet-export-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports a closed day named with --day, then says it is already exported; without a bucket it refuses', async () => {
    // The command opens the database the configuration names: the server test database, or an embedded one on disk.
    const server = hasServerDatabase ? await createTestDatabase() : undefined;
    const env = {
      ...(server ? { DATABASE_URL: server.url } : { TENET_DATA_DIR: dir }),
      TENET_DECISION_EXPORT_BUCKET: BUCKET,
      TENET_DECISION_EXPORT_PREFIX: 'cli',
      TENET_DECISION_EXPORT_REGION: 'ap-south-1',
      TENET_DECISION_EXPORT_ENDPOINT: aws.endpoint,
    };
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOOPBACK');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'loopback-secret');
    try {
      const db = server ?? (await openDatabase({ dataDir: dir }));
      await ensureDecisionPartitions({ db: db.db, now: new Date('2026-09-01T00:00:00Z'), aheadDays: 0 });
      await sql`INSERT INTO decisions (id, at, principal_type, principal_id, action, resource_type, resource_id, decision, reasons, errors,
                                       policy_hash, entity_version, latency_us, context_keys)
                VALUES ('cli-1', '2026-09-01T08:00:00Z', 'User', 'u', 'read', 'Order', 'o', 'allow', '[]', '[]', 'h', '1', 1, '[]')`.execute(db.db);
      if (!server) await db.close();
      const out: string[] = [];
      const log = { log: (line: string) => void out.push(line) };
      const config = loadConfig(env);
      expect(await exportDecisions(['--day', '2026-09-01'], { config: () => config }, log)).toBe(0);
      expect(out[0]).toMatch(
        /^2026-09-01: exported 1 decision\(s\) to s3:\/\/tenet-decisions\/cli\/decisions\/dt=2026-09-01\/part-0000\.jsonl\.gz \(\d+ bytes, sha256 [0-9a-f]{64}\)$/,
      );
      expect(out.join('\n')).not.toContain('loopback-secret');
      expect(JSON.parse(gunzipSync(latest('cli/decisions/dt=2026-09-01/part-0000.jsonl.gz')!).toString('utf8'))).toMatchObject({
        id: 'cli-1',
        at: '2026-09-01T08:00:00.000000Z',
      });
      expect(await exportDecisions(['--day', '2026-09-01'], { config: () => config }, log)).toBe(0);
      expect(out[1]).toBe('2026-09-01: already exported');
      await expect(exportDecisions(['--day', '2026-08-31'], { config: () => config }, log)).rejects.toThrow(/no partition for that day/);
      await expect(exportDecisions(['--day', '31-08-2026'], { config: () => config }, log)).rejects.toThrow(/--day must be/);
      const unset = loadConfig({
        ...env,
        TENET_DECISION_EXPORT_BUCKET: undefined,
        TENET_DECISION_EXPORT_REGION: undefined,
        TENET_DECISION_EXPORT_ENDPOINT: undefined,
      });
      await expect(exportDecisions([], { config: () => unset }, log)).rejects.toThrow(/TENET_DECISION_EXPORT_BUCKET is not set/);
    } finally {
      vi.unstubAllEnvs();
      await server?.close();
    }
  });
});
