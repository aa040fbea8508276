import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Cedar entity tags through the entity API: checked against the active platform schema when written, as
// attributes are, and answered with the stored entity.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const ref = (type: string, id: string) => ({ __entity: { type, id } });
const listing = (id: string, tags?: Record<string, unknown>) => ({
  uid: { type: 'Listing', id },
  attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'chai-co'), integration: ref('Integration', 'amazon_spapi') },
  parents: [{ type: 'Client', id: 'chai-co' }],
  ...(tags ? { tags } : {}),
});
const push = (...entities: unknown[]) => t.call('/v1/entities', { method: 'PUT', role: 'service', body: { entities } });
/** The entities a refused write names (Cedar's check and the evaluator's may each report one). */
const refused = (res: { body: any }): string[] => [...new Set<string>(res.body.error.details.map((d: { entity: string }) => d.entity))];
const aboutTags = (res: { body: any }): boolean => res.body.error.details.some((d: { message: string }) => /\btags?\b/.test(d.message));

describe('entity tags', () => {
  it('refuses a tag the platform schema does not declare (400, nothing written)', async () => {
    const res = await push(listing('lst-undeclared', { channel: 'amazon' }));
    expect(res.status).toBe(400);
    expect(refused(res)).toEqual(['Listing::"lst-undeclared"']);
    expect(aboutTags(res)).toBe(true);
    expect((await t.call('/v1/entities/Listing/lst-undeclared', { role: 'admin' })).status).toBe(404);
    // The same entity without tags fits.
    expect((await push(listing('lst-undeclared'))).status).toBe(200);
    expect((await t.call('/v1/entities/Listing/lst-undeclared', { role: 'admin' })).body).not.toHaveProperty('tags');
  });

  it('refuses a tag key PostgreSQL cannot store, as for attributes', async () => {
    const res = await push(listing('lst-nul', { 'chan\u0000nel': 'amazon' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'body.entities.0.tags', message: expect.stringContaining('NUL') }]);
  });

  it('with a schema that declares tags: stores and answers declared tags, refuses ones of another type or on another entity type', async () => {
    const current = (await t.call('/v1/policies', { role: 'admin' })).body.policySets.find((p: { name: string }) => p.name === 'platform');
    expect(current.schema).toContain(' Listing,');
    const schema = `${current.schema.replace(' Listing,', '')}\nentity Listing in [Client] { agency: Agency, client: Client, integration: Integration } tags String;\n`;
    const policies = `${current.policies}\n@id("forbid-frozen-listing")\nforbid (principal, action, resource is Listing) when { resource.hasTag("frozen") };\n`;
    const put = await t.call('/v1/policies', {
      method: 'PUT',
      role: 'admin',
      body: { name: 'platform', policies, schema, comment: 'listings take string tags' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.version.status).toBe('active');

    const ok = await push(listing('lst-tagged', { channel: 'amazon', region: 'eu' }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const stored = await t.call('/v1/entities/Listing/lst-tagged', { role: 'admin' });
    expect(stored.status).toBe(200);
    expect(stored.body.tags).toEqual({ channel: 'amazon', region: 'eu' });
    expect(t.authz.entityStore.get({ type: 'Listing', id: 'lst-tagged' })?.tags).toEqual({ channel: 'amazon', region: 'eu' });

    // Decisions read the stored tags.
    const read = { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Listing', id: 'lst-tagged' } };
    expect((await t.call('/v1/authorize', { role: 'service', body: read })).body).toMatchObject({ decision: 'allow' });
    expect((await push(listing('lst-tagged', { channel: 'amazon', frozen: 'by-review' }))).status).toBe(200);
    expect((await t.call('/v1/authorize', { role: 'service', body: read })).body).toMatchObject({ decision: 'deny', reasons: ['forbid-frozen-listing'] });
    expect((await push(listing('lst-tagged', { channel: 'amazon', region: 'eu' }))).status).toBe(200);

    const wrongType = await push(listing('lst-tagged', { channel: 3 }));
    expect(wrongType.status).toBe(400);
    expect(refused(wrongType)).toEqual(['Listing::"lst-tagged"']);
    expect(t.authz.entityStore.get({ type: 'Listing', id: 'lst-tagged' })?.tags).toEqual({ channel: 'amazon', region: 'eu' });
    const listed = await t.call('/v1/entities?type=Listing&q=lst-tagged', { role: 'admin' });
    expect(listed.body.entities).toEqual([expect.objectContaining({ uid: { type: 'Listing', id: 'lst-tagged' }, tags: { channel: 'amazon', region: 'eu' } })]);

    const order = {
      uid: { type: 'Order', id: 'o-tagged' },
      attrs: { agency: ref('Agency', 'northwind'), client: ref('Client', 'chai-co'), integration: ref('Integration', 'amazon_spapi'), pii_redacted: false },
      parents: [{ type: 'Client', id: 'chai-co' }],
      tags: { channel: 'amazon' },
    };
    const undeclared = await push(order);
    expect(undeclared.status).toBe(400);
    expect(refused(undeclared)).toEqual(['Order::"o-tagged"']);
    expect(aboutTags(undeclared)).toBe(true);
  });
});
