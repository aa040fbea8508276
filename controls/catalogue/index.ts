import type { AnyControlDefinition } from '../define-control.ts';
import accessReviewCertified from './access-review-certified.ts';
import auditPiiRevealRetention from './audit-pii-reveal-retention.ts';
import backupDynamodbPitr from './backup-dynamodb-pitr.ts';
import configRecorderHealthy from './config-recorder-healthy.ts';
import governanceRunbooks from './governance-runbooks.ts';
import incidentNotificationOnTime from './incident-notification-on-time.ts';
import identityAdminMfa from './identity-admin-mfa.ts';
import identityCognitoDeletionProtection from './identity-cognito-deletion-protection.ts';
import loggingApiAccessLogs from './logging-api-access-logs.ts';
import loggingCloudwatchPiiScan from './logging-cloudwatch-pii-scan.ts';
import networkCorsSplit from './network-cors-split.ts';
import networkDefaultRouteHardened from './network-default-route-hardened.ts';
import networkTlsVersions from './network-tls-versions.ts';
import piiBuyerMaskedByDefault from './pii-buyer-masked-by-default.ts';
import piiRedactionBackfill from './pii-redaction-backfill.ts';
import piiRedactionScheduler from './pii-redaction-scheduler.ts';
import retentionConversationTtl from './retention-conversation-ttl.ts';
import retentionLogGroups from './retention-log-groups.ts';
import secretsNoLegacyEnvCredentials from './secrets-no-legacy-env-credentials.ts';
import secretsWhatsappInSecretsManager from './secrets-whatsapp-in-secrets-manager.ts';
import storageS3Encryption from './storage-s3-encryption.ts';
import storageS3Lifecycle from './storage-s3-lifecycle.ts';
import storageS3PublicAccessBlock from './storage-s3-public-access-block.ts';
import storageS3Versioning from './storage-s3-versioning.ts';
import vulnerabilityScanReports from './vulnerability-scan-reports.ts';
import webhooksSignatureValidation from './webhooks-signature-validation.ts';

/** The catalogue. Ids are a contract (API, readiness config, evidence packs): never rename one. */
export const CATALOGUE: ReadonlyArray<AnyControlDefinition> = [
  identityAdminMfa,
  identityCognitoDeletionProtection,
  storageS3PublicAccessBlock,
  storageS3Encryption,
  storageS3Versioning,
  storageS3Lifecycle,
  networkCorsSplit,
  networkDefaultRouteHardened,
  networkTlsVersions,
  vulnerabilityScanReports,
  loggingApiAccessLogs,
  loggingCloudwatchPiiScan,
  webhooksSignatureValidation,
  piiBuyerMaskedByDefault,
  piiRedactionScheduler,
  piiRedactionBackfill,
  secretsWhatsappInSecretsManager,
  secretsNoLegacyEnvCredentials,
  governanceRunbooks,
  retentionLogGroups,
  retentionConversationTtl,
  backupDynamodbPitr,
  auditPiiRevealRetention,
  configRecorderHealthy,
  accessReviewCertified,
  incidentNotificationOnTime,
];

export const CONTROLS_BY_ID: ReadonlyMap<string, AnyControlDefinition> = new Map(CATALOGUE.map((c) => [c.id, c]));
