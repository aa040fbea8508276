import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { EvidenceStore } from './evidence-store.ts';
import { EvidenceCheckpoints } from './checkpoints.ts';
import { LocalSigner, newSigningKeyPem } from './keys.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let store: EvidenceStore;
const day = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  store = new EvidenceStore(database.db);
  for (let i = 0; i < 30; i++) {
    await store.append({
      controlId: i % 2 ? 'storage.s3-versioning' : 'identity.admin-mfa',
      source: 'test',
      payload: { i, findings: [], nested: { b: 2, a: [1, 'x'] } },
      collectedAt: new Date(Date.now() - (30 - i) * day),
    });
  }
});
afterAll(() => database?.close());

describe('the evidence chain', () => {
  it('verifies whole, and the hash covers exactly what jsonb stored (key order does not matter)', async () => {
    expect(await store.verify()).toMatchObject({ ok: true, count: 30 });
    expect((await store.head())?.seq).toBe(30);
  });

  it('refuses UPDATE and DELETE; an edit forced past the trigger names the first broken record', async () => {
    await expect(database.db.updateTable('evidence_records').set({ source: 'x' }).where('seq', '=', '5').execute()).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('evidence_records').where('seq', '=', '5').execute()).rejects.toThrow(/append-only/);
    // As a superuser could: switch the trigger off, edit one payload, switch it back on.
    await sql`ALTER TABLE evidence_records DISABLE TRIGGER evidence_records_append_only`.execute(database.db);
    await sql`UPDATE evidence_records SET payload = jsonb_set(payload, '{i}', '99') WHERE seq = 12`.execute(database.db);
    await sql`ALTER TABLE evidence_records ENABLE TRIGGER evidence_records_append_only`.execute(database.db);
    expect(await store.verify()).toEqual({ ok: false, seq: 12, reason: 'hash does not match the record' });
    await sql`ALTER TABLE evidence_records DISABLE TRIGGER evidence_records_append_only`.execute(database.db);
    await sql`UPDATE evidence_records SET payload = jsonb_set(payload, '{i}', '11') WHERE seq = 12`.execute(database.db);
    await sql`ALTER TABLE evidence_records ENABLE TRIGGER evidence_records_append_only`.execute(database.db);
    expect((await store.verify()).ok).toBe(true);
  });

  it('retention drops old records only behind a signed checkpoint, and verification runs from it', async () => {
    const signer = new LocalSigner(newSigningKeyPem());
    const mine = (id: string) => (id === signer.keyId ? signer.publicKeyPem : undefined);
    const checkpoints = new EvidenceCheckpoints({ db: database.db, signer, publicKey: mine, sinks: [] });
    const r = await store.prune({ before: new Date(Date.now() - 19.5 * day), checkpoints });
    expect(r.deleted).toBe(11);
    expect(r.checkpoint?.seq).toBe(11);
    expect(await store.verify({ publicKey: mine })).toMatchObject({ ok: true, count: 19, from: 12 });
    // A checkpoint is not a licence for anyone else to delete.
    await expect(database.db.deleteFrom('evidence_records').where('seq', '=', '12').execute()).rejects.toThrow(/append-only/);
    // Another key's view of the checkpoint fails.
    const other = new LocalSigner(newSigningKeyPem()).publicKeyPem;
    expect(await store.verify({ publicKey: () => other })).toMatchObject({
      ok: false,
      seq: 30,
      reason: expect.stringMatching(/the checkpoint retention starts from cannot be trusted: .*the signature does not verify/),
    });
    // New records still chain on.
    await store.append({ controlId: 'identity.admin-mfa', source: 'test', payload: { after: true } });
    expect(await store.verify({ publicKey: mine })).toMatchObject({ ok: true, count: 20 });
  });
});
