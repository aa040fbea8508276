import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { unzipSync, zipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { parseControlSettings } from '../../controls/settings.ts';
import { buildDemoSnapshot } from '../../engine/demo/demo-environment.ts';
import { buildPack, type PackProfile } from '../../evidence/packs/build-pack.ts';
import { makePackDeps } from '../../evidence/packs/pack-deps.ts';
import { PackRefusedError } from '../../evidence/packs/pack-writer.ts';
import { verifyPack } from '../../evidence/packs/verify-pack.ts';
import { LocalSigner, newSigningKeyPem } from '../../evidence/ledger/keys.ts';
import { keyId, type Signer } from '../../evidence/ledger/signing.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tenet-packs-'));
let t: TestApp;
const settings = {
  snapshots: [path.join(dir, 'snapshot.json')],
  packs: {
    organisation: 'Astrix',
    google: { scopes: [{ scope: 'https://www.googleapis.com/auth/spreadsheets', justification: 'Write the reports a client asks for into their own sheet.' }] },
  },
};

beforeAll(async () => {
  writeFileSync(settings.snapshots[0], JSON.stringify(buildDemoSnapshot()));
  t = await startTestApp({ controls: { settings } });
  await t.controls!.runNow([...CONTROLS_BY_ID.keys()], { trigger: 'manual' });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function build(profile: PackProfile, file: string, opts: { signer?: Signer } = {}) {
  const deps = await makePackDeps({
    db: t.database.db,
    authz: t.authz,
    settings: parseControlSettings(settings),
    catalogue: CONTROLS_BY_ID,
    keys: { signer: opts.signer ?? new LocalSigner(newSigningKeyPem()), scannerSecret: 'packs-test-secret-0123456789abcdef01' },
  });
  const out = createWriteStream(file);
  return buildPack(deps, { profile, from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 1000), out });
}

describe.each(['sp-api', 'google'] as const)('%s pack', (profile) => {
  const file = path.join(dir, `${profile}.zip`);
  let entries: Record<string, Uint8Array>;
  beforeAll(async () => {
    await build(profile, file);
    entries = unzipSync(readFileSync(file));
  });

  it('verifies, with the key inside and with the server key', async () => {
    expect(await verifyPack(file)).toMatchObject({ ok: true, problems: [] });
    const key = Buffer.from(entries['public-key.pem']).toString();
    expect((await verifyPack(file, key)).ok).toBe(true);
  });

  it('fails naming the file when one byte of any member changes', async () => {
    const names = Object.keys(entries).filter((n) => n !== 'manifest.json' && n !== 'manifest.sig');
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const changed = { ...entries, [name]: Uint8Array.from(entries[name]) };
      changed[name][Math.floor(changed[name].length / 2)] ^= 0x01;
      const tampered = path.join(dir, `tampered-${profile}.zip`);
      writeFileSync(tampered, zipSync(changed));
      const r = await verifyPack(tampered);
      expect(r.ok, name).toBe(false);
      expect(r.problems, name).toContain(`${name}: changed (sha256 or size differs from the manifest)`);
    }
  });

  it('a forged manifest fails on the signature', async () => {
    const manifest = JSON.parse(Buffer.from(entries['manifest.json']).toString());
    manifest.period.from = '2020-01-01T00:00:00.000Z';
    const forged = path.join(dir, `forged-${profile}.zip`);
    writeFileSync(forged, zipSync({ ...entries, 'manifest.json': Buffer.from(JSON.stringify(manifest, null, 2) + '\n') }));
    const r = await verifyPack(forged);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/^manifest.sig: the signature does not match/);
  });

  it('OSCAL validates against the shipped schema, the PDF opens, the HTML has every requirement with its status', async () => {
    const schema = JSON.parse(readFileSync(new URL('../../evidence/packs/schemas/oscal_assessment-results_schema_1.0.4.json', import.meta.url), 'utf8'));
    const ajv = new Ajv.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const oscal = JSON.parse(Buffer.from(entries['oscal/assessment-results.json']).toString());
    expect(validate(oscal), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const pdf = await PDFDocument.load(entries['report.pdf']);
    expect(pdf.getPageCount()).toBeGreaterThan(1);
    const html = Buffer.from(entries['index.html']).toString();
    const manifest = JSON.parse(Buffer.from(entries['manifest.json']).toString());
    expect(manifest).toMatchObject({ profile, format: 'tenet-pack/1', chainHead: { seq: expect.any(Number) } });
    // requirement titles (DPP ids are bare numbers) and ids in the sources' own numbering (evidence/programmes)
    const ids =
      profile === 'sp-api'
        ? ['Network protection', 'Deletion and return', 'PII retention', 'Logging and monitoring', 'Vulnerability management']
        : ['LU-1', 'LU-2', 'V4.3.1', 'V14.5.3'];
    for (const id of ids) expect(html, id).toContain(id);
    if (profile === 'sp-api') {
      expect(html).toMatch(/180 days/); // the log-retention gap, stated plainly
      expect(html).toContain('Access review');
    }
  });
});

/**
 * The VERIFY.txt recipe, run as written: the pack unzipped by `unzip`, then every "$ " line of VERIFY.txt by `sh -e`
 * with the real openssl and sha256sum. Returns the exit status and output.
 */
function stockVerify(zip: string, mutate?: (dir: string) => void): { status: number | null; out: string } {
  const unpacked = mkdtempSync(path.join(dir, 'unpacked-'));
  execFileSync('unzip', ['-q', zip, '-d', unpacked]);
  mutate?.(unpacked);
  const commands = readFileSync(path.join(unpacked, 'VERIFY.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('$ '))
    .map((l) => l.slice(2));
  const r = spawnSync('sh', ['-e', '-c', commands.join('\n')], { cwd: unpacked, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const flipByte = (file: string) => {
  const b = readFileSync(file);
  b[Math.floor(b.length / 2)] ^= 0x01;
  writeFileSync(file, b);
};

describe.each(['Ed25519', 'ECDSA P-256'] as const)('verified with stock tools (openssl, sha256sum), %s key', (kind) => {
  const file = path.join(dir, `stock-${kind.replace(/\W/g, '')}.zip`);
  let signer: Signer;
  beforeAll(async () => {
    if (kind === 'Ed25519') signer = new LocalSigner(newSigningKeyPem());
    else {
      // An ECDSA P-256 key signing as AWS KMS does (ECDSA_SHA_256, DER signatures).
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      signer = {
        keyId: keyId(publicKeyPem),
        publicKeyPem,
        algorithm: 'ECDSA_P256_SHA256',
        sign: async (data) => sign('sha256', data, privateKey).toString('base64'),
      };
    }
    await build('sp-api', file, { signer });
  });

  it('the recipe in VERIFY.txt succeeds on the pack as built, and prints the key id', () => {
    const r = stockVerify(file);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain(signer.keyId);
    expect(r.out).toMatch(kind === 'Ed25519' ? /Signature Verified Successfully/ : /Verified OK/);
    expect(r.out).toMatch(/index\.html: OK/);
    expect(r.out).toMatch(/VERIFY\.txt: OK/);
    const sums = Buffer.from(unzipSync(readFileSync(file))['SHA256SUMS']).toString();
    const manifest = JSON.parse(Buffer.from(unzipSync(readFileSync(file))['manifest.json']).toString());
    // every file the manifest lists before SHA256SUMS is in it
    const before = manifest.files
      .map((f: { path: string }) => f.path)
      .slice(
        0,
        manifest.files.findIndex((f: { path: string }) => f.path === 'SHA256SUMS'),
      );
    expect(
      sums
        .trim()
        .split('\n')
        .map((l) => l.split('  ')[1]),
    ).toEqual(before);
    expect(before).toEqual(expect.arrayContaining(['index.html', 'report.pdf', 'VERIFY.txt', 'public-key.pem']));
  });

  it('fails after one byte of a file changes, after SHA256SUMS is edited, and after manifest.json is edited', () => {
    expect(stockVerify(file, (d) => flipByte(path.join(d, 'controls.csv')))).toMatchObject({ status: 1, out: expect.stringMatching(/controls\.csv: FAILED/) });
    expect(stockVerify(file, (d) => flipByte(path.join(d, 'report.pdf'))).status).not.toBe(0);
    // a changed file with its line in SHA256SUMS recomputed: SHA256SUMS no longer matches the signed manifest
    const forged = stockVerify(file, (d) => {
      const f = path.join(d, 'controls.csv');
      writeFileSync(f, readFileSync(f, 'utf8') + 'x\r\n');
      const fresh = execFileSync('sha256sum', ['controls.csv'], { cwd: d, encoding: 'utf8' });
      const sums = readFileSync(path.join(d, 'SHA256SUMS'), 'utf8').replace(/^.* {2}controls\.csv\n/m, fresh);
      writeFileSync(path.join(d, 'SHA256SUMS'), sums);
    });
    expect(forged.status).not.toBe(0);
    // the manifest edited to match: the signature fails
    const edited = stockVerify(file, (d) => {
      const f = path.join(d, 'manifest.json');
      writeFileSync(f, readFileSync(f, 'utf8').replace('"profile": "sp-api"', '"profile": "google"'));
    });
    expect(edited.status, edited.out).not.toBe(0);
    expect(edited.out).not.toMatch(/Verified (Successfully|OK)/);
  });
});

it('a phone number planted in an evidence payload refuses the pack, naming the file and detector', async () => {
  await t.controls!.evidence.append({ controlId: 'storage.s3-encryption', source: 'test', payload: { note: 'buyer called from +91 98450 12345' } });
  const file = path.join(dir, 'refused.zip');
  await expect(build('sp-api', file)).rejects.toThrow(PackRefusedError);
  await expect(build('sp-api', file)).rejects.toThrow(/evidence\/storage.s3-encryption.json holds raw in_phone/);
});

it('through the API: an auditor builds a pack, lists it, downloads it, and it verifies with the served public key', async () => {
  const built = await t.call('/v1/packs', { role: 'auditor', body: { profile: 'google', from: new Date(Date.now() - 86_400_000).toISOString() } });
  expect(built.status).toBe(422); // the planted phone number above is still in the chain for this period
  expect(built.body.error.message).toMatch(/holds raw in_phone/);
  const ok = await t.call('/v1/packs', {
    role: 'auditor',
    body: { profile: 'google', from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() - 60_000).toISOString() },
  });
  expect([ok.status, ok.body.error?.message]).toEqual([201, undefined]);
  expect(ok.body).toMatchObject({ profile: 'google', status: 'ready' });
  const list = await t.call('/v1/packs', { role: 'auditor' });
  expect(list.body.packs.map((p: { status: string }) => p.status).slice(0, 2)).toEqual(['ready', 'refused']);
  const res = await fetch(`${t.url}/v1/packs/${ok.body.id}/download`, { headers: { authorization: `Bearer ${t.keys.auditor}` } });
  expect(res.headers.get('content-type')).toBe('application/zip');
  const file = path.join(dir, 'downloaded.zip');
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const key = await (await fetch(`${t.url}/v1/packs/public-key`)).text();
  expect(key).toMatch(/BEGIN PUBLIC KEY/);
  expect(await verifyPack(file, key)).toMatchObject({ ok: true, keySource: 'given' });
  expect((await t.call('/v1/packs', { role: 'service', body: { profile: 'google' } })).status).toBe(403);
  // A period that ends in the future is refused before anything is built: a pack covers only what has been seen.
  const future = await t.call('/v1/packs', { role: 'auditor', body: { profile: 'google', to: new Date(Date.now() + 86_400_000).toISOString() } });
  expect([future.status, future.body.error.code]).toEqual([400, 'invalid_request']);
  expect(future.body.error.message).toMatch(/ends in the future/);
});
