import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { AccessCertifications } from '../../engine/authz/access-certification.ts';
import type { AccessReview } from '../../engine/authz/access-review.ts';
import type { DatabaseHandle } from '../../engine/db/database.ts';
import { certificationSigner } from '../../engine/posture/access-certification-signer.ts';
import { EvidenceStore } from '../ledger/evidence-store.ts';
import { accessCertificationSection } from './section-access-certification.ts';

let database: DatabaseHandle;
const review: AccessReview = {
  rows: [
    { user: 'asha', roles: ['agency_admin'], agency: 'northwind', action: 'reveal_buyer_pii', clients: ['chai-co'] },
    { user: 'ravi', roles: ['agency_user'], agency: 'northwind', action: 'export', clients: ['chai-co', 'kora-home'] },
  ],
  crossAgency: 0,
  agencyWide: [{ user: 'asha', roles: ['agency_admin'], agency: 'northwind', clients: 1 }],
  users: 2,
  clients: 2,
};
const reviewer = { id: 'u-1', name: 'Priya', via: 'session', role: 'security_officer' };
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('the pack section "Access review certification"', () => {
  it('says when nothing was certified by the period end, and still shows the within-agency flags', async () => {
    const s = await accessCertificationSection({ db: database.db, review, to: new Date() });
    expect(s.title).toBe('Access review certification');
    expect(s.table).toBeUndefined();
    expect(s.paragraphs!.join('\n')).toMatch(/No certification of the access review was signed on or before/);
    expect(s.paragraphs!.join('\n')).toMatch(/asha \(agency_admin, northwind: 1 client\)/);
  });

  it('shows the latest certification by the period end: reviewer, hash, each grant with its reason and fate, and the diff', async () => {
    let current = review;
    const certifications = new AccessCertifications({ db: database.db, review: () => current, signer: certificationSigner(new EvidenceStore(database.db)) });
    const keep = (r: AccessReview) =>
      r.rows.flatMap((row) => row.clients.map((client) => ({ user: row.user, action: row.action, client, decision: 'keep' as const })));
    await certifications.certify({ decisions: keep(review), reviewer, certifiedBy: 'Priya (user u-1)', at: new Date(Date.now() - 40 * DAY) });
    const second = await certifications.certify({
      decisions: keep(review).map((d) => (d.client === 'kora-home' ? { ...d, decision: 'revoke' as const, reason: 'kora-home moved to another agency' } : d)),
      reviewer,
      certifiedBy: 'Priya (user u-1)',
      at: new Date(Date.now() - 10 * DAY),
    });
    // A third, after the period end: not in this pack.
    await certifications.certify({ decisions: keep(review), reviewer, certifiedBy: 'Later (user u-2)' });
    // The platform removed ravi's kora-home export after the second review.
    current = { ...review, rows: [review.rows[0], { ...review.rows[1], clients: ['chai-co'] }] };
    const s = await accessCertificationSection({ db: database.db, review: current, to: new Date(Date.now() - 5 * DAY) });
    const text = s.paragraphs!.join('\n');
    expect(text).toContain(`Certified ${second.certifiedAt} by Priya (user u-1)`);
    expect(text).toContain(`SHA-256 ${second.sha256}, evidence record ${second.evidenceSeq}.`);
    expect(text).toMatch(/0 grant\(s\) added, 0 removed, 1 decision\(s\) changed/);
    expect(text).toContain('Changed: ravi export kora-home keep → revoke.');
    expect(text).not.toContain('Later');
    expect(s.table!.rows).toContainEqual(['ravi', 'export', 'kora-home', 'revoke', 'kora-home moved to another agency', 'gone']);
    expect(s.table!.rows).toContainEqual(['asha', 'reveal_buyer_pii', 'chai-co', 'keep', '', 'granted']);
  });
});
