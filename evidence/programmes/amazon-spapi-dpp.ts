import type { Programme, RequirementFacts } from './programme.ts';

const source = (n: string, title: string) => `Amazon Services API Data Protection Policy §${n} ${title}`;

/** Least privilege from the access review: who can reveal buyer PII, export or read credentials outside their agency. */
export function leastPrivilegeAnswer(facts: RequirementFacts) {
  if (facts.reviewedUsers === 0)
    return { status: 'not_assessed' as const, answer: 'The access review found no users to ask about: there is nothing to judge yet.' };
  // Within an agency, a user who may reveal buyer PII on every client is reported, for the certification to keep or revoke.
  const wide = facts.agencyWideUsers
    ? ` Within their agencies, ${facts.agencyWideUsers} agency-level user(s) may reveal buyer PII on every client (listed in the access review; the certification keeps or revokes each grant).`
    : '';
  if (facts.crossAgencyGrants === 0)
    return {
      status: 'met' as const,
      answer:
        'The access review (asked of the policy decision point for every user and client) finds no user who can reveal buyer PII, export or read credentials outside their own agency.' +
        wide,
    };
  return { status: 'not_met' as const, answer: `The access review finds ${facts.crossAgencyGrants} grant(s) outside the user's own agency.${wide}` };
}

/**
 * Amazon Services API Data Protection Policy (DPP), in its own numbering: §1 general security requirements for
 * every developer, §2 additional requirements for personally identifiable information (buyer PII).
 */
export const AMAZON_SPAPI_DPP: Programme = {
  id: 'amazon-spapi-dpp',
  title: 'Amazon SP-API Data Protection Policy',
  source: 'Amazon Services API Data Protection Policy (DPP)',
  integrations: ['amazon_spapi'],
  requirements: [
    {
      id: '1.1',
      title: 'Network protection',
      source: source('1.1', 'Network Protection'),
      question: 'Are the systems holding Amazon Information closed to public access, except to approved users?',
      controls: ['storage.s3-public-access-block', 'network.cors-split', 'network.default-route-hardened'],
    },
    {
      id: '1.2',
      title: 'Access management',
      source: source('1.2', 'Access Management'),
      question: 'Does everyone with access have their own account, and is the list of people with access reviewed every quarter?',
      controls: ['access.review-certified'],
    },
    {
      id: '1.3',
      title: 'Least privilege',
      source: source('1.3', 'Least Privilege Principle'),
      question: 'Is access to Amazon Information granted on a need-to-know basis only?',
      controls: ['access.review-certified'],
      custom: leastPrivilegeAnswer,
    },
    {
      id: '1.4',
      title: 'Credential management',
      source: source('1.4', 'Credential Management'),
      question: 'Is MFA required on every account, and are credentials and API keys kept encrypted, out of code and configuration, and rotated?',
      controls: ['identity.admin-mfa', 'secrets.whatsapp-in-secrets-manager', 'secrets.no-legacy-env-credentials'],
      attestations: ['runbook.secrets-rotation'],
    },
    {
      id: '1.5',
      title: 'Encryption in transit',
      source: source('1.5', 'Encryption in Transit'),
      question: 'Is Amazon Information encrypted in transit with TLS 1.2 or later on every endpoint?',
      controls: ['network.tls-versions'],
    },
    {
      id: '1.6',
      title: 'Incident response',
      source: source('1.6', 'Risk Management and Incident Response Plan'),
      question: 'Is there an incident response plan, and is Amazon notified within 24 hours of detecting an incident?',
      controls: ['incident.notification-on-time'],
      attestations: ['runbook.incident-response'],
      gap: (facts) =>
        facts.attestedDocuments.has('runbook.incident-response')
          ? undefined
          : 'No signed attestation of an incident response runbook (24-hour notice to Amazon) is in force.',
    },
    {
      id: '1.7',
      title: 'Deletion and return',
      source: source('1.7', 'Request for Deletion or Return'),
      question: 'Is Amazon Information deleted or returned on request and when it is no longer needed?',
      controls: [],
      attestations: ['runbook.data-deletion-export'],
    },
    {
      id: '2.1',
      title: 'PII retention',
      source: source('2.1', 'Data Retention'),
      question: 'Is buyer PII kept no longer than 30 days after the order is delivered?',
      controls: ['pii.redaction-scheduler', 'pii.redaction-backfill'],
    },
    {
      id: '2.2',
      title: 'Data governance',
      source: source('2.2', 'Data Governance'),
      question: 'Is buyer PII masked by default, and is every reveal logged and kept?',
      controls: ['pii.buyer-masked-by-default', 'audit.pii-reveal-retention'],
    },
    {
      id: '2.3',
      title: 'Asset management',
      source: source('2.3', 'Asset Management'),
      question: 'Are the systems holding PII inventoried and protected from loss?',
      controls: ['config.recorder-healthy', 'backup.dynamodb-pitr', 'storage.s3-versioning', 'identity.cognito-deletion-protection'],
    },
    {
      id: '2.4',
      title: 'Encryption at rest',
      source: source('2.4', 'Encryption at Rest'),
      question: 'Is PII encrypted at rest?',
      controls: ['storage.s3-encryption'],
    },
    {
      id: '2.5',
      title: 'Secure coding',
      source: source('2.5', 'Secure Coding Practices'),
      question: 'Are inputs and webhook sources authenticated, and is the code and its dependencies scanned for vulnerabilities?',
      controls: ['webhooks.signature-validation', 'vulnerability.scan-reports'],
    },
    {
      id: '2.6',
      title: 'Logging and monitoring',
      source: source('2.6', 'Logging and Monitoring'),
      question: 'Are access logs collected and kept (at least 12 months) without PII?',
      controls: ['logging.api-access-logs', 'logging.cloudwatch-pii-scan', 'retention.log-groups'],
      gap: (facts) =>
        facts.logRetentionDays < 365
          ? `Operational logs are kept ${facts.logRetentionDays} days (Addendum §22) while DPP §2.6 asks for 12 months of logs.`
          : undefined,
    },
    {
      id: '2.7',
      title: 'Vulnerability management',
      source: source('2.7', 'Vulnerability Management'),
      question: 'Are vulnerabilities found by scans and penetration tests, and fixed on a schedule?',
      controls: ['vulnerability.scan-reports'],
    },
  ],
};
