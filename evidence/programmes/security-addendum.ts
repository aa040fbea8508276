import type { Programme, RequirementDef } from './programme.ts';

const ADDENDUM = 'Data Handling and Integration Security Addendum';

/** §28's commitments, in the Addendum's order (its bullets are unnumbered: 28.1 is the first). */
const COMMITMENTS: Array<[title: string, question: string, controls: string[]]> = [
  ['WhatsApp credentials stored in Secrets Manager', 'Are the WhatsApp credentials held in AWS Secrets Manager?', ['secrets.whatsapp-in-secrets-manager']],
  [
    'Legacy WhatsApp credential environment variables removed',
    'Are WhatsApp credentials gone from Lambda environment variables?',
    ['secrets.no-legacy-env-credentials'],
  ],
  ['Buyer PII masked by default in order APIs and UI', 'Do the order APIs return buyer PII masked unless revealed?', ['pii.buyer-masked-by-default']],
  ['Buyer PII redaction scheduler deployed', 'Does the redaction job run at least daily?', ['pii.redaction-scheduler']],
  ['Historical buyer PII redaction backfill completed', 'Is buyer PII gone from orders delivered over 30 days ago?', ['pii.redaction-backfill']],
  ['API Gateway access logging with PII-safe fields', 'Do the production API stages log access in PII-safe structured fields?', ['logging.api-access-logs']],
  ['Admin and agency MFA configured', 'Is MFA required for administrators and agency admins?', ['identity.admin-mfa']],
  ['Cognito deletion protection enabled', 'Are the production user pools protected from deletion?', ['identity.cognito-deletion-protection']],
  [
    'S3 public access block, encryption, versioning and lifecycle verified',
    'Are the production buckets private, encrypted, versioned and expiring temporary files?',
    ['storage.s3-public-access-block', 'storage.s3-encryption', 'storage.s3-versioning', 'storage.s3-lifecycle', 'config.recorder-healthy'],
  ],
  [
    'Webhook provider signature validation verified',
    'Do the webhook endpoints refuse unsigned and wrongly signed requests?',
    ['webhooks.signature-validation'],
  ],
  ['Production and staging CORS separated', 'Does production allow only its own origins (no staging or local origins)?', ['network.cors-split']],
  [
    'Production $default route hardened or replaced',
    'Is the production $default route gone or behind an authorizer, with only explicit public routes?',
    ['network.default-route-hardened'],
  ],
  ['CloudWatch PII log scan completed after deployment', 'Has the log scan since the last deployment found no PII?', ['logging.cloudwatch-pii-scan']],
  ['Secrets rotation and data deletion/export runbooks documented', 'Are both runbooks attested and current?', ['governance.runbooks']],
];

const commitments: RequirementDef[] = COMMITMENTS.map(([title, question, controls], i) => ({
  id: `28.${i + 1}`,
  title,
  source: `${ADDENDUM} §28 Operational control commitments for restricted integrations`,
  question,
  controls,
}));

/**
 * The governed platform's own Addendum: §28's fourteen commitments (no restricted integration is production-ready
 * until they are live), and the sections the controls also verify: §13.2 buyer PII, §21 security controls, §22
 * retention and §23 audit logs.
 */
export const SECURITY_ADDENDUM: Programme = {
  id: 'security-addendum',
  title: 'Security Addendum commitments',
  source: ADDENDUM,
  // Its commitments hold for every restricted integration: only an exception for all integrations covers them.
  integrations: [],
  requirements: [
    ...commitments,
    {
      id: '13.2',
      title: 'Amazon buyer PII restrictions',
      source: `${ADDENDUM} §13.2 Amazon buyer PII restrictions`,
      question: 'Is buyer PII hidden by default, revealed only by an authorised user (with MFA), and is every reveal logged for 365 days?',
      controls: ['pii.buyer-masked-by-default', 'identity.admin-mfa', 'audit.pii-reveal-retention'],
    },
    {
      id: '21',
      title: 'Security controls',
      source: `${ADDENDUM} §21 Security controls`,
      question:
        'Are the safeguards in place: access checks and their review, encryption in transit and at rest, backups, vulnerability management and incident response?',
      controls: [
        'access.review-certified',
        'network.tls-versions',
        'storage.s3-encryption',
        'storage.s3-public-access-block',
        'backup.dynamodb-pitr',
        'config.recorder-healthy',
        'vulnerability.scan-reports',
        'incident.notification-on-time',
      ],
    },
    {
      id: '22',
      title: 'Retention schedule',
      source: `${ADDENDUM} §22 Retention schedule`,
      question: 'Is each data category kept no longer than the schedule says (buyer PII 30 days, chats 30 days, files 14 days, logs 180 days)?',
      controls: ['pii.redaction-scheduler', 'pii.redaction-backfill', 'retention.conversation-ttl', 'storage.s3-lifecycle', 'retention.log-groups'],
    },
    {
      id: '23',
      title: 'Audit logs and monitoring',
      source: `${ADDENDUM} §23 Audit logs and monitoring`,
      question: 'Do logs avoid unnecessary PII and credentials, and are PII reveal events kept 365 days?',
      controls: ['logging.cloudwatch-pii-scan', 'audit.pii-reveal-retention'],
    },
  ],
};
