import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { unzipSync, zipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verify } from '../../engine/main/commands/pack.ts';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { parseControlSettings } from '../../controls/settings.ts';
import { buildDemoSnapshot, demoAttestations, demoAttester } from '../../engine/demo/demo-environment.ts';
import { AttestationStore } from '../../engine/posture/attestation-store.ts';
import { sql } from 'kysely';
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
  attestations: { trustedKeys: [] as Array<{ kid: string; subject: string; jwk: unknown }> },
  probes: { allowedHosts: ['52.95.110.1:443'] },
  packs: {
    organisation: 'Astrix',
    google: { scopes: [{ scope: 'https://www.googleapis.com/auth/spreadsheets', justification: 'Write the reports a client asks for into their own sheet.' }] },
  },
};

beforeAll(async () => {
  writeFileSync(settings.snapshots[0], JSON.stringify(buildDemoSnapshot()));
  // The demo's signed runbooks and its approved exception for the backfill on Amazon SP-API.
  const attester = await demoAttester(dir);
  settings.attestations.trustedKeys = [{ kid: attester.kid, subject: attester.subject, jwk: attester.publicJwk }];
  t = await startTestApp({ controls: { settings } });
  const store = new AttestationStore(t.database.db, parseControlSettings(settings).attestations.trustedKeys);
  for (const jws of await demoAttestations(attester)) await store.add(jws, 'packs test');
  await t.controls!.runNow([...CONTROLS_BY_ID.keys()], { trigger: 'manual' });
  await approvedException({
    control_id: 'pii.redaction-backfill',
    integration_id: 'amazon_spapi',
    reason: 'Backfill job BF-112 is redacting the three legacy orders; done within the week.',
    approved_by: 'security officer',
  });
});

/** An approved exception, as the register holds one (with the request's fields once exception governance is there). */
async function approvedException(row: { control_id: string; integration_id: string | null; reason: string; approved_by: string }) {
  const id = randomUUID();
  const db = t.database.db;
  await db
    .insertInto('control_exceptions')
    .values({ id, ...row, expires_at: new Date(Date.now() + 7 * 86_400_000) })
    .execute();
  const columns = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'control_exceptions' AND column_name = 'state'`.execute(db);
  if (Number(columns.rows[0].n))
    await sql`UPDATE control_exceptions SET state = 'approved', approved_at = now(), requested_by = 'platform lead', ticket = 'SEC-112' WHERE id = ${id}`.execute(
      db,
    );
  return id;
}
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function build(profile: PackProfile, file: string, opts: { signer?: Signer; internal?: boolean } = {}) {
  const deps = await makePackDeps({
    db: t.database.db,
    authz: t.authz,
    settings: parseControlSettings(settings),
    catalogue: CONTROLS_BY_ID,
    keys: { signer: opts.signer ?? new LocalSigner(newSigningKeyPem()), scannerSecret: 'packs-test-secret-0123456789abcdef01' },
  });
  const out = createWriteStream(file);
  return buildPack(deps, { profile, from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 1000), out, internal: opts.internal });
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

  it('holds the exception register, the attestations with their JWS, coverage, and the Cedar policy; times in UTC', async () => {
    const text = (name: string) => Buffer.from(entries[name]).toString();
    const html = text('index.html');
    const exceptions = JSON.parse(text('exceptions.json'));
    if (profile === 'sp-api') {
      // The demo's Amazon readiness rests on the backfill exception: on the cover, in the register, in the file.
      // the control's own status at the period end, as controls.csv reports it
      const status = text('controls.csv').match(/^pii\.redaction-backfill,[^,]*,(\w+),/m)![1];
      expect(exceptions).toEqual([
        expect.objectContaining({
          controlId: 'pii.redaction-backfill',
          integrationId: 'amazon_spapi',
          approvedBy: 'security officer',
          inForceAtEnd: true,
          controlStatus: status,
        }),
      ]);
      expect(html).toMatch(
        /<p class="notice" role="note">[^<]*Exceptions in force at the period end: pii.redaction-backfill \(amazon_spapi\) is [a-z ]+ and counts as satisfied under an exception approved by security officer until \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
      );
      expect(html).toContain('Backfill job BF-112');
      // who asked, under which ticket, who approved, from when until when
      expect(exceptions[0]).toMatchObject({ requestedBy: 'platform lead', ticket: 'SEC-112', from: expect.any(String), expiresAt: expect.any(String) });
      expect(html).toMatch(
        /<td>pii\.redaction-backfill<\/td><td>amazon_spapi<\/td><td>platform lead<\/td><td>[^<]*BF-112[^<]*<\/td><td>SEC-112<\/td><td>security officer<\/td>/,
      );
    } else {
      // An Amazon integration's exception is not a Google reviewer's business.
      expect(exceptions).toEqual([]);
      expect(html).not.toMatch(/amazon-spapi-dpp|amazon_spapi|security-addendum|BF-112/i);
      expect(text('controls.csv')).not.toMatch(/amazon|security-addendum/i);
      expect(text('oscal/assessment-results.json')).not.toMatch(/amazon|security-addendum/i);
    }
    // Attestations: signer, document hash, dates, key id, and the JWS itself, which verifies with the key in the pack.
    const keys = JSON.parse(text('attestations/trusted-keys.json')).keys;
    for (const doc of ['runbook.data-deletion-export']) {
      const jws = text(`attestations/${doc}.jws`).trim();
      const { payload } = await compactVerify(jws, await importJWK(keys[0].jwk, 'EdDSA'));
      const claims = JSON.parse(Buffer.from(payload).toString());
      expect(html).toContain(claims.digest);
      expect(html).toContain(`${claims.attestedAt.slice(0, 10)} 09:00 UTC`);
      expect(html).toContain(keys[0].kid);
    }
    // A requirement's attestation says who signed what, when, until when, and where its JWS is.
    expect(html).toMatch(
      /<li>Secrets rotation runbook \(runbook\.secrets-rotation\): signed by [^<]+ on \d{4}-\d\d-\d\d 09:00 UTC, valid until \d{4}-\d\d-\d\d 09:00 UTC, document sha256 [0-9a-f]{64}, key [^;]+; attestations\/runbook\.secrets-rotation\.jws<\/li>/,
    );
    if (profile === 'sp-api') expect(html).toContain('runbook.incident-response: no signed attestation in force at the period end');
    // Coverage: every control's runs, and the warning that one morning of runs does not cover the period.
    expect(html).toMatch(/<p class="notice" role="note">Evidence covers less than a minute of the 24-hour period/);
    expect(html).toContain('Evidence coverage');
    // OSCAL: the results import the plan that is in the pack; every failing requirement has a risk and a POA&M item.
    const ar = JSON.parse(text('oscal/assessment-results.json'))['assessment-results'];
    expect(entries[`oscal/${ar['import-ap'].href}`]).toBeDefined();
    expect(JSON.parse(text('oscal/assessment-plan.json'))['assessment-plan'].uuid).toMatch(/^[0-9a-f-]{36}$/);
    const risks = ar.results[0].risks ?? [];
    const failing = ar.results[0].findings.filter((f: { target: { status: { state: string } } }) => f.target.status.state === 'not-satisfied').length;
    expect(risks.length).toBeGreaterThan(0);
    expect(risks.length).toBeLessThanOrEqual(failing);
    const poam = JSON.parse(text('oscal/poam.json'))['plan-of-action-and-milestones'];
    expect(poam['poam-items'].map((i: { 'related-risks': Array<{ 'risk-uuid': string }> }) => i['related-risks'][0]['risk-uuid'])).toEqual(
      risks.map((r: { uuid: string }) => r.uuid),
    );
    // The policy in force, as text, with its history.
    expect(text('policies/active.cedar')).toMatch(/permit\s*\(/);
    expect(html).toMatch(/Cedar policy set in force at the period end is version \d+/);
    // People read UTC to the minute; no raw ISO timestamps in the report.
    expect(html.match(/.{0,80}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.{0,20}/)?.[0]).toBeUndefined();
    // The reviewer's edition has no remediation notes.
    expect(html).not.toMatch(/Remediation/);
  });
});

/**
 * The VERIFY.txt recipe, run as written: the pack unpacked (as any unzip tool would), then every "$ " line of
 * VERIFY.txt by `sh -e` with the real openssl and sha256sum. Returns the exit status and output.
 */
function stockVerify(zip: string, mutate?: (dir: string) => void): { status: number | null; out: string } {
  const unpacked = mkdtempSync(path.join(dir, 'unpacked-'));
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zip)))) {
    mkdirSync(path.dirname(path.join(unpacked, name)), { recursive: true });
    writeFileSync(path.join(unpacked, name), bytes);
  }
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

it('an empty install: the pack says on its cover that no control ran in the 90-day period, and still verifies', async () => {
  const empty = await startTestApp({ controls: { settings: { packs: { organisation: 'Empty' } } } });
  try {
    const deps = await makePackDeps({
      db: empty.database.db,
      authz: empty.authz,
      settings: parseControlSettings({ packs: { organisation: 'Empty' } }),
      catalogue: CONTROLS_BY_ID,
      keys: { signer: new LocalSigner(newSigningKeyPem()), scannerSecret: 'packs-test-secret-0123456789abcdef01' },
    });
    const file = path.join(dir, 'empty.zip');
    await buildPack(deps, { profile: 'sp-api', from: new Date(Date.now() - 90 * 86_400_000), to: new Date(), out: createWriteStream(file) });
    const entries = unzipSync(readFileSync(file));
    const html = Buffer.from(entries['index.html']).toString();
    expect(html).toContain('<p class="notice" role="note">No control ran in the period: this pack holds no evidence for its 90-day period.</p>');
    expect(html).toContain('No signed attestation was in force at any time in the period.');
    expect(html).toContain('No exception was in force at any time in the period');
    expect(entries['attestations/trusted-keys.json']).toBeUndefined();
    expect(await verifyPack(file)).toMatchObject({ ok: true });
    expect(stockVerify(file).status).toBe(0);
  } finally {
    await empty.close();
  }
});

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

it('the internal edition adds the remediation appendix (and says so); the reviewer edition has none', async () => {
  const reviewer = path.join(dir, 'reviewer.zip');
  const internal = path.join(dir, 'internal.zip');
  await build('sp-api', reviewer);
  await build('sp-api', internal, { internal: true });
  const text = (file: string, name: string) => Buffer.from(unzipSync(readFileSync(file))[name]).toString();
  expect(text(reviewer, 'index.html')).not.toMatch(/Internal appendix|Remediation/);
  expect(JSON.parse(text(reviewer, 'manifest.json')).internal).toBeUndefined();
  const html = text(internal, 'index.html');
  expect(html).toContain('Internal appendix: remediation');
  expect(html).toContain('Internal edition:');
  // every control that fails has its remediation note in the appendix
  const failing = [...text(internal, 'controls.csv').matchAll(/^([a-z0-9.-]+),[^,]*,fail,/gm)].map((m) => m[1]);
  expect(failing.length).toBeGreaterThan(0);
  for (const id of failing) expect(html).toContain(escapeHtml(CONTROLS_BY_ID.get(id)!.remediation.slice(0, 40)));
  expect(JSON.parse(text(internal, 'manifest.json')).internal).toBe(true);
  // tenet verify says which edition it checked
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
  try {
    expect(await verify([internal])).toBe(0);
    expect(await verify([reviewer])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  expect(printed[0]).toMatch(/: valid — \d+ files match the signed manifest \(sp-api, internal edition: not for a reviewer, /);
  expect(printed.find((l) => l.startsWith(reviewer))).not.toMatch(/internal/);
});

it("names the organisation's people (an approver, a requester, a reviewer an evidence record quotes, a user whose id is an e-mail address) and the hosts it probes", async () => {
  // real people's names, as an OpenID Connect sign-in gives them; the scanner finds such names in free text
  const id = await approvedException({
    control_id: 'storage.s3-encryption',
    integration_id: 'amazon_spapi',
    reason: 'The bucket moves to the new KMS key this week.',
    approved_by: 'Priya Sharma',
  });
  await sql`UPDATE control_exceptions SET requested_by = 'John Oliver (user 00u2efgh)' WHERE id = ${id}`.execute(t.database.db);
  await t.controls!.evidence.append({
    controlId: 'storage.s3-encryption',
    source: 'test',
    payload: { note: 'key policy reviewed by Priya Sharma (user 00u1abcd)' },
  });
  // a platform user known by an e-mail address (as many identity providers name them), who may reveal buyer PII
  const user = {
    uid: { type: 'User', id: 'priya.sharma@astrix.example' },
    attrs: { agency: { __entity: { type: 'Agency', id: 'northwind' } } },
    parents: [
      { type: 'Role', id: 'agency_admin' },
      { type: 'Agency', id: 'northwind' },
    ],
  };
  expect((await t.call('/v1/entities', { method: 'PUT', role: 'service', body: { entities: [user] } })).status).toBe(200);
  // an endpoint configured by its public IP address: the organisation's server, not a visitor's address
  await t.controls!.evidence.append({
    controlId: 'network.tls-versions',
    source: 'test',
    payload: { endpoint: '52.95.110.1:443', accepted: ['TLSv1.2', 'TLSv1.3'] },
  });
  const file = path.join(dir, 'people.zip');
  await build('sp-api', file);
  expect(await verifyPack(file)).toMatchObject({ ok: true, problems: [] });
  const entries = unzipSync(readFileSync(file));
  const text = (name: string) => Buffer.from(entries[name]).toString();
  expect(JSON.parse(text('exceptions.json')).find((e: { id: string }) => e.id === id)).toMatchObject({
    approvedBy: 'Priya Sharma',
    requestedBy: 'John Oliver (user 00u2efgh)',
  });
  expect(text('index.html')).toContain('approved by Priya Sharma until');
  expect(text('evidence/storage.s3-encryption.json')).toContain('reviewed by Priya Sharma (user 00u1abcd)');
  expect(text('evidence/network.tls-versions.json')).toContain('52.95.110.1:443');
  expect(text('index.html')).toMatch(/<td>priya\.sharma@astrix\.example<\/td><td>agency_admin<\/td>/);
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
  expect(ok.body.internal).toBe(false);
  // The internal edition says so in the list and in the file name it downloads as.
  const period = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() - 60_000).toISOString() };
  const internal = await t.call('/v1/packs', { role: 'auditor', body: { profile: 'google', ...period, internal: true } });
  expect([internal.status, internal.body.internal]).toEqual([201, true]);
  const got = await fetch(`${t.url}/v1/packs/${internal.body.id}/download`, { headers: { authorization: `Bearer ${t.keys.auditor}` } });
  expect(got.headers.get('content-disposition')).toMatch(/tenet-google-internal-/);
  expect((await t.call('/v1/packs', { role: 'auditor', body: { profile: 'google', internal: 'yes' } })).status).toBe(400);
  // A period that ends in the future is refused before anything is built: a pack covers only what has been seen.
  const future = await t.call('/v1/packs', { role: 'auditor', body: { profile: 'google', to: new Date(Date.now() + 86_400_000).toISOString() } });
  expect([future.status, future.body.error.code]).toEqual([400, 'invalid_request']);
  expect(future.body.error.message).toMatch(/ends in the future/);
});
