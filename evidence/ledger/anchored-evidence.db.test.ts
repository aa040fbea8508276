import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { parseControlSettings } from '../../controls/settings.ts';
import { createAuthz } from '../../engine/authz/create-authz.ts';
import { evidence, verify } from '../../engine/main/commands/pack.ts';
import { loadConfig, type Config } from '../../engine/kernel/config.ts';
import { openDatabase, type Db } from '../../engine/db/database.ts';
import { createLogger } from '../../engine/kernel/logger.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { setupEvidenceAnchoring } from './anchoring.ts';
import { refOf } from './checkpoints.ts';
import { EvidenceStore } from './evidence-store.ts';
import { recordHash } from './chain.ts';
import { LocalSigner, loadKeyRing, newSigningKeyPem } from './keys.ts';
import { buildPack } from '../packs/build-pack.ts';
import { makePackDeps } from '../packs/pack-deps.ts';
import { readPackManifest, verifyPackChain } from '../packs/verify-chain.ts';
import { startTestApp } from '../../test/helpers/test-app.ts';

/**
 * Rewrites and truncation, as a database superuser would make them, checked through the commands an auditor runs
 * (`tenet evidence verify`, `tenet verify --chain`), on embedded PostgreSQL or the server in DATABASE_URL.
 */

const dirs: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A Tenet install: a data directory, its database (a fresh one on the server, or embedded in the directory). */
async function install(name: string): Promise<{ dir: string; config: Config; session<T>(fn: (db: Db) => Promise<T>): Promise<T> }> {
  const dir = mkdtempSync(path.join(tmpdir(), `tenet-${name}-`));
  dirs.push(dir);
  let url: string | undefined;
  if (process.env.DATABASE_URL) {
    const t = await createTestDatabase();
    url = t.url;
    cleanups.push(() => t.close());
  }
  const config = loadConfig({ TENET_DATA_DIR: dir, LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}) });
  return {
    dir,
    config,
    // Embedded PostgreSQL belongs to one process at a time: each session opens and closes it, as a command would.
    async session(fn) {
      const h = await openDatabase({ databaseUrl: url, dataDir: dir });
      try {
        return await fn(h.db);
      } finally {
        await h.close();
      }
    },
  };
}

/** Runs a CLI command function in-process and returns its exit code and what it printed. */
async function cli(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    return { code: await run(), out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

async function appendRecords(db: Db, n: number, from = 0) {
  const store = new EvidenceStore(db);
  for (let i = from; i < from + n; i++)
    await store.append({ controlId: 'storage.s3-versioning', source: 'test', payload: { i, status: 'pass', findings: [] } });
}

/** As a superuser: triggers off, the statement, triggers back on. */
async function asSuperuser(db: Db, table: string, fn: () => Promise<unknown>) {
  await sql`ALTER TABLE ${sql.table(table)} DISABLE TRIGGER USER`.execute(db);
  try {
    await fn();
  } finally {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE TRIGGER USER`.execute(db);
  }
}

describe('tenet evidence verify against the checkpoints kept outside the database', () => {
  it('names record 5 when a superuser rewrites it and recomputes every following hash', async () => {
    const t = await install('rewrite');
    await t.session(async (db) => {
      const { checkpoints } = await setupEvidenceAnchoring({ config: t.config, db });
      await appendRecords(db, 10);
      await checkpoints.create('interval');
      await appendRecords(db, 11, 10);
      await checkpoints.create('interval');
    });
    const ok = await cli(() => evidence(['verify'], { config: () => t.config }));
    expect(ok.out).toMatch(/^evidence chain valid: 21 records, head [0-9a-f]{64}; checked against the checkpoint of \S+ \(record 21, checkpoint file /);
    expect(ok.code).toBe(0);

    await t.session(async (db) => {
      // Record 5 says "fail" now, and the chain is made whole again with the public formula; the checkpoint rows
      // in the database go too (they cannot be re-signed without the key, which is not in the database).
      await asSuperuser(db, 'evidence_records', async () => {
        const rows = await new EvidenceStore(db).list({ fromSeq: 5, limit: 100 });
        let prev = (await new EvidenceStore(db).get(4))!.hash;
        for (const r of rows) {
          const payload = r.seq === 5 ? { ...(r.payload as object), status: 'fail' } : r.payload;
          const hash = recordHash({ ...r, prevHash: prev, payload });
          await db
            .updateTable('evidence_records')
            .set({ prev_hash: prev, hash, payload: JSON.stringify(payload) })
            .where('seq', '=', String(r.seq))
            .execute();
          prev = hash;
        }
      });
      await asSuperuser(db, 'evidence_checkpoints', () => db.deleteFrom('evidence_checkpoints').execute());
      // The chain on its own is consistent again: this is what `tenet evidence verify` used to call valid.
      expect(await new EvidenceStore(db).verify()).toMatchObject({ ok: true, count: 21 });
    });
    const r = await cli(() => evidence(['verify'], { config: () => t.config }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /evidence chain NOT valid\n {2}evidence chain broken at record 5: record 5 was rewritten: the checkpoint of \S+ recorded its hash as [0-9a-f]{16}…, the database now holds [0-9a-f]{16}…/,
    );
  }, 300_000);

  it('names the missing range when the newest three records are deleted', async () => {
    const t = await install('truncate');
    let checkpointAt = '';
    await t.session(async (db) => {
      const { checkpoints } = await setupEvidenceAnchoring({ config: t.config, db });
      await appendRecords(db, 21);
      checkpointAt = (await checkpoints.create('interval'))!.statement.createdAt;
      await asSuperuser(db, 'evidence_records', () => db.deleteFrom('evidence_records').where('seq', '>=', '19').execute());
      await asSuperuser(db, 'evidence_checkpoints', () => db.deleteFrom('evidence_checkpoints').execute());
      expect(await new EvidenceStore(db).verify()).toMatchObject({ ok: true, count: 18 });
    });
    const r = await cli(() => evidence(['verify'], { config: () => t.config }));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`records 19–21 are missing: the checkpoint of ${checkpointAt} covers 21`);
    // An auditor without the key set, with the public key only: the same finding.
    const pem = path.join(t.dir, 'tenet.pem');
    writeFileSync(pem, (await loadKeyRing({ config: t.config })).signer.publicKeyPem);
    const audited = await cli(() => evidence(['verify', '--public-key', pem], { config: () => t.config }));
    expect(audited.code).toBe(1);
    expect(audited.out).toContain(`records 19–21 are missing: the checkpoint of ${checkpointAt} covers 21`);
    // Another key: the checkpoints cannot be trusted, and nothing is called valid.
    writeFileSync(pem, new LocalSigner(newSigningKeyPem()).publicKeyPem);
    const wrong = await cli(() => evidence(['verify', '--public-key', pem], { config: () => t.config }));
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(
      /checkpoint file .*: the checkpoint of \S+ \(record 21\) is signed with key [0-9a-f]{16}, which is not among the public keys given/,
    );
  }, 300_000);
});

describe('keys outside the database', () => {
  it('a key file is made 0600 on first start, a readable one is refused, TENET_KEYS writes no file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tenet-keys-'));
    dirs.push(dir);
    const config = loadConfig({ TENET_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const ring = await loadKeyRing({ config });
    const file = path.join(dir, 'keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadKeyRing({ config })).signer.keyId).toBe(ring.signer.keyId);
    chmodSync(file, 0o644);
    await expect(loadKeyRing({ config })).rejects.toThrow(`key file ${file} is accessible to others (mode 0644): run chmod 600 ${file}`);
    chmodSync(file, 0o600);
    const other = mkdtempSync(path.join(tmpdir(), 'tenet-keys-env-'));
    dirs.push(other);
    const env = loadConfig({ TENET_DATA_DIR: other, TENET_KEYS: readFileSync(file, 'utf8'), LOG_LEVEL: 'silent' });
    expect((await loadKeyRing({ config: env })).signer.keyId).toBe(ring.signer.keyId);
    expect(existsSync(path.join(other, 'keys.json'))).toBe(false);
    await expect(
      loadKeyRing({ config: loadConfig({ TENET_DATA_DIR: other, TENET_KEYS: '{"format":"tenet-keys/1","signingKey":"not a key"}' }) }),
    ).rejects.toThrow(/^TENET_KEYS: signingKey is not a usable private key/);
  });

  it('moves an existing install’s keys out of install_secrets once, and no table holds a key afterwards', async () => {
    const t = await install('move');
    const legacyKey = newSigningKeyPem();
    const legacySecret = 'a'.repeat(64);
    await t.session(async (db) => {
      // What an install made before 0009 holds (the table now refuses new rows, so they are put back as a superuser).
      await expect(db.insertInto('install_secrets').values({ name: 'x', value: 'y' }).execute()).rejects.toThrow(/keys are no longer kept in the database/);
      await asSuperuser(db, 'install_secrets', () =>
        db
          .insertInto('install_secrets')
          .values([
            { name: 'pack-signing-key', value: legacyKey },
            { name: 'scanner-fingerprint', value: legacySecret },
          ])
          .execute(),
      );
      const warned: string[] = [];
      const logger = { warn: (_: object, m: string) => void warned.push(m), info: () => {}, error: () => {} };
      const { keys, checkpoints } = await setupEvidenceAnchoring({ config: t.config, db, logger });
      expect(keys.signer.keyId).toBe(new LocalSigner(legacyKey).keyId);
      expect(keys.scannerSecret).toBe(legacySecret);
      expect(warned).toEqual(['moved the keys Tenet kept in the database (install_secrets) into the key file; the rows are deleted']);
      expect(await db.selectFrom('install_secrets').selectAll().execute()).toEqual([]);
      const file = JSON.parse(readFileSync(path.join(t.dir, 'keys.json'), 'utf8'));
      expect(file).toMatchObject({ format: 'tenet-keys/1', signingKey: legacyKey, scannerSecret: legacySecret });
      expect(statSync(path.join(t.dir, 'keys.json')).mode & 0o777).toBe(0o600);

      // Sign everything there is to sign, then look for the key material in every table.
      await appendRecords(db, 3);
      await checkpoints.create('interval');
      const authz = await createAuthz({ db, logger: createLogger({ level: 'silent' }), config: t.config, policyDir: SHIPPED_POLICY_DIR });
      try {
        const deps = await makePackDeps({
          db,
          authz,
          settings: parseControlSettings({}),
          catalogue: CONTROLS_BY_ID,
          keys,
          checkpoint: async () => refOf((await checkpoints.create('pack'))!),
        });
        await buildPack(deps, {
          profile: 'google',
          from: new Date(Date.now() - 86_400_000),
          to: new Date(Date.now() + 1000),
          out: createWriteStream(path.join(t.dir, 'p.zip')),
        });
      } finally {
        await authz.close();
      }
      const keyBody = legacyKey.replace(/-----[A-Z ]+-----|\s/g, '');
      const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(db);
      expect(tables.rows.length).toBeGreaterThan(10);
      for (const { tablename } of tables.rows) {
        const rows = await sql<{ r: string }>`SELECT row_to_json(x)::text AS r FROM ${sql.table(tablename)} x`.execute(db);
        for (const { r } of rows.rows) {
          expect(r, tablename).not.toContain(keyBody.slice(0, 40));
          expect(r, tablename).not.toContain(legacySecret);
        }
      }
    });
  }, 300_000);

  it('a replica on a shared server database without the shared key is stopped, not given a new one', async () => {
    if (!process.env.DATABASE_URL) return expect(process.env.DATABASE_URL).toBeUndefined();
    const t = await install('replica');
    await t.session(async (db) => {
      const first = await loadKeyRing({ config: t.config, db });
      const second = mkdtempSync(path.join(tmpdir(), 'tenet-replica-b-'));
      dirs.push(second);
      await expect(loadKeyRing({ config: { ...t.config, TENET_DATA_DIR: second }, db })).rejects.toThrow(
        `this database's packs are signed with key ${first.signer.keyId}`,
      );
      expect(existsSync(path.join(second, 'keys.json'))).toBe(false);
    });
  }, 60_000);
});

describe('packs, key rotation and later checkpoints', () => {
  it('a pack signed before a rotation still verifies, and verifies against a later checkpoint log; a doctored log does not pass', async () => {
    const t = await install('rotation');
    const pack = path.join(t.dir, 'before-rotation.zip');
    let oldKeyId = '';
    await t.session(async (db) => {
      const { keys, checkpoints } = await setupEvidenceAnchoring({ config: t.config, db });
      oldKeyId = keys.signer.keyId;
      await appendRecords(db, 5);
      const authz = await createAuthz({ db, logger: createLogger({ level: 'silent' }), config: t.config, policyDir: SHIPPED_POLICY_DIR });
      try {
        const deps = await makePackDeps({
          db,
          authz,
          settings: parseControlSettings({}),
          catalogue: CONTROLS_BY_ID,
          keys,
          checkpoint: async () => refOf((await checkpoints.create('pack'))!),
        });
        const m = await buildPack(deps, {
          profile: 'sp-api',
          from: new Date(Date.now() - 86_400_000),
          to: new Date(Date.now() + 1000),
          out: createWriteStream(pack),
        });
        expect(m.checkpoint).toMatchObject({ seq: 5, keyId: oldKeyId });
        expect(m.chainHead?.seq).toBe(5);
      } finally {
        await authz.close();
      }
    });
    const rotated = await cli(() => evidence(['rotate-key'], { config: () => t.config }));
    expect(rotated.code).toBe(0);
    expect(rotated.out).toContain(`${oldKeyId} is retired and stays listed`);
    // After the rotation: more evidence, checkpoints signed with the new key, appended to the same log.
    await t.session(async (db) => {
      const { keys, checkpoints } = await setupEvidenceAnchoring({ config: t.config, db });
      expect(keys.signer.keyId).not.toBe(oldKeyId);
      await appendRecords(db, 4, 5);
      await checkpoints.create('interval');
    });
    const listed = await cli(() => evidence(['public-keys'], { config: () => t.config }));
    const keyList = JSON.parse(listed.out);
    expect(keyList.keys.map((k: { keyId: string; status: string }) => [k.keyId, k.status])).toEqual([
      [keyList.current, 'current'],
      [oldKeyId, 'retired'],
    ]);
    const keysFile = path.join(t.dir, 'public-keys.json');
    writeFileSync(keysFile, listed.out);
    const log = path.join(t.dir, 'evidence-checkpoints.jsonl');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).keyId)).toEqual([oldKeyId, keyList.current]);

    // The chain check on its own (the pack's checkpoint, the links after it, every record's hash)…
    const manifest = (await readPackManifest(pack))!;
    expect(manifest.signingKeyId).toBe(oldKeyId);
    const chain = await verifyPackChain({ file: pack, manifest, checkpointsText: readFileSync(log, 'utf8'), checkpointsName: log, publicKeysText: listed.out });
    expect(chain).toMatchObject({ ok: true, problems: [], latest: { seq: 9 } });
    expect(chain.anchored).toBeGreaterThan(0);
    // …and as the auditor runs it: the old key picked from the list by the id the pack names.
    const r = await cli(() => verify([pack, '--public-key', keysFile, '--chain', log]));
    expect(r.out).toMatch(
      /the pack's checkpoint \(record 5, \S+\) is in .*evidence-checkpoints\.jsonl, and the newest checkpoint there \(record 9, \S+\) still holds the pack's \d+ evidence records unchanged/,
    );
    expect(r.out).toContain('valid — ');
    expect(r.code).toBe(0);

    // The checkpoint the pack names taken out of the log.
    const without = path.join(t.dir, 'without.jsonl');
    writeFileSync(without, lines.slice(1).join('\n') + '\n');
    const missing = await cli(() => verify([pack, '--public-key', keysFile, '--chain', without]));
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/the checkpoint the pack names \(record 5, of \S+\) is not in .*without\.jsonl/);
    // A later checkpoint that is not the continuation of the pack's (re-signed by a key the verifier was not given).
    const forged = JSON.parse(lines[1]);
    forged.statement.hashes[0] = 'f'.repeat(64);
    const doctored = path.join(t.dir, 'doctored.jsonl');
    writeFileSync(doctored, [lines[0], JSON.stringify(forged)].join('\n') + '\n');
    const bad = await cli(() => verify([pack, '--public-key', keysFile, '--chain', doctored]));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('its digest does not match its statement');
    // With only the new key, the old pack is refused by name (the key it names is not given).
    const onlyNew = path.join(t.dir, 'only-new.pem');
    writeFileSync(onlyNew, keyList.keys[0].publicKeyPem + keyList.keys[0].publicKeyPem);
    const wrongKey = await cli(() => verify([pack, '--public-key', onlyNew]));
    expect(wrongKey.code).toBe(1);
  }, 300_000);
});

describe('GET /v1/packs/public-keys', () => {
  it('lists the current key (the one /v1/packs/public-key serves), publicly, and a pack built through the API records its checkpoint', async () => {
    const t = await startTestApp({ controls: {} });
    try {
      const one = await (await fetch(`${t.url}/v1/packs/public-key`)).text();
      const list = await fetch(`${t.url}/v1/packs/public-keys`);
      expect(list.status).toBe(200);
      const body = await list.json();
      expect(body.keys).toEqual([{ keyId: body.current, algorithm: 'Ed25519', publicKeyPem: one, status: 'current' }]);
      await t.controls!.runNow(['storage.s3-versioning'], { trigger: 'manual' });
      const built = await t.call('/v1/packs', { method: 'POST', role: 'auditor', body: { profile: 'google' } });
      expect(built.status).toBe(201);
      const row = await t.database.db.selectFrom('packs').select('manifest').where('id', '=', built.body.id).executeTakeFirstOrThrow();
      const manifest = (typeof row.manifest === 'string' ? JSON.parse(row.manifest) : row.manifest) as {
        checkpoint: { seq: number; keyId: string };
        chainHead: { seq: number };
      };
      expect(manifest.checkpoint).toMatchObject({ keyId: body.current });
      expect(manifest.checkpoint.seq).toBeGreaterThanOrEqual(manifest.chainHead.seq);
    } finally {
      await t.close();
    }
  }, 300_000);
});
