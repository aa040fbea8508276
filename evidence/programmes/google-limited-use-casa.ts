import { leastPrivilegeAnswer } from './amazon-spapi-dpp.ts';
import type { Programme } from './programme.ts';

const POLICY = 'Google API Services User Data Policy';
/** CASA tier 2 assesses against OWASP ASVS 4.0.3: the ids below are ASVS's own, each with a short paraphrase. */
const asvs = (id: string, section: string) => `OWASP ASVS 4.0.3 ${id} (${section}), as assessed by CASA tier 2`;

/**
 * Google API Services User Data Policy (the Limited Use requirements) and the Cloud Application Security
 * Assessment (CASA) tier 2, whose requirements are OWASP ASVS 4.0.3's. No requirement here rests on a check of
 * another provider's credentials.
 */
export const GOOGLE_LIMITED_USE_CASA: Programme = {
  id: 'google-limited-use-casa',
  title: 'Google API Services User Data Policy (Limited Use) and CASA tier 2',
  source: `${POLICY}; OWASP ASVS 4.0.3 as used by CASA tier 2`,
  integrations: ['google', 'google_apis', 'google_ads', 'google_analytics', 'google_sheets', 'google_docs', 'youtube'],
  requirements: [
    {
      id: 'LU-1',
      title: 'Limited Use disclosure',
      source: `${POLICY}, Limited Use: disclosure in the privacy policy`,
      question: 'Does the privacy policy state adherence to the Google API Services User Data Policy, including the Limited Use requirements, with a link?',
      controls: [],
      custom: (facts) => {
        const p = facts.limitedUse;
        if (!p) return { status: 'not_assessed', answer: 'No privacy policy URL is configured (packs.google.privacyPolicyUrl).' };
        if (p.error) return { status: 'not_assessed', answer: `The privacy policy at ${p.url} could not be read: ${p.error}.` };
        if (p.statement && p.policyLink)
          return { status: 'met', answer: `The privacy policy at ${p.url} carries the Limited Use statement and links the ${POLICY}.` };
        return {
          status: 'not_met',
          answer: `The privacy policy at ${p.url} ${p.statement ? 'has the statement but no link to the policy' : 'lacks the Limited Use statement'}.`,
        };
      },
    },
    {
      id: 'LU-2',
      title: 'Minimum OAuth scopes, each justified',
      source: `${POLICY}: request only the scopes needed`,
      question: 'Which Google scopes are requested, and why is each needed?',
      controls: [],
      custom: (facts) => {
        const s = facts.scopes ?? [];
        if (!s.length) return { status: 'not_assessed', answer: 'No scopes are configured (packs.google.scopes).' };
        const bare = s.filter((x) => !x.justification.trim());
        return bare.length
          ? { status: 'not_met', answer: `${bare.length} of ${s.length} scopes have no justification.` }
          : { status: 'met', answer: `${s.length} scopes in use, each with its justification (see the OAuth scopes section).` };
      },
    },
    {
      id: 'V1.4.1',
      title: 'Access control at trusted enforcement points',
      source: asvs('V1.4.1', 'access control is enforced by trusted enforcement points such as gateways and serverless functions'),
      question: 'Is every route to user data behind an enforcement point, with no public catch-all route and no public storage?',
      controls: ['network.default-route-hardened', 'storage.s3-public-access-block'],
    },
    {
      id: 'V4.1.3',
      title: 'Least privilege',
      source: asvs('V4.1.3', 'users reach only the functions and data they are specifically authorised for'),
      question: 'Can users reach only the data of the clients they are authorised for?',
      controls: ['access.review-certified'],
      custom: leastPrivilegeAnswer,
    },
    {
      id: 'V4.3.1',
      title: 'Multi-factor authentication for administration',
      source: asvs('V4.3.1', 'administrative interfaces use multi-factor authentication'),
      question: 'Do administrators authenticate with MFA?',
      controls: ['identity.admin-mfa'],
    },
    {
      id: 'V6.1.1',
      title: 'Personal data encrypted at rest',
      source: asvs('V6.1.1', 'regulated private data such as PII is stored encrypted at rest'),
      question: 'Is user data encrypted at rest?',
      controls: ['storage.s3-encryption'],
    },
    {
      id: 'V6.4.1',
      title: 'OAuth tokens kept in a secrets manager',
      source: asvs('V6.4.1', 'a secrets management solution such as a key vault creates, stores, controls access to and destroys secrets'),
      question: 'Are Google OAuth tokens and client secrets stored in a secrets manager, out of code and configuration, and rotated?',
      controls: [],
      attestations: ['runbook.secrets-rotation'],
      gap: () =>
        'Tenet does not yet check where Google OAuth tokens are stored (Addendum §14: Secrets Manager); only the secrets-rotation runbook is attested.',
    },
    {
      id: 'V7.1.2',
      title: 'No sensitive data in logs',
      source: asvs('V7.1.2', 'the application does not log sensitive data as defined by privacy law or policy'),
      question: 'Are logs free of personal data?',
      controls: ['logging.cloudwatch-pii-scan', 'logging.api-access-logs'],
    },
    {
      id: 'V7.1.3',
      title: 'Security events logged',
      source: asvs('V7.1.3', 'security relevant events such as authentication and access control failures are logged'),
      question: 'Are API access and security events logged?',
      controls: ['logging.api-access-logs', 'audit.pii-reveal-retention'],
    },
    {
      id: 'V8.3.2',
      title: 'Deletion and export on demand',
      source: asvs('V8.3.2', 'users have a method to remove or export their data on demand'),
      question: 'Can users have their Google data deleted or exported?',
      controls: [],
      attestations: ['runbook.data-deletion-export'],
    },
    {
      id: 'V8.3.8',
      title: 'Retention: old data deleted on a schedule',
      source: asvs('V8.3.8', 'sensitive personal information is subject to retention classification and old data is deleted automatically'),
      question: 'Is user data kept no longer than needed, and deleted automatically?',
      controls: ['retention.log-groups', 'retention.conversation-ttl', 'storage.s3-lifecycle'],
    },
    {
      id: 'V9.1.3',
      title: 'Only current TLS versions',
      source: asvs('V9.1.3', 'only the latest recommended TLS versions, such as 1.2 and 1.3, are enabled'),
      question: 'Do the endpoints accept only TLS 1.2 and later?',
      controls: ['network.tls-versions'],
    },
    {
      id: 'V14.2.1',
      title: 'Components up to date, checked for known vulnerabilities',
      source: asvs('V14.2.1', 'all components are up to date, preferably using a dependency checker at build time'),
      question: 'Are third-party components scanned for known vulnerabilities, and are the findings fixed?',
      controls: ['vulnerability.scan-reports'],
    },
    {
      id: 'V14.5.3',
      title: 'CORS restricted to trusted origins',
      source: asvs('V14.5.3', 'the CORS Access-Control-Allow-Origin header uses a strict allow list and never the "null" origin'),
      question: "Are cross-origin requests allowed only from the application's own origins?",
      controls: ['network.cors-split'],
    },
  ],
};
