/** The controls each integration of the demo platform needs for its readiness. */
export const AMAZON_CONTROLS = [
  'identity.admin-mfa',
  'identity.cognito-deletion-protection',
  'storage.s3-public-access-block',
  'storage.s3-encryption',
  'network.default-route-hardened',
  'logging.api-access-logs',
  'webhooks.signature-validation',
  'pii.buyer-masked-by-default',
  'pii.redaction-scheduler',
  'pii.redaction-backfill',
  'audit.pii-reveal-retention',
  'logging.cloudwatch-pii-scan',
];
export const GOOGLE_CONTROLS = [
  'identity.admin-mfa',
  'storage.s3-public-access-block',
  'storage.s3-encryption',
  'network.cors-split',
  'logging.api-access-logs',
  'logging.cloudwatch-pii-scan',
  'governance.runbooks',
];
export const WHATSAPP_CONTROLS = [
  'identity.admin-mfa',
  'secrets.whatsapp-in-secrets-manager',
  'secrets.no-legacy-env-credentials',
  'retention.conversation-ttl',
  'webhooks.signature-validation',
  'logging.cloudwatch-pii-scan',
];
