import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { startS3KmsLoopback, type S3KmsLoopback } from '../../test/fixtures/aws-loopback-s3-kms.ts';
import { FileCheckpointLog } from './checkpoint-file.ts';
import { S3CheckpointSink } from './checkpoint-s3.ts';
import { EvidenceCheckpoints } from './checkpoints.ts';
import { EvidenceStore } from './evidence-store.ts';
import { LocalSigner, newSigningKeyPem } from './keys.ts';
import { createKmsSigner } from './kms-signer.ts';
import { keyId, verifySignature } from './signing.ts';
import { verifyEvidence } from './verify-evidence.ts';

let aws: S3KmsLoopback;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const dir = mkdtempSync(path.join(tmpdir(), 'tenet-s3-anchor-'));
const clientConfig = () => ({
  endpoint: aws.endpoint,
  region: 'ap-south-1',
  credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
  maxAttempts: 1,
});

beforeAll(async () => {
  aws = await startS3KmsLoopback({
    buckets: [
      { name: 'tenet-anchors', objectLock: true },
      { name: 'no-lock', objectLock: false },
    ],
    kmsKeys: ['kms-key-1'],
    pageSize: 2,
  });
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
  await aws?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkpoints in S3 under Object Lock', () => {
  it('every checkpoint is put locked (COMPLIANCE, retain-until, Content-MD5), caught up after a failure, and anchors verification alone', async () => {
    const signer = new LocalSigner(newSigningKeyPem());
    const publicKey = (id: string) => (id === signer.keyId ? signer.publicKeyPem : undefined);
    const s3 = new S3CheckpointSink({
      bucket: 'tenet-anchors',
      prefix: 'prod/',
      lockMode: 'COMPLIANCE',
      retainDays: 400,
      client: new S3Client({ ...clientConfig(), forcePathStyle: true }),
    });
    const file = new FileCheckpointLog(path.join(dir, 'evidence-checkpoints.jsonl'));
    const checkpoints = new EvidenceCheckpoints({ db: database.db, signer, publicKey, sinks: [file, s3], maxHashes: 4 });
    const store = new EvidenceStore(database.db);
    for (let i = 0; i < 6; i++) await store.append({ controlId: 'storage.s3-versioning', source: 'test', payload: { i } });
    // 6 records, at most 4 hashes a checkpoint: two checkpoints (1–4, 5–6), each its own locked object.
    const made = await checkpoints.create('interval');
    expect(made?.statement).toMatchObject({ seq: 6, fromSeq: 5 });
    const puts = aws.calls.filter((c) => c.operation === 'PutObject');
    expect(puts.map((c) => c.input?.Key)).toEqual(['prod/00000000000000000004.json', 'prod/00000000000000000006.json']);
    for (const p of puts) {
      expect(p.input).toMatchObject({ ObjectLockMode: 'COMPLIANCE', ContentMD5: expect.any(String) });
      const until = new Date(String(p.input!.ObjectLockRetainUntilDate)).getTime();
      expect(until).toBeGreaterThan(Date.now() + 399 * 86_400_000);
    }
    // A locked version cannot be deleted, not even by whoever holds the bucket's credentials.
    const version = aws.buckets.get('tenet-anchors')!.get('prod/00000000000000000004.json')![0].versionId;
    await expect(
      new S3Client({ ...clientConfig(), forcePathStyle: true }).send(
        new DeleteObjectCommand({ Bucket: 'tenet-anchors', Key: 'prod/00000000000000000004.json', VersionId: version }),
      ),
    ).rejects.toThrow(/object lock/);

    // S3 fails once: the checkpoint still lands in the database and the file; the next run copies it to S3.
    await store.append({ controlId: 'storage.s3-versioning', source: 'test', payload: { i: 6 } });
    aws.failNext('PutObject', 1);
    await checkpoints.create('interval');
    expect(await s3.lastSeq()).toBe(6);
    expect(await file.lastSeq()).toBe(7);
    const synced = await checkpoints.sync();
    expect(synced).toEqual([
      { sink: file.name, copied: 0 },
      { sink: s3.name, copied: 1 },
    ]);
    expect(await s3.lastSeq()).toBe(7);
    // Finding the newest checkpoint lists only what came after the newest one this process saw.
    expect(aws.calls.filter((c) => c.operation === 'ListObjectsV2').at(-1)?.input).toMatchObject({ StartAfter: 'prod/00000000000000000007.json' });

    // The database and the local file both lose the newest records and checkpoints; S3 alone names what is gone.
    await sql`ALTER TABLE evidence_records DISABLE TRIGGER USER`.execute(database.db);
    await database.db.deleteFrom('evidence_records').where('seq', '>=', '6').execute();
    await sql`ALTER TABLE evidence_records ENABLE TRIGGER USER`.execute(database.db);
    await sql`ALTER TABLE evidence_checkpoints DISABLE TRIGGER USER`.execute(database.db);
    await database.db.deleteFrom('evidence_checkpoints').execute();
    await sql`ALTER TABLE evidence_checkpoints ENABLE TRIGGER USER`.execute(database.db);
    rmSync(path.join(dir, 'evidence-checkpoints.jsonl'));
    const r = await verifyEvidence({ db: database.db, store, publicKey, sinks: [new FileCheckpointLog(path.join(dir, 'evidence-checkpoints.jsonl')), s3] });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/^evidence chain broken at record 6: records 6–7 are missing: the checkpoint of \S+ covers 7$/);
    expect(r.latestExternal).toMatchObject({ seq: 7, where: [s3.name] });
  }, 60_000);

  it('a put with Object Lock headers into a bucket without Object Lock is an error, not a silent unlocked copy', async () => {
    const signer = new LocalSigner(newSigningKeyPem());
    const s3 = new S3CheckpointSink({
      bucket: 'no-lock',
      prefix: '',
      lockMode: 'GOVERNANCE',
      retainDays: 1,
      client: new S3Client({ ...clientConfig(), forcePathStyle: true }),
    });
    const statement = { type: 'tenet-evidence-checkpoint' as const, seq: 1, hash: 'a'.repeat(64), createdAt: new Date().toISOString() };
    const { statementBytes, statementDigest } = await import('./checkpoints.ts');
    await expect(
      s3.append([{ statement, keyId: signer.keyId, signature: await signer.sign(statementBytes(statement)), digest: statementDigest(statement) }]),
    ).rejects.toThrow(/Object Lock Configuration/);
  });
});

describe('the KMS signer', () => {
  it('signs a manifest-sized message with an ECC_NIST_P256 key through Sign (DIGEST), verifiable offline with the public key', async () => {
    const signer = await createKmsSigner({ keyId: 'kms-key-1', client: new KMSClient(clientConfig()) });
    expect(signer.algorithm).toBe('ECDSA_P256_SHA256');
    expect(signer.keyId).toBe(keyId(signer.publicKeyPem));
    const manifest = Buffer.from(JSON.stringify({ files: Array.from({ length: 200 }, (_, i) => ({ path: `evidence/c${i}.json`, sha256: 'ab'.repeat(32) })) }));
    expect(manifest.length).toBeGreaterThan(4096);
    const sig = await signer.sign(manifest);
    expect(verifySignature(manifest, sig, signer.publicKeyPem)).toBe(true);
    expect(verifySignature(Buffer.concat([manifest, Buffer.from(' ')]), sig, signer.publicKeyPem)).toBe(false);
    expect(aws.calls.filter((c) => c.service === 'kms').map((c) => [c.operation, c.input?.MessageType])).toEqual([
      ['GetPublicKey', undefined],
      ['Sign', 'DIGEST'],
    ]);
    await expect(createKmsSigner({ keyId: 'no-such-key', client: new KMSClient(clientConfig()) })).rejects.toThrow(/does not exist/);
  });
});
