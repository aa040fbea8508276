import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../controls/collectors/attestations.ts';
import { startControlScheduler } from '../../engine/posture/scheduler.ts';
import { createLogger } from '../../engine/kernel/logger.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const PROD = '111111111111';
function snapshot(versioning: 'Enabled' | 'Suspended') {
  return {
    fileVersion: '1.0',
    configSnapshotId: 'test',
    configurationItems: [
      {
        configurationItemVersion: '1.3',
        awsAccountId: PROD,
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'astrix-prod-uploads',
        resourceName: 'astrix-prod-uploads',
        ARN: 'arn:aws:s3:::astrix-prod-uploads',
        awsRegion: 'ap-south-1',
        configurationItemCaptureTime: new Date().toISOString(),
        tags: { environment: 'production' },
        configuration: {},
        // As the API returns them: supplementary values are JSON strings.
        supplementaryConfiguration: { BucketVersioningConfiguration: JSON.stringify({ status: versioning }) },
      },
      // The account's AWS Config recorder (schema spelling): without it no inventory control can tell what was recorded.
      {
        configurationItemVersion: '1.3',
        awsAccountId: PROD,
        resourceType: 'AWS::Config::ConfigurationRecorder',
        resourceId: 'default',
        resourceName: 'default',
        awsRegion: 'ap-south-1',
        configurationItemCaptureTime: new Date().toISOString(),
        configuration: { Name: 'default', Recording: true, RecordingGroup: { AllSupported: true } },
      },
    ],
  };
}

const reveal = {
  principal: { type: 'User', id: 'asha' },
  action: { id: 'reveal_buyer_pii' },
  resource: { type: 'Order', id: 'o-1001' },
  context: { mfa: true },
};

let t: TestApp;
let dir: string;
let file: string;
let attester: { kid: string; sign(p: object): Promise<string>; jwk: Record<string, unknown> };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tenet-controls-'));
  file = path.join(dir, 'snapshot.json');
  await writeFile(file, JSON.stringify(snapshot('Enabled')));
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  attester = {
    kid: 'k-priya',
    jwk: (await exportJWK(publicKey)) as Record<string, unknown>,
    sign: (p) => new CompactSign(new TextEncoder().encode(JSON.stringify(p))).setProtectedHeader({ alg: 'EdDSA', kid: 'k-priya' }).sign(privateKey),
  };
  t = await startTestApp({
    controls: {
      settings: {
        snapshots: [file],
        integrations: { amazon_spapi: { controls: ['storage.s3-versioning'] } },
        schedules: { 'storage.s3-versioning': '* * * * * *' },
        attestations: { trustedKeys: [{ kid: 'k-priya', subject: 'priya@astrix.example', jwk: attester.jwk }] },
      },
    },
  });
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('control runs, history and evidence', () => {
  it('stores every run with its findings and a hash-chained evidence record; history is paged newest first', async () => {
    const run = await t.call('/v1/controls/run', {
      role: 'security_officer',
      body: { controls: ['storage.s3-versioning', 'storage.s3-encryption', 'webhooks.signature-validation'] },
    });
    expect(run.status).toBe(200);
    const byId = Object.fromEntries(run.body.runs.map((r: { controlId: string }) => [r.controlId, r]));
    expect(byId['storage.s3-versioning'].status).toBe('pass');
    expect(byId['storage.s3-encryption'].status).toBe('fail');
    expect(byId['storage.s3-encryption'].findings[0].message).toMatch(/astrix-prod-uploads has no default server-side encryption/);
    expect(byId['webhooks.signature-validation'].status).toBe('not_applicable');
    await t.call('/v1/controls/run', { role: 'admin', body: { controls: ['storage.s3-versioning'] } });

    const history = await t.call('/v1/controls/storage.s3-versioning/runs?limit=1', { role: 'auditor' });
    expect(history.status).toBe(200);
    expect(history.body.runs).toHaveLength(1);
    const older = await t.call(`/v1/controls/storage.s3-versioning/runs?limit=1&before=${history.body.next}`, { role: 'auditor' });
    expect(Number(older.body.runs[0].id)).toBeLessThan(Number(history.body.runs[0].id));

    const detail = await t.call(`/v1/controls/storage.s3-versioning/runs/${history.body.runs[0].id}`, { role: 'auditor' });
    expect(detail.body.evidence.controlId).toBe('storage.s3-versioning');
    expect(detail.body.evidence.source).toBe('snapshot');
    expect(detail.body.evidence.payload.evidence.items[0].supplementaryConfiguration.BucketVersioningConfiguration.status).toBe('Enabled');
    expect(await t.controls!.evidence.verify()).toMatchObject({ ok: true });

    const list = await t.call('/v1/controls', { role: 'auditor' });
    const enc = list.body.controls.find((c: { id: string }) => c.id === 'storage.s3-encryption');
    expect(enc).toMatchObject({ status: 'fail', frameworks: expect.arrayContaining(['security-addendum:28.9', 'amazon-spapi-dpp:2.4']) });
    expect(list.body.controls.find((c: { id: string }) => c.id === 'identity.admin-mfa').status).toBe('never_run');
    expect((await t.call('/v1/controls/no.such-control/runs', { role: 'auditor' })).status).toBe(404);
  });

  it('the evidence table refuses edits, and an edit that got through would break the chain', async () => {
    await expect(t.database.db.updateTable('evidence_records').set({ source: 'forged' }).where('seq', '=', '1').execute()).rejects.toThrow(/append-only/);
    await expect(t.database.db.deleteFrom('evidence_records').where('seq', '=', '1').execute()).rejects.toThrow(/append-only/);
  });
});

describe('readiness feeds authorization', () => {
  it('a control turning red denies reveal_buyer_pii on an Amazon order within one tick, and green allows it again', async () => {
    const logger = createLogger({ level: 'silent' });
    const scheduler = startControlScheduler({ service: t.controls!, logger, readinessEveryMs: 60_000 });
    const decide = async () => (await t.call('/v1/authorize', { role: 'service', body: reveal })).body;
    const waitFor = async (want: 'allow' | 'deny', withinMs: number) => {
      const started = Date.now();
      for (;;) {
        const d = await decide();
        if (d.decision === want) return { decision: d, ms: Date.now() - started };
        if (Date.now() - started > withinMs) throw new Error(`still ${d.decision} after ${withinMs} ms: ${JSON.stringify(d.reasons)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor('allow', 3_000);
      await writeFile(file, JSON.stringify(snapshot('Suspended')));
      // The schedule ticks every second: the next tick's run turns it red; allow one tick plus the run.
      const red = await waitFor('deny', 2_500);
      expect(red.decision.reasons).toContain('forbid-restricted-integration-not-ready');
      const integrations = await t.call('/v1/integrations', { role: 'auditor' });
      expect(integrations.body.integrations[0]).toMatchObject({ integrationId: 'amazon_spapi', ready: false, blockers: ['storage.s3-versioning is fail'] });
      await writeFile(file, JSON.stringify(snapshot('Enabled')));
      await waitFor('allow', 2_500);
    } finally {
      await scheduler.stop();
    }
  });

  it('an exception requested by one person and approved by another makes the integration ready until revoked; a caller cannot push ready=true itself', async () => {
    await writeFile(file, JSON.stringify(snapshot('Suspended')));
    await t.controls!.runNow(['storage.s3-versioning'], { trigger: 'manual' });
    expect((await t.call('/v1/authorize', { role: 'service', body: reveal })).body.decision).toBe('deny');

    const pushed = await t.call('/v1/entities', {
      method: 'PUT',
      role: 'service',
      body: {
        entities: [
          { uid: { type: 'Integration', id: 'amazon_spapi' }, attrs: { provider: 'amazon_spapi', restricted: true, status: 'live', ready: true }, parents: [] },
        ],
      },
    });
    expect(pushed.status).toBe(200);
    expect((await t.call('/v1/authorize', { role: 'service', body: reveal })).body.decision).toBe('deny');

    const bad = await t.call('/v1/exceptions', {
      role: 'security_officer',
      body: { controlId: 'storage.s3-versioning', reason: 'short', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(bad.status).toBe(400);
    expect(
      (
        await t.call('/v1/exceptions', {
          role: 'auditor',
          body: { controlId: 'storage.s3-versioning', reason: 'migration in progress', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
        })
      ).status,
    ).toBe(403);
    const ex = await t.call('/v1/exceptions', {
      role: 'security_officer',
      body: {
        controlId: 'storage.s3-versioning',
        integrationId: 'amazon_spapi',
        reason: 'Versioning migration CHG-42 in progress',
        ticket: 'CHG-42',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(ex.status).toBe(201);
    expect(ex.body).toMatchObject({ state: 'requested', requestedBy: expect.stringMatching(/test security_officer/), approvedBy: null });
    // A request alone counts for nothing.
    expect((await t.call('/v1/authorize', { role: 'service', body: reveal })).body.decision).toBe('deny');
    const approved = await t.call(`/v1/exceptions/${ex.body.id}/approve`, { method: 'POST', role: 'admin' });
    expect(approved.body).toMatchObject({ state: 'approved', approvedBy: expect.stringMatching(/test admin/) });
    expect((await t.call('/v1/authorize', { role: 'service', body: reveal })).body.decision).toBe('allow');
    const readiness = await t.call('/v1/integrations', { role: 'auditor' });
    expect(readiness.body.integrations[0].controls[0]).toMatchObject({
      controlId: 'storage.s3-versioning',
      status: 'fail',
      satisfied: true,
      exception: { reason: 'Versioning migration CHG-42 in progress' },
    });

    expect((await t.call(`/v1/exceptions/${ex.body.id}`, { method: 'DELETE', role: 'security_officer' })).status).toBe(200);
    expect((await t.call('/v1/authorize', { role: 'service', body: reveal })).body.decision).toBe('deny');
    const all = await t.call('/v1/exceptions?all=true', { role: 'auditor' });
    expect(all.body.exceptions[0]).toMatchObject({ id: ex.body.id, active: false, revokedBy: expect.stringMatching(/security_officer/) });
  });
});

describe('attestations', () => {
  const payload = (over: object = {}) => ({
    documentId: 'runbook.secrets-rotation',
    title: 'Secrets rotation runbook',
    attestedBy: 'priya@astrix.example',
    attestedAt: new Date(Date.now() - 86_400_000).toISOString(),
    expiresAt: new Date(Date.now() + 300 * 86_400_000).toISOString(),
    digest: sha256Hex('the runbook text'),
    ...over,
  });

  it('accepts a signed attestation by a trusted key, rejects a forged or mis-attributed one, and the control reads it', async () => {
    const ok = await t.call('/v1/attestations', { role: 'security_officer', body: { jws: await attester.sign(payload()) } });
    expect(ok.status).toBe(201);
    const jws = await attester.sign(payload());
    const [h, p] = jws.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(payload({ attestedBy: 'priya@astrix.example', title: 'edited' }))).toString('base64url')}.${jws.split('.')[2]}`;
    const r1 = await t.call('/v1/attestations', { role: 'security_officer', body: { jws: forged } });
    expect(r1.status).toBe(400);
    expect(r1.body.error.message).toMatch(/signature does not verify/);
    expect(p).toBeTruthy();
    const r2 = await t.call('/v1/attestations', {
      role: 'security_officer',
      body: { jws: await attester.sign(payload({ attestedBy: 'mallory@astrix.example' })) },
    });
    // Refused as mis-attributed; the e-mail addresses are masked like every error body's personal data.
    expect(r2.status).toBe(400);
    expect(r2.body.error.message).toMatch(/which belongs to \S+, not \S+/);
    expect(r2.body.error.message).not.toContain('mallory@astrix.example');
    expect((await t.call('/v1/attestations', { role: 'auditor', body: { jws: await attester.sign(payload()) } })).status).toBe(403);

    const [run] = await t.controls!.runNow(['governance.runbooks'], { trigger: 'manual' });
    expect(run.status).toBe('fail');
    expect(run.findings.map((f) => f.message)).toEqual(['runbook runbook.data-deletion-export has no signed attestation']);
  });
});
