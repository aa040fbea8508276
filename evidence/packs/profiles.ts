import type { PackControlResult, PackRequirement, RequirementStatus } from './pack-model.ts';

/** What a profile knows when it answers: control results as of the period end, attestations, settings facts. */
export interface ProfileContext {
  controls: Map<string, PackControlResult>;
  /** document ids with a valid, unexpired attestation as of the period end */
  attestedDocuments: Set<string>;
  logRetentionDays: number;
  /** access review: pairs allowed outside the user's own agency (must be none) */
  crossAgencyGrants: number;
  /** access review: how many users it asked about (none: least privilege is not assessed) */
  reviewedUsers: number;
  /** Google: the privacy policy probe */
  limitedUse?: { url: string; statement: boolean; policyLink: boolean; error?: string };
  /** Google: OAuth scopes from the settings, with justification */
  scopes?: Array<{ scope: string; justification: string }>;
}

export interface RequirementDef {
  id: string;
  title: string;
  question: string;
  controls: string[];
  attestations?: string[];
  /** a gap stated plainly, when the platform does not (or cannot be shown to) meet the requirement */
  gap?: (ctx: ProfileContext) => string | undefined;
  /** status and answer from something other than controls (access review, probes) */
  custom?: (ctx: ProfileContext) => { status: RequirementStatus; answer: string };
}

const PASSING = new Set(['pass']);

/** Status and answer of one requirement from its controls, attestations and gap. */
export function answer(def: RequirementDef, ctx: ProfileContext): PackRequirement {
  const base = { id: def.id, title: def.title, question: def.question, controls: def.controls, attestations: def.attestations ?? [] };
  const gap = def.gap?.(ctx);
  if (def.custom) {
    const c = def.custom(ctx);
    return { ...base, status: gap && c.status === 'met' ? 'partial' : c.status, answer: c.answer, ...(gap ? { gap } : {}) };
  }
  const found = def.controls.map((id) => ctx.controls.get(id)).filter((r): r is PackControlResult => Boolean(r));
  // A control that has not run by the period's end says nothing about the requirement: it is not assessed, never
  // a failure and never a pass; a requirement with such a control is at best partial.
  const unassessed = found.filter((r) => r.status === 'never_run');
  const results = found.filter((r) => r.status !== 'never_run');
  const passing = results.filter((r) => PASSING.has(r.status));
  const missingDocs = (def.attestations ?? []).filter((d) => !ctx.attestedDocuments.has(d));
  const parts: string[] = [];
  for (const r of results)
    parts.push(`${r.controlId}: ${r.status}${r.summary ? ` (${r.summary})` : ''}${r.runs ? `, ${r.passes} of ${r.runs} runs passed in the period` : ''}.`);
  for (const r of unassessed) parts.push(`${r.controlId}: not run by the end of the period (not assessed).`);
  for (const d of def.attestations ?? []) parts.push(ctx.attestedDocuments.has(d) ? `${d}: attested and in force.` : `${d}: no attestation in force.`);
  let status: RequirementStatus;
  const checks = results.length + (def.attestations?.length ?? 0);
  const good = passing.length + (def.attestations?.length ?? 0) - missingDocs.length;
  if (checks === 0) status = gap ? 'gap' : 'not_assessed';
  else if (good === checks) status = gap || unassessed.length ? 'partial' : 'met';
  else if (good === 0) status = 'not_met';
  else status = 'partial';
  if (checks === 0 && !gap && !unassessed.length) parts.push('No control or attestation covers this requirement yet.');
  return { ...base, status, answer: parts.join(' '), ...(gap ? { gap } : {}) };
}

/** Amazon Services API Data Protection Policy, requirement by requirement. */
export const SP_API_REQUIREMENTS: RequirementDef[] = [
  {
    id: 'DPP-1.1',
    title: 'Network protection',
    question: 'Are systems holding Amazon Information protected from public access?',
    controls: ['storage.s3-public-access-block', 'network.cors-split', 'network.default-route-hardened'],
  },
  {
    id: 'DPP-1.2',
    title: 'Access management',
    question: 'Is access to Amazon Information authenticated with MFA and reviewed?',
    controls: ['identity.admin-mfa', 'identity.cognito-deletion-protection'],
  },
  {
    id: 'DPP-1.3',
    title: 'Least privilege',
    question: 'Can only the people who need it reach buyer PII and credentials?',
    controls: [],
    custom: (ctx) =>
      ctx.reviewedUsers === 0
        ? { status: 'not_assessed', answer: 'The access review found no users to ask about: there is nothing to judge yet.' }
        : ctx.crossAgencyGrants === 0
          ? {
              status: 'met',
              answer:
                'The access review (asked of the policy decision point for every user and client) finds no user who can reveal buyer PII, export or read credentials outside their own agency. See the Access review section.',
            }
          : {
              status: 'not_met',
              answer: `The access review finds ${ctx.crossAgencyGrants} grant(s) outside the user's own agency. See the Access review section.`,
            },
  },
  {
    id: 'DPP-1.4',
    title: 'Credential management',
    question: 'Are credentials kept out of code and configuration, and rotated?',
    controls: ['secrets.whatsapp-in-secrets-manager', 'secrets.no-legacy-env-credentials'],
    attestations: ['runbook.secrets-rotation'],
  },
  {
    id: 'DPP-1.5',
    title: 'Encryption in transit',
    question: 'Is Amazon Information encrypted in transit (TLS 1.2+)?',
    controls: ['network.cors-split'],
    gap: () => 'Tenet does not yet probe the TLS versions the endpoints accept; API Gateway HTTPS-only endpoints are asserted, not measured.',
  },
  {
    id: 'DPP-1.6',
    title: 'Incident response',
    question: 'Is there an incident response plan that notifies Amazon within 24 hours?',
    controls: [],
    attestations: ['runbook.incident-response'],
    gap: (ctx) =>
      ctx.attestedDocuments.has('runbook.incident-response')
        ? undefined
        : 'No signed attestation of an incident response runbook (24-hour notice to Amazon) is on record.',
  },
  {
    id: 'DPP-1.7',
    title: 'Deletion and return',
    question: 'Is Amazon Information deleted or returned on request and at the end of use?',
    controls: [],
    attestations: ['runbook.data-deletion-export'],
  },
  {
    id: 'DPP-2.1',
    title: 'PII retention',
    question: 'Is buyer PII kept no longer than 30 days after order delivery?',
    controls: ['pii.redaction-scheduler', 'pii.redaction-backfill', 'pii.buyer-masked-by-default'],
  },
  {
    id: 'DPP-2.2',
    title: 'Data governance',
    question: 'Is buyer PII masked by default, and are reveals audited?',
    controls: ['pii.buyer-masked-by-default', 'audit.pii-reveal-retention'],
  },
  {
    id: 'DPP-2.3',
    title: 'Asset management',
    question: 'Are the systems holding Amazon Information inventoried and backed up?',
    controls: ['backup.dynamodb-pitr', 'storage.s3-versioning'],
  },
  { id: 'DPP-2.4', title: 'Encryption at rest', question: 'Is Amazon Information encrypted at rest?', controls: ['storage.s3-encryption'] },
  {
    id: 'DPP-2.5',
    title: 'Secure coding',
    question: 'Are inputs validated and webhook sources authenticated?',
    controls: ['webhooks.signature-validation'],
    gap: () => 'No static analysis or dependency scanning evidence is collected by Tenet.',
  },
  {
    id: 'DPP-2.6',
    title: 'Logging and monitoring',
    question: 'Are access logs kept (12 months) without PII?',
    controls: ['logging.api-access-logs', 'logging.cloudwatch-pii-scan', 'retention.log-groups'],
    gap: (ctx) =>
      ctx.logRetentionDays < 365
        ? `Operational logs are kept ${ctx.logRetentionDays} days (Addendum §22) while DPP 2.6 asks for 12 months of logs.`
        : undefined,
  },
  {
    id: 'DPP-2.7',
    title: 'Vulnerability management',
    question: 'Are vulnerabilities found and fixed on a schedule?',
    controls: [],
    gap: () => 'No vulnerability scanning or penetration test evidence is collected by Tenet.',
  },
];

/** Google API Services User Data Policy (Limited Use) and the controls a CASA tier-2 assessment looks at. */
export const GOOGLE_REQUIREMENTS: RequirementDef[] = [
  {
    id: 'GOOGLE-LU-1',
    title: 'Limited Use disclosure',
    question: 'Does the privacy policy state adherence to the Google API Services User Data Policy, including the Limited Use requirements, with a link?',
    controls: [],
    custom: (ctx) => {
      const p = ctx.limitedUse;
      if (!p) return { status: 'not_assessed', answer: 'No privacy policy URL is configured (packs.google.privacyPolicyUrl).' };
      if (p.error) return { status: 'not_assessed', answer: `The privacy policy at ${p.url} could not be read: ${p.error}.` };
      if (p.statement && p.policyLink)
        return {
          status: 'met',
          answer: `The privacy policy at ${p.url} carries the Limited Use statement and links the Google API Services User Data Policy.`,
        };
      return {
        status: 'not_met',
        answer: `The privacy policy at ${p.url} ${p.statement ? 'has the statement but no link to the policy' : 'lacks the Limited Use statement'}.`,
      };
    },
  },
  {
    id: 'GOOGLE-LU-2',
    title: 'OAuth scopes and their justification',
    question: 'Which Google scopes are requested, and why is each needed?',
    controls: [],
    custom: (ctx) => {
      const s = ctx.scopes ?? [];
      if (!s.length) return { status: 'not_assessed', answer: 'No scopes are configured (packs.google.scopes).' };
      const bare = s.filter((x) => !x.justification.trim());
      return bare.length
        ? { status: 'not_met', answer: `${bare.length} of ${s.length} scopes have no justification.` }
        : { status: 'met', answer: `${s.length} scopes in use, each with its justification (see the OAuth scopes section).` };
    },
  },
  {
    id: 'GOOGLE-LU-3',
    title: 'Token storage',
    question: 'Are OAuth tokens and client secrets stored securely, out of code and configuration?',
    controls: ['secrets.no-legacy-env-credentials', 'storage.s3-encryption'],
    attestations: ['runbook.secrets-rotation'],
  },
  {
    id: 'GOOGLE-LU-4',
    title: 'Deletion and export',
    question: 'Can users have their Google data deleted or exported?',
    controls: [],
    attestations: ['runbook.data-deletion-export'],
  },
  {
    id: 'CASA-1.4',
    title: 'Storage not publicly accessible',
    question: 'Is stored user data protected from public access?',
    controls: ['storage.s3-public-access-block'],
  },
  { id: 'CASA-2.1', title: 'Multi-factor authentication', question: 'Do administrators authenticate with MFA?', controls: ['identity.admin-mfa'] },
  { id: 'CASA-6.2', title: 'Encryption at rest', question: 'Is user data encrypted at rest?', controls: ['storage.s3-encryption', 'backup.dynamodb-pitr'] },
  {
    id: 'CASA-7.1',
    title: 'Security logging without sensitive data',
    question: 'Are security events logged, and are logs free of sensitive data?',
    controls: ['logging.api-access-logs', 'logging.cloudwatch-pii-scan'],
  },
  {
    id: 'CASA-8.3',
    title: 'Data retention and deletion',
    question: 'Is data kept no longer than needed?',
    controls: ['retention.log-groups', 'retention.conversation-ttl', 'storage.s3-lifecycle'],
  },
  {
    id: 'CASA-14.4',
    title: 'HTTP security configuration',
    question: "Are cross-origin requests restricted to the application's own origins?",
    controls: ['network.cors-split', 'network.default-route-hardened'],
  },
  {
    id: 'CASA-10.x',
    title: 'Malicious code and dependency checks',
    question: 'Are third-party components scanned for known vulnerabilities?',
    controls: [],
    gap: () => 'No dependency or SAST scanning evidence is collected by Tenet; a CASA tier-2 scan will be needed.',
  },
];
