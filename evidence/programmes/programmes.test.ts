import { describe, expect, it } from 'vitest';
import { CATALOGUE, CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { parseControlSettings } from '../../controls/settings.ts';
import { ATTESTABLE_DOCUMENTS } from './documents.ts';
import { frameworksOf, programmeById, PROGRAMMES } from './index.ts';
import { PROGRAMME_IDS } from './programme.ts';

describe('the programmes', () => {
  it('are the three known ids, each requirement id unique within its programme', () => {
    expect(PROGRAMMES.map((p) => p.id)).toEqual([...PROGRAMME_IDS]);
    for (const p of PROGRAMMES) expect(new Set(p.requirements.map((r) => r.id)).size, p.id).toBe(p.requirements.length);
    expect(() => programmeById('nope')).toThrow(/no programme nope/);
  });

  it('name only controls that are in the catalogue', () => {
    const named = [...new Set(PROGRAMMES.flatMap((p) => p.requirements.flatMap((r) => r.controls)))];
    expect(named.filter((id) => !CONTROLS_BY_ID.has(id)).sort()).toEqual([]);
  });

  it('name only documents that can be attested; the runbooks governance.runbooks requires are among them', () => {
    const named = [...new Set(PROGRAMMES.flatMap((p) => p.requirements.flatMap((r) => r.attestations ?? [])))];
    expect(named.filter((id) => !(id in ATTESTABLE_DOCUMENTS))).toEqual([]);
    for (const d of parseControlSettings({}).requirements.runbooks) expect(ATTESTABLE_DOCUMENTS, d).toHaveProperty([d]);
  });

  it('every catalogue control answers at least one requirement of the security Addendum', () => {
    const addendum = programmeById('security-addendum');
    const answering = new Set(addendum.requirements.flatMap((r) => r.controls));
    expect(CATALOGUE.map((c) => c.id).filter((id) => !answering.has(id))).toEqual([]);
  });

  it('the Addendum has its fourteen §28 commitments, §13.2, §21, §22 and §23', () => {
    const ids = programmeById('security-addendum').requirements.map((r) => r.id);
    expect(ids).toEqual([...Array.from({ length: 14 }, (_, i) => `28.${i + 1}`), '13.2', '21', '22', '23']);
  });

  it('Amazon DPP requirements use its own numbering (§1.x general, §2.x PII); MFA is credential management, 2.1 is PII retention', () => {
    const dpp = programmeById('amazon-spapi-dpp');
    for (const r of dpp.requirements) expect(r.id).toMatch(/^[12]\.[1-9]$/);
    expect(frameworksOf('identity.admin-mfa')).toContain('amazon-spapi-dpp:1.4');
    expect(frameworksOf('identity.admin-mfa')).not.toContain('amazon-spapi-dpp:2.1');
    expect(dpp.requirements.find((r) => r.id === '2.1')!.title).toMatch(/retention/i);
  });

  it('Google requirements are Limited Use items or real OWASP ASVS 4.0.3 ids, and carry no Amazon reference', () => {
    const google = programmeById('google-limited-use-casa');
    for (const r of google.requirements) {
      expect(r.id).toMatch(/^(LU-\d+|V\d{1,2}\.\d{1,2}\.\d{1,2})$/);
      expect(
        JSON.stringify({
          ...r,
          custom: undefined,
          gap: r.gap?.({ attestedDocuments: new Set(), logRetentionDays: 180, crossAgencyGrants: 0, reviewedUsers: 1 }),
        }),
      ).not.toMatch(/amazon|DPP|SP-API/i);
    }
    expect(frameworksOf('network.cors-split')).toContain('google-limited-use-casa:V14.5.3');
    expect(frameworksOf('identity.admin-mfa')).toContain('google-limited-use-casa:V4.3.1');
  });

  it("Google's token storage does not rest on the WhatsApp credential checks", () => {
    const tokens = programmeById('google-limited-use-casa').requirements.find((r) => r.id === 'V6.4.1')!;
    expect(tokens.controls.filter((c) => c.startsWith('secrets.'))).toEqual([]);
  });

  it('a control the programmes do not name has no framework reference', () => {
    expect(frameworksOf('no.such-control')).toEqual([]);
  });
});
