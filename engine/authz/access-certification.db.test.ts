import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { canonicalJson } from '../../evidence/ledger/canonical-json.ts';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import { certificationSigner } from '../posture/access-certification-signer.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { InputError } from '../kernel/errors.ts';
import { AccessCertifications, certificationDiff, type Grant } from './access-certification.ts';
import type { AccessReview } from './access-review.ts';

let database: DatabaseHandle;
let evidence: EvidenceStore;
let certifications: AccessCertifications;
// The review is what the platform PDP answers; here a value the test changes between reviews.
let review: AccessReview;

const reviewer = { id: 'k-1', name: 'Priya', via: 'api_key', role: 'security_officer' };
const base = (): AccessReview => ({
  rows: [
    { user: 'asha', roles: ['agency_admin'], agency: 'northwind', action: 'reveal_buyer_pii', clients: ['chai-co', 'kora-home'] },
    { user: 'ravi', roles: ['agency_user'], agency: 'northwind', action: 'export', clients: ['chai-co'] },
  ],
  crossAgency: 0,
  agencyWide: [{ user: 'asha', roles: ['agency_admin'], agency: 'northwind', clients: 2 }],
  users: 2,
  clients: 2,
});
const keepAll = (grants: Grant[]) => grants.map((g) => ({ ...g, decision: 'keep' as const }));

beforeAll(async () => {
  database = await createTestDatabase();
  evidence = new EvidenceStore(database.db);
  review = base();
  certifications = new AccessCertifications({ db: database.db, review: () => review, signer: certificationSigner(evidence) });
});
afterAll(async () => {
  await database?.close();
});

async function refused(input: Parameters<AccessCertifications['certify']>[0]): Promise<string> {
  const e = await certifications.certify(input).catch((error: unknown) => error);
  expect(e).toBeInstanceOf(InputError);
  return (e as Error).message;
}

describe('AccessCertifications', () => {
  it('has nothing before the first review', async () => {
    expect(await certifications.latest()).toBeNull();
    expect((await certifications.facts()).certification).toBeNull();
    expect(certifications.current().grants).toHaveLength(3);
  });

  it('refuses decisions that do not match the current review, and records nothing', async () => {
    const grants = certifications.current().grants;
    const head = await evidence.head();
    expect(
      await refused({
        decisions: [...keepAll(grants), { user: 'mallory', action: 'export', client: 'chai-co', decision: 'keep' }],
        reviewer,
        certifiedBy: 'Priya',
      }),
    ).toMatch(/not a grant of the current access review: mallory export chai-co/);
    expect(await refused({ decisions: keepAll(grants.slice(1)), reviewer, certifiedBy: 'Priya' })).toMatch(
      /needs a decision; missing: asha reveal_buyer_pii chai-co/,
    );
    expect(await refused({ decisions: [...keepAll(grants), keepAll(grants)[0]], reviewer, certifiedBy: 'Priya' })).toMatch(/decided more than once/);
    expect(
      await refused({ decisions: [{ ...grants[0], decision: 'revoke', reason: '  ' }, ...keepAll(grants.slice(1))], reviewer, certifiedBy: 'Priya' }),
    ).toMatch(/a revoke needs a reason: asha reveal_buyer_pii chai-co/);
    expect(
      await refused({
        decisions: [{ ...grants[0], decision: 'revoke', reason: 'left: call her on +91 98765 43210' }, ...keepAll(grants.slice(1))],
        reviewer,
        certifiedBy: 'Priya',
      }),
    ).toMatch(/looks like it holds personal data/);
    expect(await certifications.list()).toEqual([]);
    expect(await evidence.head()).toEqual(head);
  });

  it('records a signed certification: the SHA-256 of its canonical JSON, in the evidence chain with the reviewer', async () => {
    const grants = certifications.current().grants;
    const c = await certifications.certify({
      decisions: grants.map((g) =>
        g.user === 'ravi' ? { ...g, decision: 'revoke' as const, reason: 'moved to the finance team' } : { ...g, decision: 'keep' as const },
      ),
      note: 'Q4 review',
      reviewer,
      certifiedBy: 'Priya (key k-1)',
      at: new Date(Date.now() - 30 * 86_400_000),
    });
    const { sha256, evidenceSeq, intact, ...body } = c;
    expect(intact).toBe(true);
    expect(sha256).toBe(createHash('sha256').update(canonicalJson(body)).digest('hex'));
    const record = await evidence.get(evidenceSeq);
    expect(record).toMatchObject({
      controlId: 'access.review-certified',
      source: 'access-certification',
      payload: { certification: c.id, sha256, certifiedBy: 'Priya (key k-1)', reviewer, grants: 3, revoked: 1 },
    });
    expect(JSON.stringify(record!.payload)).not.toContain('finance team');
    expect((await evidence.verify()).ok).toBe(true);
    const [listed] = await certifications.list();
    expect(listed).toEqual(c);
    expect(c.review.agencyWide).toEqual(base().agencyWide);
  });

  it('the latest shows its revokes as still granted until the platform removes them, and new grants as uncovered', async () => {
    review = {
      ...base(),
      rows: [...base().rows, { user: 'dev', roles: ['agency_admin'], agency: 'saffron', action: 'read_credential', clients: ['masala-mart'] }],
    };
    const latest = (await certifications.latest())!;
    expect(latest.previous).toBeNull();
    expect(latest.diff).toBeNull();
    expect(latest.revocations).toEqual([{ user: 'ravi', action: 'export', client: 'chai-co', reason: 'moved to the finance team', gone: false }]);
    expect(latest.uncovered).toEqual([{ user: 'dev', action: 'read_credential', client: 'masala-mart' }]);
    const facts = await certifications.facts();
    expect(facts.current).toHaveLength(4);
    expect(facts.certification?.decisions.find((d) => d.user === 'ravi')?.decision).toBe('revoke');
  });

  it('the next certification is diffed against the previous one, and shows the revoked grant gone', async () => {
    // The platform removed ravi's export; dev's new grant is reviewed; asha's kora-home access is now revoked.
    review = {
      ...base(),
      rows: [base().rows[0], { user: 'dev', roles: ['agency_admin'], agency: 'saffron', action: 'read_credential', clients: ['masala-mart'] }],
    };
    const grants = certifications.current().grants;
    const second = await certifications.certify({
      decisions: grants.map((g) =>
        g.client === 'kora-home' ? { ...g, decision: 'revoke' as const, reason: 'no longer on the kora-home account' } : { ...g, decision: 'keep' as const },
      ),
      reviewer,
      certifiedBy: 'Priya (key k-1)',
    });
    const latest = (await certifications.latest())!;
    expect(latest.certification.id).toBe(second.id);
    expect(latest.previous?.certifiedBy).toBe('Priya (key k-1)');
    expect(latest.diff).toEqual({
      added: [{ user: 'dev', action: 'read_credential', client: 'masala-mart' }],
      removed: [{ user: 'ravi', action: 'export', client: 'chai-co' }],
      changed: [{ user: 'asha', action: 'reveal_buyer_pii', client: 'kora-home', from: 'keep', to: 'revoke', reason: 'no longer on the kora-home account' }],
    });
    expect(latest.uncovered).toEqual([]);
    expect((await certifications.list()).map((c) => c.id)[0]).toBe(second.id);
  });

  it('a certification edited in the database no longer verifies, and cannot be updated through SQL at all', async () => {
    const [c] = await certifications.list(1);
    await expect(sql`UPDATE access_certifications SET certified_by = 'someone else' WHERE id = ${c.id}`.execute(database.db)).rejects.toThrow(/append-only/);
    // An owner who switches the trigger off and rewrites a decision: the body no longer hashes to the signed SHA-256.
    await sql`ALTER TABLE access_certifications DISABLE TRIGGER access_certifications_append_only`.execute(database.db);
    await sql`UPDATE access_certifications SET body = jsonb_set(body, '{decisions,0,decision}', '"revoke"') WHERE id = ${c.id}`.execute(database.db);
    await sql`ALTER TABLE access_certifications ENABLE TRIGGER access_certifications_append_only`.execute(database.db);
    const edited = await certifications.get(c.id);
    expect(edited.intact).toBe(false);
    expect((await certifications.facts()).certification?.intact).toBe(false);
  });

  it('certificationDiff is empty between equal decisions', () => {
    const d = [{ user: 'a', action: 'export' as const, client: 'c', decision: 'keep' as const, reason: null }];
    expect(certificationDiff({ decisions: d }, { decisions: d })).toEqual({ added: [], removed: [], changed: [] });
  });
});
