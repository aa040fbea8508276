import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// The access review as a certification, over HTTP on the demo entities and the real platform PDP: security officers
// sign, auditors read, the control follows what the platform does with the revokes.

interface Grant {
  user: string;
  action: string;
  client: string;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ controls: {} });
});
afterAll(async () => {
  await t?.close();
});

const grantsNow = async (): Promise<Grant[]> => (await t.call('/v1/access-review', { role: 'auditor' })).body.grants;
const control = async () => {
  const [run] = await t.controls!.runNow(['access.review-certified'], { trigger: 'manual', requestedBy: 'test' });
  return run;
};

describe('access review certifications', () => {
  it('the review flags agency users who may reveal buyer PII on every client of their agency', async () => {
    const review = (await t.call('/v1/access-review', { role: 'auditor' })).body;
    // asha (agency admin) and ravi (agency user) may reveal buyer PII on every northwind client holding orders;
    // meera is a client user, bound to chai-co; the platform admin sees no tenant data at all.
    expect(review.agencyWide).toContainEqual({ user: 'asha', roles: ['agency_admin'], agency: 'northwind', clients: 1 });
    expect(review.agencyWide).toContainEqual({ user: 'ravi', roles: ['agency_user'], agency: 'northwind', clients: 1 });
    expect(review.agencyWide.map((w: { user: string }) => w.user)).not.toContain('meera');
    expect(review.agencyWide.map((w: { user: string }) => w.user)).not.toContain('ops-root');
    const rows = review.rows.flatMap((r: { user: string; action: string; clients: string[] }) =>
      r.clients.map((client) => ({ user: r.user, action: r.action, client })),
    );
    expect(review.grants).toEqual(rows);
  });

  it('with nothing certified, the latest is empty and the control fails (never not_applicable)', async () => {
    const latest = await t.call('/v1/access-review/certifications/latest', { role: 'auditor' });
    expect(latest.status).toBe(200);
    expect(latest.body).toEqual({ certification: null, previous: null, diff: null, revocations: [], uncovered: [] });
    const run = await control();
    expect(run.status).toBe('fail');
    expect(run.findings[0].message).toMatch(/never been certified/);
  });

  it('refuses an unknown grant, a missing one, and a revoke without a reason (400), and auditors cannot sign (403)', async () => {
    const grants = await grantsNow();
    const keep = grants.map((g) => ({ ...g, decision: 'keep' }));
    const post = (body: unknown, role: 'security_officer' | 'auditor' = 'security_officer') => t.call('/v1/access-review/certifications', { body, role });
    const unknown = await post({ decisions: [...keep, { user: 'mallory', action: 'export', client: 'chai-co', decision: 'keep' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/not a grant of the current access review: mallory export chai-co/);
    const missing = await post({ decisions: keep.slice(1) });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/missing: /);
    const noReason = await post({ decisions: [{ ...grants[0], decision: 'revoke' }, ...keep.slice(1)] });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toMatch(/a revoke needs a reason/);
    const badAction = await post({ decisions: [{ ...grants[0], action: 'delete_everything', decision: 'keep' }] });
    expect(badAction.status).toBe(400);
    expect((await post({ decisions: keep }, 'auditor')).status).toBe(403);
    expect((await t.call('/v1/access-review/certifications', { role: 'service' })).status).toBe(403);
    expect((await t.call('/v1/access-review/certifications', { role: 'auditor' })).body.certifications).toEqual([]);
  });

  it('a signed certification with a revoke: recorded in the evidence chain, the control fails until the platform removes the grant', async () => {
    const grants = await grantsNow();
    // (The control runs above made the restricted integrations not ready, which took their clients' data away.)
    const target = grants.find((g) => g.user === 'ravi')!;
    expect(target, JSON.stringify(grants)).toBeDefined();
    const decisions = grants.map((g) =>
      g === target ? { ...g, decision: 'revoke', reason: 'agency user: no need to see buyer details' } : { ...g, decision: 'keep' },
    );
    const res = await t.call('/v1/access-review/certifications', { body: { decisions, note: 'Q4' }, role: 'security_officer' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ certifiedBy: 'test security_officer (key ' + res.body.reviewer.id + ')', intact: true, note: 'Q4' });
    expect(res.body.reviewer).toMatchObject({ name: 'test security_officer', via: 'api_key', role: 'security_officer' });
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const record = await t.controls!.evidence.get(res.body.evidenceSeq);
    expect(record).toMatchObject({
      controlId: 'access.review-certified',
      source: 'access-certification',
      payload: { sha256: res.body.sha256, certification: res.body.id },
    });

    const listed = await t.call('/v1/access-review/certifications', { role: 'auditor' });
    expect(listed.body.certifications).toEqual([
      expect.objectContaining({ id: res.body.id, grants: grants.length, revoked: 1, sha256: res.body.sha256, intact: true }),
    ]);
    expect((await t.call(`/v1/access-review/certifications/${res.body.id}`, { role: 'auditor' })).body).toEqual(res.body);

    let latest = (await t.call('/v1/access-review/certifications/latest', { role: 'auditor' })).body;
    expect(latest.revocations).toEqual([{ ...target, reason: 'agency user: no need to see buyer details', gone: false }]);
    let run = await control();
    expect(run.status).toBe('fail');
    expect(run.findings.map((f) => f.message)).toEqual([expect.stringMatching(/^ravi may \w+ on client .*: revoked in the review of .*, still granted$/)]);

    // The platform's administrators take ravi off the agency: his grants are gone from the review.
    const ravi = t.authz.entityStore.get({ type: 'User', id: 'ravi' })!;
    await t.authz.entityStore.upsert([{ ...ravi, parents: ravi.parents.filter((p) => p.type !== 'Role') }]);
    latest = (await t.call('/v1/access-review/certifications/latest', { role: 'auditor' })).body;
    expect(latest.revocations[0].gone).toBe(true);
    run = await control();
    expect(run.status).toBe('pass');

    // A second review, diffed against the first: ravi's grants removed, nothing added.
    const now = await grantsNow();
    const second = await t.call('/v1/access-review/certifications', {
      body: { decisions: now.map((g) => ({ ...g, decision: 'keep' })) },
      role: 'security_officer',
    });
    expect(second.status).toBe(201);
    latest = (await t.call('/v1/access-review/certifications/latest', { role: 'auditor' })).body;
    expect(latest.previous.id).toBe(res.body.id);
    expect(latest.diff.added).toEqual([]);
    expect(latest.diff.removed.length).toBeGreaterThan(0);
    expect(latest.diff.removed.every((g: Grant) => g.user === 'ravi')).toBe(true);
    expect(latest.diff.changed).toEqual([]);
  });

  it("the SP-API pack carries the section: the latest certification's reviewer, hash and decisions, and the diff", async () => {
    const latest = (await t.call('/v1/access-review/certifications/latest', { role: 'auditor' })).body;
    const built = await t.call('/v1/packs', { body: { profile: 'sp-api' }, role: 'auditor' });
    expect(built.status).toBe(201);
    const res = await fetch(`${t.url}/v1/packs/${built.body.id}/download`, { headers: { authorization: `Bearer ${t.keys.auditor}` } });
    const entries = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const html = Buffer.from(entries['index.html']!).toString();
    expect(html).toContain('Access review certification');
    expect(html).toContain(latest.certification.sha256);
    expect(html).toContain(`evidence record ${latest.certification.evidenceSeq}`);
    expect(html).toMatch(/Against the certification of \d{4}-\d\d-\d\d by test security_officer/);
  });
});
