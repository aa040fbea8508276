import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../controls/collectors/attestations.ts';
import { responseProblems } from '../../engine/http/pipeline.ts';
import { openApiDocument } from '../../engine/main/commands/openapi.ts';
import { defineRoute, type RouteDef } from '../../engine/http/route.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Every route answers a real, successful request, and its answer fits the schema it declares: checked here from
// the outside, and inside the pipeline (tests run with checkResponses on: a mismatch is a 500 naming the fields).

const PROD = '111111111111';
const snapshot = {
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
      supplementaryConfiguration: { BucketVersioningConfiguration: JSON.stringify({ status: 'Enabled' }) },
    },
  ],
};

const TEMPLATE = '@id("client-may-read-report")\npermit (principal == ?principal, action == Action::"read", resource == ?resource);\n';
const ref = (type: string, id: string) => ({ __entity: { type, id } });
const decide = { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } };

let t: TestApp;
let dir: string;
let sign: (payload: object) => Promise<string>;
/** Each route's successful answers: `METHOD path` of the route → the statuses seen. */
const answered = new Map<RouteDef, number[]>();
const mismatches: string[] = [];

/** The route Express would pick for a request: the first whose method and path match, in mount order. */
function routeOf(method: string, url: string): RouteDef | undefined {
  const pathname = url.split('?')[0];
  return [...t.app.opsRoutes, ...t.app.routes].find(
    (r) => r.method === method.toLowerCase() && new RegExp(`^${r.path.replace(/:[A-Za-z_]+/g, '[^/]+')}$`).test(pathname),
  );
}

/** A request whose answer is recorded against its route and checked against the route's declared schema. */
async function call(url: string, init: { method?: string; body?: unknown; role?: 'admin' | 'service'; headers?: Record<string, string> } = {}) {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const res = await fetch(t.url + url, {
    method,
    headers: {
      ...(init.headers?.cookie ? {} : { authorization: `Bearer ${t.keys[init.role ?? 'admin']}` }),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const route = routeOf(method, url);
  expect(route, `${method} ${url}: no route`).toBeDefined();
  expect(res.status, `${method} ${url}: ${text.slice(0, 2000)}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `${method} ${url}: ${text.slice(0, 2000)}`).toBeLessThan(300);
  if (route && !route.raw) {
    const problems = responseProblems(route, text ? JSON.parse(text) : undefined, text || undefined);
    if (problems.length) mismatches.push(`${method} ${route.path}: ${problems.join('; ')}`);
  }
  if (route) answered.set(route, [...(answered.get(route) ?? []), res.status]);
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* a download */
  }
  return { status: res.status, body, headers: res.headers };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tenet-response-schemas-'));
  const file = path.join(dir, 'snapshot.json');
  await writeFile(file, JSON.stringify(snapshot));
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = (await exportJWK(publicKey)) as Record<string, unknown>;
  sign = (p) => new CompactSign(new TextEncoder().encode(JSON.stringify(p))).setProtectedHeader({ alg: 'EdDSA', kid: 'k-priya' }).sign(privateKey);
  t = await startTestApp({
    controls: {
      settings: {
        snapshots: [file],
        integrations: { amazon_spapi: { controls: ['storage.s3-versioning'] } },
        attestations: { trustedKeys: [{ kid: 'k-priya', subject: 'priya@astrix.example', jwk }] },
      },
    },
    auth: { demoSignIn: true },
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('response schemas', () => {
  it('every route declares what it answers: a JSON schema, no body, or (raw routes) its content type', () => {
    const missing = [...t.app.opsRoutes, ...t.app.routes]
      .filter((r) => (r.raw ? r.produces === undefined : r.response === undefined))
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing, 'routes without a declared response').toEqual([]);
  });

  it('`tenet openapi` (what the console types are generated from) describes exactly the routes the server serves', async () => {
    // The command builds the route list without a server; this catches a route group mounted in one place only.
    const served = await (await fetch(`${t.url}/openapi.json`)).json();
    const described = openApiDocument() as { info: { version: string } };
    expect({ ...described, info: { ...described.info, version: served.info.version } }).toEqual(served);
  });

  it('every route answers a successful request with what it declares', async () => {
    // Operations
    await call('/healthz');
    await call('/readyz');
    await call('/metrics');
    await call('/openapi.json');

    // Authorization and entities
    await call('/v1/authorize', { role: 'service', body: decide });
    await call('/v1/authorize/batch', { role: 'service', body: { requests: [decide, { ...decide, action: { id: 'export' } }] } });
    await call('/v1/authorize/plan', { role: 'service', body: { principal: decide.principal, action: decide.action, resourceType: 'Order' } });
    const report = {
      uid: { type: 'Report', id: 'rep-schemas-1' },
      attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'kora-home'), integration: ref('Integration', 'meta_ads') },
      parents: [{ type: 'Client', id: 'kora-home' }],
    };
    await call('/v1/entities', {
      method: 'PUT',
      role: 'service',
      body: { entities: [report, { uid: { type: 'User', id: 'ext-schemas' }, attrs: {}, parents: [] }] },
    });
    await call('/v1/entities?type=Order&limit=5');
    await call('/v1/entities/Report/rep-schemas-1');

    // Policies
    const policies = await call('/v1/policies');
    const platform = policies.body.policySets.find((s: { name: string }) => s.name === 'platform');
    await call('/v1/policies/validate', { body: { name: 'platform', policies: platform.policies, schema: platform.schema } });
    await call('/v1/policies', {
      method: 'PUT',
      body: { name: 'platform', policies: `${platform.policies}\n${TEMPLATE}`, schema: platform.schema, comment: 'a template' },
    });
    const link = await call('/v1/policies/links', {
      body: {
        name: 'platform',
        templateId: 'client-may-read-report',
        values: { principal: { type: 'User', id: 'ext-schemas' }, resource: { type: 'Report', id: 'rep-schemas-1' } },
      },
    });
    await call('/v1/policies/links?name=platform');
    await call(`/v1/policies/links/platform/${encodeURIComponent(link.body.id)}`, { method: 'DELETE' });
    await call('/v1/policies/try', { body: { ...decide, policies: platform.policies } });
    await call('/v1/policies/try', { body: decide });

    // Audit
    await call('/v1/authorize', { role: 'service', body: { ...decide, action: { id: 'reveal_buyer_pii' }, context: { mfa: true } } });
    await t.authz.decisionLog.flush();
    await call('/v1/decisions?limit=2');
    await call('/v1/pii-reveals?limit=2');
    await call('/v1/pii-reveals/export');
    await call('/v1/decisions?set=tenet&limit=2');
    await call('/v1/decisions/export?set=platform&limit=10');

    // API keys
    await call('/v1/api-keys');
    const made = await call('/v1/api-keys', { body: { name: 'schemas', role: 'auditor' } });
    await call(`/v1/api-keys/${made.body.info.id}`, { method: 'DELETE' });

    // Controls
    const run = await call('/v1/controls/run', { body: { controls: ['storage.s3-versioning'] } });
    await call('/v1/controls');
    await call('/v1/posture/history?days=7');
    await call('/v1/settings');
    await call('/v1/controls/storage.s3-versioning');
    await call('/v1/controls/storage.s3-versioning/runs?limit=1');
    const runId = run.body.runs?.[0]?.id ?? run.body.runs?.[0]?.runId;
    await call(`/v1/controls/storage.s3-versioning/runs/${runId}`);
    await call('/v1/integrations');
    await call('/v1/programmes');
    await call('/v1/programmes/amazon-spapi-dpp');
    await call('/v1/programmes/google-limited-use-casa?from=2026-01-01T00:00:00Z');
    // Requested by the security officer's key, decided by the administrator's (four eyes).
    const officer = { authorization: `Bearer ${t.keys.security_officer}` };
    const exceptionBody = {
      controlId: 'storage.s3-versioning',
      integrationId: 'amazon_spapi',
      reason: 'schema test',
      ticket: 'CHG-1',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const exception = await call('/v1/exceptions', { body: exceptionBody, headers: officer });
    await call(`/v1/exceptions/${exception.body.id}/approve`, { method: 'POST' });
    const refused = await call('/v1/exceptions', { body: exceptionBody, headers: officer });
    await call(`/v1/exceptions/${refused.body.id}/reject`, { body: { reason: 'schema test rejection' } });
    await call('/v1/exceptions?all=true');
    await call(`/v1/exceptions/${exception.body.id}`, { method: 'DELETE' });
    await call('/v1/deployments', { body: { version: 'schemas-1' } });
    const jws = await sign({
      documentId: 'runbook.secrets-rotation',
      title: 'Secrets rotation runbook',
      attestedBy: 'priya@astrix.example',
      attestedAt: new Date(Date.now() - 86_400_000).toISOString(),
      expiresAt: new Date(Date.now() + 300 * 86_400_000).toISOString(),
      digest: sha256Hex('the runbook text'),
    });
    await call('/v1/attestations', { body: { jws } });
    await call('/v1/attestations');

    // Scan reports
    await call('/v1/evidence/scan-reports', {
      body: { kind: 'pentest', format: 'summary', report: { tool: 'schema test', findings: [{ id: 'PT-1', severity: 'low', status: 'open' }] } },
    });
    await call('/v1/evidence/scan-reports');

    // Packs
    await call('/v1/packs/public-key');
    await call('/v1/packs/public-keys');
    const built = await call('/v1/packs', { body: { profile: 'google' } });
    await call('/v1/packs', { body: { profile: 'google', wait: false } });
    await call('/v1/packs');
    await call(`/v1/packs/${built.body.id}`);
    await call(`/v1/packs/${built.body.id}/download`);
    const review = await call('/v1/access-review');
    const certified = await call('/v1/access-review/certifications', {
      body: { decisions: review.body.grants.map((g: object) => ({ ...g, decision: 'keep' })), note: 'schema test' },
    });
    await call('/v1/access-review/certifications');
    await call('/v1/access-review/certifications/latest');
    await call(`/v1/access-review/certifications/${certified.body.id}`);

    // Incidents
    const incident = await call('/v1/incidents', {
      body: { title: 'schema test', severity: 'low', detectedAt: new Date().toISOString(), integrations: ['amazon_spapi'], credentials: ['LWA secret'] },
    });
    const inc = `/v1/incidents/${incident.body.id}`;
    await call('/v1/incidents');
    await call(inc);
    await call(`${inc}/steps/2`, { body: {} });
    await call(`${inc}/notifications/amazon`, { body: { reference: 'AMZ-1' } });
    await call(`${inc}/rotations`, { body: { credential: 'webhook secret' } });
    await call(`${inc}/rotations/${incident.body.rotations[0].id}/done`, { method: 'POST' });
    await call(`${inc}/evidence`, { method: 'POST' });
    await call(`${inc}/review`, { body: { summary: 'schema test', lessons: 'none' } });
    await call(`${inc}/close`, { method: 'POST' });

    // The console's session: options, demo sign-in, the session, sign-out (cookie and CSRF token)
    await call('/v1/session/options');
    const signIn = await call('/v1/session', { body: { demoRole: 'auditor' } });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    await call('/v1/session', { headers: { cookie } });
    await call('/v1/session', { method: 'DELETE', headers: { cookie, 'x-csrf-token': signIn.body.csrfToken } });

    // Deletes last: the entity the link and the policy referred to.
    await call('/v1/entities/User/ext-schemas', { method: 'DELETE', role: 'service' });

    expect(mismatches, 'answers that do not fit their declared schema').toEqual([]);
    const unanswered = [...t.app.opsRoutes, ...t.app.routes].filter((r) => !answered.has(r)).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(unanswered, 'routes no successful request reached').toEqual([]);
  }, 180_000);

  it('an answer with a field its schema does not declare, or of the wrong type, is a 500 naming the field (tests run with the check on)', async () => {
    const app = await startTestApp({
      extraRoutes: () => [
        defineRoute({
          method: 'get',
          path: '/v1/test/extra-field',
          summary: 'test',
          tag: 'Test',
          gate: 'authenticated',
          response: z.object({ ok: z.boolean() }),
          handler: () => ({ ok: true, secret: 'x' }),
        }),
        defineRoute({
          method: 'get',
          path: '/v1/test/wrong-type',
          summary: 'test',
          tag: 'Test',
          gate: 'authenticated',
          response: z.object({ at: z.string().nullable() }),
          handler: () => ({ at: 5 }),
        }),
      ],
    });
    try {
      const extra = await app.call('/v1/test/extra-field', { role: 'auditor' });
      expect(extra.status).toBe(500);
      expect(extra.body.error.code).toBe('response_schema_mismatch');
      expect(extra.body.error.details).toEqual(['secret: not declared in the response schema']);
      const wrong = await app.call('/v1/test/wrong-type', { role: 'auditor' });
      expect(wrong.status).toBe(500);
      expect(wrong.body.error.details[0]).toMatch(/^at: /);
    } finally {
      await app.close();
    }
  });
});
