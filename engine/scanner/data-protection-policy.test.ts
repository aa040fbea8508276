import { describe, expect, it } from 'vitest';
import { checkPolicy, CUSTOM_DATA_IDENTIFIERS, dataProtectionPolicy, MANAGED_FOR_DETECTOR, NOT_MASKED_AT_INGESTION } from './data-protection-policy.ts';
import { DETECTOR_IDS } from './types.ts';

const positives: Record<string, string[]> = {
  'IN-Aadhaar': ['uid 2345 6789 0124 ok', 'aadhaar=234567890124'],
  'IN-PAN': ['pan ABCPK1234Z here'],
  'IN-GSTIN': ['gstin 27ABCPK1234Z1Z5 billed'],
  'IN-Mobile': ['call +91 98450 12345', 'wa_id 919845012345', 'ph 09845012345'],
  'IN-UPI': ['pay asha.k@okaxis now', 'vpa 9845012345@upi', 'ravi@ybl'],
  'IN-Passport': ['passport K1234567'],
  'IN-VoterId': ['epic ABC1234567'],
  'Razorpay-Key': ['key rzp_live_AbCdEf01234567'],
  'Stripe-Key': ['sk_live_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3'],
  'Meta-Token': ['token EAA' + 'x'.repeat(120)],
};

describe('CloudWatch data protection policy', () => {
  it("fits CloudWatch's limits (≤ 10 custom identifiers, regex ≤ 200 characters of the accepted alphabet)", () => {
    const policy = dataProtectionPolicy();
    expect(checkPolicy(policy)).toEqual([]);
    expect(policy.Configuration.CustomDataIdentifier.length).toBeLessThanOrEqual(10);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['audit-policy', 'redact-policy']);
  });

  it('each custom identifier matches its positives and not the usual log noise', () => {
    for (const c of CUSTOM_DATA_IDENTIFIERS) {
      const re = new RegExp(c.Regex);
      for (const p of positives[c.Name] ?? []) expect(re.test(p), `${c.Name}: ${p}`).toBe(true);
      for (const n of ['402-1234567-1234567', '2026-11-23T10:00:00.000Z', 'req 9f1c2b7e-3d4a-4c2b-8e1f-0a1b2c3d4e5f', 'ip 10.0.12.7', 'amount 1499.00 INR']) {
        if (c.Name === 'IN-Aadhaar' || c.Name === 'IN-Mobile') expect(re.test(n), `${c.Name} on ${n}`).toBe(false);
      }
    }
    expect(Object.keys(positives).sort()).toEqual(CUSTOM_DATA_IDENTIFIERS.map((c) => c.Name).sort());
  });

  it("maps the buyer personal-data detectors to CloudWatch's managed identifiers, and names those it cannot cover", () => {
    const arns = dataProtectionPolicy().Statement[0].DataIdentifier;
    const arn = (name: string) => `arn:aws:dataprotection::aws:data-identifier/${name}`;
    expect(MANAGED_FOR_DETECTOR.person_name).toEqual(['Name']);
    expect(MANAGED_FOR_DETECTOR.postal_address).toEqual(['Address']);
    expect(MANAGED_FOR_DETECTOR.ip_address).toEqual(['IpAddress']);
    expect(MANAGED_FOR_DETECTOR.date_of_birth).toEqual(['DateOfBirth']);
    // phone numbers: CloudWatch's PhoneNumber is per country (BR, DE, ES, FR, GB, IT, US)
    expect(MANAGED_FOR_DETECTOR.intl_phone).toEqual(expect.arrayContaining(['PhoneNumber-US', 'PhoneNumber-GB', 'PhoneNumber-BR']));
    for (const names of Object.values(MANAGED_FOR_DETECTOR)) for (const name of names) expect(arns).toContain(arn(name));
    // the same identifier in both statements, each once
    expect(new Set(arns).size).toBe(arns.length);
    expect(dataProtectionPolicy().Statement[1].DataIdentifier).toEqual(arns);
    // every new detector is covered by a managed identifier or listed as not masked at ingestion
    for (const id of DETECTOR_IDS.slice(DETECTOR_IDS.indexOf('person_name'))) {
      expect(Boolean(MANAGED_FOR_DETECTOR[id]) !== Boolean(NOT_MASKED_AT_INGESTION[id]), id).toBe(true);
    }
    expect(Object.keys(NOT_MASKED_AT_INGESTION).sort()).toEqual(['bank_account', 'vehicle_registration']);
  });

  it('flags a policy that breaks the limits', () => {
    const bad = dataProtectionPolicy();
    bad.Configuration.CustomDataIdentifier = [...bad.Configuration.CustomDataIdentifier, { Name: 'Too many (11)', Regex: '(a|b)'.repeat(50) }];
    expect(checkPolicy(bad)).toEqual([
      '11 custom data identifiers (at most 10)',
      'Too many (11): name may hold letters, digits, _ and - (at most 128)',
      'Too many (11): regex is 250 characters (at most 200)',
      'Too many (11): regex uses characters CloudWatch does not accept',
    ]);
  });
});
