import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthz, type Authz } from '../../engine/authz/create-authz.ts';
import { generatedLinkId } from '../../engine/authz/policy-links.ts';
import { loadConfig } from '../../engine/kernel/config.ts';
import { createLogger } from '../../engine/kernel/logger.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Template links through the API: per-tenant grants added and removed at runtime, without a new policy version,
// served at once on the replica that wrote them and by another replica (a second authz on the same database) at
// its next refresh.
const TEMPLATE =
  '@id("client-may-read-report")\npermit (principal == ?principal, action == Action::"read", resource == ?resource);\n' +
  '@id("may-read-kora-reports")\npermit (principal == ?principal, action == Action::"read", resource is Report in Client::"kora-home");\n';
const ref = (type: string, id: string) => ({ __entity: { type, id } });
const report = (id: string) => ({
  uid: { type: 'Report', id },
  attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'kora-home'), integration: ref('Integration', 'meta_ads') },
  parents: [{ type: 'Client', id: 'kora-home' }],
});
const outsider = (id: string) => ({ uid: { type: 'User', id }, attrs: {}, parents: [] });
const user = (id: string) => ({ type: 'User', id });
const rep = (id: string) => ({ type: 'Report', id });

let t: TestApp;
let replica: Authz;
let base: { policies: string; schema: string };

beforeAll(async () => {
  t = await startTestApp();
  // An auditor outside every agency and client: no policy of the shipped set lets them read anything.
  const put = await t.call('/v1/entities', {
    method: 'PUT',
    role: 'service',
    body: { entities: [outsider('ext-auditor'), outsider('ext-other'), report('rep-links-1'), report('rep-links-2')] },
  });
  expect(put.status).toBe(200);
  base = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];
  const withTemplate = await t.call('/v1/policies', {
    method: 'PUT',
    role: 'admin',
    body: { name: 'platform', policies: base.policies + '\n' + TEMPLATE, schema: base.schema },
  });
  expect(withTemplate.status, JSON.stringify(withTemplate.body)).toBe(200);
  const config = loadConfig({ LOG_LEVEL: 'silent', TENET_ENTITY_REFRESH_MS: '200' });
  replica = await createAuthz({ db: t.database.db, logger: createLogger({ level: 'silent' }), config, policyDir: SHIPPED_POLICY_DIR });
}, 60_000);
afterAll(async () => {
  await replica?.close();
  await t?.close();
});

const authorize = (principal: string, resource: string) =>
  t.call('/v1/authorize', { role: 'service', body: { principal: user(principal), action: { id: 'read' }, resource: rep(resource) } });
const onReplica = (principal: string, resource: string) =>
  replica.platform.authorize({ principal: user(principal), action: { id: 'read' }, resource: rep(resource) });
const link = (body: Record<string, unknown>, role: 'admin' | 'security_officer' | 'auditor' = 'admin') =>
  t.call('/v1/policies/links', { method: 'POST', role, body });
const grant = { name: 'platform', templateId: 'client-may-read-report', values: { principal: user('ext-auditor'), resource: rep('rep-links-1') } };

describe('template links (per-tenant grants)', () => {
  it('a link allows exactly its principal on its resource, named by its id; another replica serves it after a refresh; removal denies again', async () => {
    expect((await authorize('ext-auditor', 'rep-links-1')).body.decision).toBe('deny');
    expect(onReplica('ext-auditor', 'rep-links-1').decision).toBe('deny');

    const created = await link(grant);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = 'client-may-read-report:ext-auditor:rep-links-1';
    expect(created.body).toMatchObject({
      name: 'platform',
      id,
      templateId: 'client-may-read-report',
      values: grant.values,
      createdBy: expect.stringContaining('test admin'),
    });

    const listed = await t.call('/v1/policies/links?name=platform', { role: 'security_officer' });
    expect(listed.status).toBe(200);
    expect(listed.body.links.map((l: { id: string }) => l.id)).toEqual([id]);

    // Read-your-writes on the replica that wrote it.
    const allowed = await authorize('ext-auditor', 'rep-links-1');
    expect(allowed.body).toMatchObject({ decision: 'allow', reasons: [id], errors: [] });
    expect((await authorize('ext-auditor', 'rep-links-2')).body.decision).toBe('deny');
    expect((await authorize('ext-other', 'rep-links-1')).body.decision).toBe('deny');
    // The decision names the set served: the version and its links.
    const policies = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];
    expect(allowed.body.policyHash).toBe(policies.hash);
    expect(policies.links).toBe(1);
    expect(policies.hash).not.toBe(policies.versions[0].hash);

    // Another replica: not until it refreshes.
    expect(onReplica('ext-auditor', 'rep-links-1').decision).toBe('deny');
    await replica.policyStore.refresh();
    expect(onReplica('ext-auditor', 'rep-links-1')).toMatchObject({ decision: 'allow', reasons: [id], policyHash: allowed.body.policyHash });
    expect(onReplica('ext-other', 'rep-links-1').decision).toBe('deny');

    const removed = await t.call(`/v1/policies/links/platform/${encodeURIComponent(id)}`, { method: 'DELETE', role: 'security_officer' });
    expect(removed.status).toBe(204);
    expect((await authorize('ext-auditor', 'rep-links-1')).body).toMatchObject({ decision: 'deny', reasons: [] });
    expect((await t.call('/v1/policies/links?name=platform', { role: 'admin' })).body.links).toEqual([]);
    expect(onReplica('ext-auditor', 'rep-links-1').decision).toBe('allow');
    await replica.policyStore.refresh();
    expect(onReplica('ext-auditor', 'rep-links-1').decision).toBe('deny');

    expect((await t.call(`/v1/policies/links/platform/${encodeURIComponent(id)}`, { method: 'DELETE', role: 'admin' })).status).toBe(404);
    // A removed link's id may be linked again.
    expect((await link(grant)).status).toBe(201);
    expect((await t.call(`/v1/policies/links/platform/${encodeURIComponent(id)}`, { method: 'DELETE', role: 'admin' })).status).toBe(204);
  });

  it('refuses bad links with 400 and a clear message, storing nothing', async () => {
    const refused = async (body: Record<string, unknown>, message: RegExp) => {
      const res = await link(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    };
    await refused({ ...grant, templateId: 'no-such-template' }, /no template "no-such-template".*client-may-read-report, may-read-kora-reports/);
    await refused({ ...grant, values: { principal: user('ext-auditor') } }, /\?resource slot: values\.resource is required/);
    await refused({ ...grant, templateId: 'may-read-kora-reports' }, /has no \?resource slot: values\.resource must be absent/);
    await refused({ ...grant, newId: 'forbid-cross-agency' }, /"forbid-cross-agency" is the id of a policy/);
    await refused({ ...grant, newId: 'client-may-read-report' }, /is the id of a policy or template/);
    // A type no action takes as a resource (Agency), and a principal of a resource type (Report).
    await refused({ ...grant, values: { principal: user('ext-auditor'), resource: { type: 'Agency', id: 'northwind' } } }, /Agency/);
    await refused({ ...grant, values: { principal: rep('rep-links-1'), resource: rep('rep-links-1') } }, /Report/);
    await refused({ ...grant, values: { principal: { type: 'Nope', id: 'x' }, resource: rep('rep-links-1') } }, /Nope/);
    await refused({ ...grant, newId: 'has spaces' }, /newId/);
    expect((await link({ ...grant, newId: 'ext-auditor-may-read-1' })).status).toBe(201);
    await refused({ ...grant, newId: 'ext-auditor-may-read-1' }, /"ext-auditor-may-read-1" is taken by a live link/);
    expect((await t.call('/v1/policies/links', { role: 'admin' })).body.links.map((l: { id: string }) => l.id)).toEqual(['ext-auditor-may-read-1']);
    expect((await t.call('/v1/policies/links/platform/ext-auditor-may-read-1', { method: 'DELETE', role: 'admin' })).status).toBe(204);
  });

  it('a generated link id is readable, and exact: other characters are replaced and a hash of the values appended', () => {
    expect(generatedLinkId({ templateId: 't', values: { principal: user('ann'), resource: rep('r-1') } })).toBe('t:ann:r-1');
    const spaced = generatedLinkId({ templateId: 't', values: { principal: user('a b') } });
    const underscored = generatedLinkId({ templateId: 't', values: { principal: user('a_b') } });
    expect(spaced).toMatch(/^t:a_b~[0-9a-f]{10}$/);
    expect(underscored).toBe('t:a_b');
    expect(generatedLinkId({ templateId: 't', values: { principal: user('a/b') } })).not.toBe(spaced);
  });

  it('writing links takes the activate gate; reading takes the read gate', async () => {
    expect((await link(grant, 'auditor')).status).toBe(403);
    expect((await t.call('/v1/policies/links', { role: 'auditor' })).status).toBe(403);
    expect((await t.call('/v1/policies/links', { role: 'service' })).status).toBe(403);
  });

  it('a version that drops a template still linked is refused, naming the link; the link keeps serving', async () => {
    const created = await link({ ...grant, newId: 'kept-grant' });
    expect(created.status).toBe(201);
    const validate = await t.call('/v1/policies/validate', { role: 'admin', body: { name: 'platform', policies: base.policies, schema: base.schema } });
    expect(validate.body.ok).toBe(false);
    expect(validate.body.validation.errors.join('\n')).toMatch(/template link kept-grant: there is no template "client-may-read-report"/);
    const put = await t.call('/v1/policies', {
      method: 'PUT',
      role: 'admin',
      body: { name: 'platform', policies: base.policies + '\n// drops the template\n', schema: base.schema },
    });
    expect(put.status).toBe(409);
    expect(put.body.error.message).toMatch(/kept-grant/);
    expect(put.body.error.details.version.status).toBe('rejected');
    expect((await authorize('ext-auditor', 'rep-links-1')).body).toMatchObject({ decision: 'allow', reasons: ['kept-grant'] });

    // A version that keeps the template goes live with the link.
    const kept = await t.call('/v1/policies', {
      method: 'PUT',
      role: 'admin',
      body: { name: 'platform', policies: base.policies + '\n' + TEMPLATE + '// still linked\n', schema: base.schema },
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect((await authorize('ext-auditor', 'rep-links-1')).body).toMatchObject({ decision: 'allow', reasons: ['kept-grant'] });
    await replica.policyStore.refresh();
    expect(onReplica('ext-auditor', 'rep-links-1')).toMatchObject({ decision: 'allow', reasons: ['kept-grant'] });

    // Once the link is removed, the template can go.
    expect((await t.call('/v1/policies/links/platform/kept-grant', { method: 'DELETE', role: 'admin' })).status).toBe(204);
    const dropped = await t.call('/v1/policies', {
      method: 'PUT',
      role: 'admin',
      body: { name: 'platform', policies: base.policies + '\n// no template now\n', schema: base.schema },
    });
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200);
    expect((await link(grant)).body.error.message).toMatch(/no template "client-may-read-report"/);
  });
});
