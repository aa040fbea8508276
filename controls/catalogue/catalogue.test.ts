import { describe, expect, it } from 'vitest';
import { NOT_APPLICABLE, type Attestation, type EvidenceSources, type InventoryItem } from '../define-control.ts';
import { runControl } from '../runner.ts';
import { parseControlSettings } from '../settings.ts';
import { CATALOGUE, CONTROLS_BY_ID } from './index.ts';
import type { LogScanEvidence } from '../log-scan-evidence.ts';
import type { ScanReportSummary, TlsProbeResult } from '../define-control.ts';
import type { AccessCertificationEvidence } from '../access-certification-evidence.ts';
import type { IncidentEvidence } from '../define-control.ts';

const settings = parseControlSettings({
  requirements: { redactionFunction: 'pii-redactor', productionCorsOrigins: ['https://app.astrix.example'], publicRoutes: ['POST /webhooks/stripe'] },
});

let n = 0;
function item(
  resourceType: string,
  env: string | undefined,
  configuration: Record<string, unknown> = {},
  supplementaryConfiguration: Record<string, unknown> = {},
  tags: Record<string, string> = {},
): InventoryItem {
  n++;
  return {
    resourceType,
    resourceId: `r-${n}`,
    resourceName: `res-${n}`,
    awsRegion: 'ap-south-1',
    accountId: env === 'staging' ? '222222222222' : '111111111111',
    tags: env ? { environment: env, ...tags } : tags,
    configuration,
    supplementaryConfiguration,
    configurationItemCaptureTime: new Date().toISOString(),
    ...(env ? { environment: env } : {}),
  };
}

interface Fixture {
  items?: InventoryItem[];
  inventoryErrors?: Array<{ source: string; message: string }>;
  webhooks?: Awaited<ReturnType<EvidenceSources['webhookProbes']>>;
  orders?: Awaited<ReturnType<EvidenceSources['orderProbe']>>;
  unredacted?: Awaited<ReturnType<EvidenceSources['unredactedOrders']>>;
  attestations?: Attestation[];
  self?: { configuredDays: number; oldestRowAgeDays: number | null; updateRefused: boolean };
  allowWithoutMfa?: boolean;
  logScan?: LogScanEvidence;
  tls?: TlsProbeResult[];
  scanReports?: ScanReportSummary[];
  accessCertification?: AccessCertificationEvidence;
  incidents?: IncidentEvidence;
  throws?: boolean;
}

function sources(f: Fixture): EvidenceSources {
  const boom = async (): Promise<never> => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:1');
  };
  return {
    inventory: f.throws
      ? boom
      : async (types) =>
          f.items || f.inventoryErrors
            ? { items: (f.items ?? []).filter((i) => types.includes(i.resourceType)), errors: f.inventoryErrors ?? [] }
            : NOT_APPLICABLE,
    webhookProbes: f.throws ? boom : async () => f.webhooks ?? NOT_APPLICABLE,
    orderProbe: f.throws ? boom : async () => f.orders ?? NOT_APPLICABLE,
    unredactedOrders: f.throws ? boom : async () => f.unredacted ?? NOT_APPLICABLE,
    attestations: f.throws ? boom : async () => f.attestations ?? NOT_APPLICABLE,
    // The shipped policies' answers: admin actions allowed with MFA, denied without by the MFA policy.
    authorize: async (r) =>
      r.context?.mfa === true || f.allowWithoutMfa
        ? { decision: 'allow', reasons: ['permit-agency-admin-administration'], errors: [] }
        : { decision: 'deny', reasons: ['forbid-administration-without-admin-mfa'], errors: [] },
    self: f.throws ? boom : async () => f.self ?? NOT_APPLICABLE,
    logScan: f.throws ? boom : async () => f.logScan ?? NOT_APPLICABLE,
    tlsProbes: f.throws ? boom : async () => f.tls ?? NOT_APPLICABLE,
    scanReports: f.throws ? boom : async () => f.scanReports ?? NOT_APPLICABLE,
    accessCertification: f.throws ? boom : async () => f.accessCertification ?? NOT_APPLICABLE,
    incidents: f.throws ? boom : async () => f.incidents ?? NOT_APPLICABLE,
  };
}

const inventoryError = {
  inventoryErrors: [{ source: 'aws:111111111111:ap-south-1:ConfigService.SelectResourceConfig', message: 'ThrottlingException: Rate exceeded' }],
};
const BUCKET = 'AWS::S3::Bucket';
const allFlags = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
const days = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
const attestation = (documentId: string, ageDays: number, expiresInDays = 300): Attestation => ({
  documentId,
  title: documentId,
  attestedBy: 'priya@astrix.example',
  attestedAt: days(ageDays),
  expiresAt: days(-expiresInDays),
  digest: 'a'.repeat(64),
  kid: 'k1',
});
const stage = (apiId: string, format: string | undefined, dest = 'arn:aws:logs:ap-south-1:111111111111:log-group:api') =>
  item('AWS::ApiGatewayV2::Stage', 'production', {
    apiId,
    stageName: 'prod',
    ...(format === undefined ? {} : { accessLogSettings: { destinationArn: dest, format } }),
  });
const goodFormat = JSON.stringify({ requestId: '$context.requestId', status: '$context.status', sub: '$context.authorizer.claims.sub' });

/** For every control: a fixture that passes, one that fails (with the finding text expected) and one that errors. */
const scan = (over: Partial<LogScanEvidence> = {}): LogScanEvidence => ({
  window: { since: Date.now() - 86_400_000, until: Date.now(), reason: 'deployment', deployment: 'v42' },
  scans: 3,
  groups: [{ accountId: '111111111111', region: 'ap-south-1', logGroupName: '/aws/lambda/order-import', eventsScanned: 5000, bytesScanned: 1e6, status: 'ok' }],
  counts: {},
  byGroup: [],
  samples: [],
  errors: [],
  ...over,
});

/** The latest imported report of a kind, scanned `ageDays` ago, with these open findings. */
const scanReport = (kind: ScanReportSummary['kind'], ageDays: number, open: Partial<ScanReportSummary['open']> = {}): ScanReportSummary => ({
  id: `${kind}-1`,
  kind,
  format: 'npm-audit',
  tool: 'npm audit',
  scannedAt: days(ageDays),
  importedAt: days(ageDays),
  sha256: 'a'.repeat(64),
  evidenceSeq: 7,
  open: { critical: 0, high: 0, medium: 0, low: 0, unrated: 0, ...open },
});

/** Incident register facts: each incident's status, review and clocks (the rest filled in). */
const incidents = (list: Array<Pick<IncidentEvidence['incidents'][number], 'status' | 'reviewed' | 'clocks'>>): IncidentEvidence => ({
  asOf: new Date().toISOString(),
  days: 90,
  incidents: list.map((i, n) => ({
    id: `INC-20261101-00000${n + 1}`,
    title: 'token leaked',
    severity: 'high',
    detectedAt: days(10),
    closedAt: i.status === 'closed' ? days(1) : null,
    ...i,
  })),
});

/** One probed TLS endpoint: `accepted` lists the versions it accepted; a certificate good for `certDays` more days. */
const tlsEndpoint = (accepted: string[], certDays = 200, over: Partial<NonNullable<TlsProbeResult['certificate']>> = {}): TlsProbeResult => ({
  name: 'api',
  host: 'api.astrix.example',
  port: 443,
  servername: 'api.astrix.example',
  versions: (['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).map((version) => ({ version, result: accepted.includes(version) ? 'accepted' : 'refused' })),
  certificate: {
    subjectCN: 'api.astrix.example',
    sans: ['DNS:api.astrix.example'],
    issuer: 'Amazon RSA 2048 M02, Amazon',
    validFrom: days(100),
    validTo: days(-certDays),
    daysToExpiry: certDays,
    fingerprint256: 'AB:CD',
    authorized: true,
    ...over,
  },
});

const cases: Record<string, { pass: Fixture; fail: Fixture; failMessage: RegExp; error?: Fixture }> = {
  'access.review-certified': {
    pass: {
      accessCertification: {
        asOf: new Date().toISOString(),
        current: [{ user: 'asha', action: 'reveal_buyer_pii', client: 'chai-co' }],
        certification: {
          id: 'c1',
          certifiedAt: days(10),
          certifiedBy: 'Priya (user priya)',
          sha256: 'a'.repeat(64),
          evidenceSeq: 4,
          intact: true,
          decisions: [
            { user: 'asha', action: 'reveal_buyer_pii', client: 'chai-co', decision: 'keep' },
            { user: 'ravi', action: 'reveal_buyer_pii', client: 'kora-home', decision: 'revoke' },
          ],
        },
      },
    },
    fail: {
      accessCertification: {
        asOf: new Date().toISOString(),
        current: [
          { user: 'asha', action: 'reveal_buyer_pii', client: 'chai-co' },
          { user: 'ravi', action: 'reveal_buyer_pii', client: 'kora-home' },
        ],
        certification: {
          id: 'c1',
          certifiedAt: days(10),
          certifiedBy: 'Priya (user priya)',
          sha256: 'a'.repeat(64),
          evidenceSeq: 4,
          intact: true,
          decisions: [{ user: 'ravi', action: 'reveal_buyer_pii', client: 'kora-home', decision: 'revoke' }],
        },
      },
    },
    failMessage:
      /asha may reveal_buyer_pii on client chai-co: a grant that appeared after the review[\s\S]*ravi may reveal_buyer_pii on client kora-home: revoked in the review of \d{4}-\d\d-\d\d, still granted/,
  },
  'logging.cloudwatch-pii-scan': {
    pass: { logScan: scan(), items: [item('AWS::Lambda::Function', 'production', { functionName: 'order-import' })] },
    fail: {
      logScan: scan({
        counts: { in_phone: 2 },
        byGroup: [{ logGroupName: '/aws/lambda/order-import', logStreamName: '2026/11/23/[$LATEST]ab', detector: 'in_phone', count: 2 }],
        samples: [
          {
            logGroupName: '/aws/lambda/order-import',
            logStreamName: '2026/11/23/[$LATEST]ab',
            detector: 'in_phone',
            masked: '98******10',
            fingerprint: 'f'.repeat(32),
            timestamp: Date.now(),
          },
        ],
      }),
      items: [],
    },
    failMessage: /2 in_phone value\(s\) in \/aws\/lambda\/order-import \(stream 2026\/11\/23\/\[\$LATEST\]ab\), e.g. 98\*{6}10/,
    error: {
      logScan: scan({ errors: [{ source: 'aws:111111111111:ap-south-1:CloudWatchLogs.FilterLogEvents:/aws/lambda/x', message: 'ThrottlingException' }] }),
    },
  },
  'identity.admin-mfa': {
    pass: {
      items: [
        item('AWS::Cognito::UserPool', 'production', { MfaConfiguration: 'ON' }),
        item('AWS::Cognito::UserPool', 'production', { MfaConfiguration: 'OPTIONAL' }),
        item('AWS::Cognito::UserPool', 'staging', { MfaConfiguration: 'OFF' }),
      ],
    },
    fail: { items: [item('AWS::Cognito::UserPool', 'production', { MfaConfiguration: 'OPTIONAL' })], allowWithoutMfa: true },
    failMessage: /MFA OPTIONAL and the active policies do not show MFA is enforced: manage_users is allowed without MFA/,
  },
  'identity.cognito-deletion-protection': {
    pass: {
      items: [
        item('AWS::Cognito::UserPool', 'production', { DeletionProtection: 'ACTIVE' }),
        item('AWS::Cognito::UserPool', 'staging', { DeletionProtection: 'INACTIVE' }),
      ],
    },
    fail: { items: [item('AWS::Cognito::UserPool', 'production', { DeletionProtection: 'INACTIVE' })] },
    failMessage: /deletion protection INACTIVE/,
  },
  'storage.s3-public-access-block': {
    pass: {
      items: [
        item('AWS::S3::AccountPublicAccessBlock', undefined, allFlags),
        item(BUCKET, 'production'),
        item(BUCKET, 'staging', {}, { PublicAccessBlockConfiguration: allFlags }),
      ],
    },
    fail: { items: [item(BUCKET, 'production', {}, { PublicAccessBlockConfiguration: { ...allFlags, restrictPublicBuckets: false } })] },
    failMessage: /lacks restrictPublicBuckets/,
  },
  'storage.s3-encryption': {
    pass: {
      items: [
        item(BUCKET, 'production', {}, { ServerSideEncryptionConfiguration: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] } }),
      ],
    },
    fail: { items: [item(BUCKET, 'staging', {}, {})] },
    failMessage: /no default server-side encryption/,
  },
  'storage.s3-versioning': {
    pass: {
      items: [
        item(BUCKET, 'production', {}, { BucketVersioningConfiguration: { status: 'Enabled' } }),
        item(BUCKET, 'staging', {}, { BucketVersioningConfiguration: { status: 'Off' } }),
      ],
    },
    fail: { items: [item(BUCKET, 'production', {}, { BucketVersioningConfiguration: { status: 'Suspended' } })] },
    failMessage: /versioning Suspended/,
  },
  'storage.s3-lifecycle': {
    pass: {
      items: [
        item(
          BUCKET,
          'production',
          {},
          { BucketLifecycleConfiguration: { rules: [{ status: 'Enabled', expirationInDays: 7 }] } },
          { 'data-class': 'temporary' },
        ),
      ],
    },
    fail: {
      items: [
        item(
          BUCKET,
          'production',
          {},
          { BucketLifecycleConfiguration: { rules: [{ status: 'Enabled', expirationInDays: 30 }] } },
          { 'data-class': 'temporary' },
        ),
      ],
    },
    failMessage: /tagged data-class=temporary but no enabled rule expires objects across the whole bucket within 14 days \(shortest 30\)/,
  },
  'network.cors-split': {
    pass: {
      items: [
        item('AWS::ApiGatewayV2::Api', 'production', { corsConfiguration: { allowOrigins: ['https://app.astrix.example'] } }),
        item('AWS::ApiGatewayV2::Api', 'staging', { corsConfiguration: { allowOrigins: ['https://staging.astrix.example', 'http://localhost:3000'] } }),
      ],
    },
    fail: {
      items: [
        item('AWS::ApiGatewayV2::Api', 'production', {
          corsConfiguration: { allowOrigins: ['https://app.astrix.example', 'https://staging.astrix.example/'] },
        }),
        item('AWS::ApiGatewayV2::Api', 'staging', { corsConfiguration: { allowOrigins: ['https://staging.astrix.example'] } }),
      ],
    },
    failMessage: /origin https:\/\/staging.astrix.example is allowed by production API .* and by staging API/,
  },
  'network.default-route-hardened': {
    pass: {
      items: [
        { ...item('AWS::ApiGatewayV2::Api', 'production'), resourceId: 'api1' },
        item('AWS::ApiGatewayV2::Route', undefined, { apiId: 'api1', routeKey: '$default', authorizationType: 'JWT' }),
      ],
    },
    fail: {
      items: [
        { ...item('AWS::ApiGatewayV2::Api', 'production'), resourceId: 'api2' },
        item('AWS::ApiGatewayV2::Route', undefined, { apiId: 'api2', routeKey: '$default', authorizationType: 'NONE' }),
      ],
    },
    failMessage: /has a catch-all route \$default with authorization NONE/,
  },
  'network.tls-versions': {
    pass: { tls: [tlsEndpoint(['TLSv1.2', 'TLSv1.3'])] },
    fail: {
      tls: [
        tlsEndpoint(['TLSv1', 'TLSv1.1', 'TLSv1.2']),
        { ...tlsEndpoint(['TLSv1.3'], 5), name: 'cdn', host: 'cdn.astrix.example' },
        { ...tlsEndpoint(['TLSv1.2'], -3, { authorized: false, authorizationError: 'CERT_HAS_EXPIRED' }), name: 'old', host: 'old.astrix.example' },
      ],
    },
    failMessage:
      /api accepts TLSv1 and TLSv1.1 \(older than TLS 1.2\)\ncdn: certificate api.astrix.example expires on .*, within 14 days\nold: certificate api.astrix.example expired on .*\nold: certificate api.astrix.example does not verify: CERT_HAS_EXPIRED/,
    error: { tls: [{ ...tlsEndpoint([]), certificate: undefined, versions: [{ version: 'TLSv1', result: 'error', detail: 'ECONNREFUSED' }] }] },
  },
  'logging.api-access-logs': {
    pass: { items: [stage('a1', goodFormat)] },
    fail: {
      items: [
        stage('a1', JSON.stringify({ requestId: '$context.requestId', status: '$context.status', email: '$context.authorizer.claims.email' })),
        stage('a2', undefined),
      ],
    },
    failMessage: /format logs \$context.authorizer.claims.email, which is not on the PII-safe list/,
  },
  'webhooks.signature-validation': {
    pass: {
      webhooks: [
        { name: 'stripe', provider: 'stripe', url: 'https://h/stripe', case: 'unsigned', status: 400, reject: [400, 401, 403] },
        { name: 'stripe', provider: 'stripe', url: 'https://h/stripe', case: 'bad-signature', status: 400, reject: [400, 401, 403] },
        { name: 'stripe', provider: 'stripe', url: 'https://h/stripe', case: 'signed', status: 200, reject: [400, 401, 403] },
        { name: 'stripe', provider: 'stripe', url: 'https://h/stripe', case: 'replayed', status: 400, reject: [400, 401, 403] },
      ],
    },
    fail: {
      webhooks: [
        { name: 'wa', provider: 'whatsapp', url: 'https://h/wa', case: 'unsigned', status: 401 },
        { name: 'wa', provider: 'whatsapp', url: 'https://h/wa', case: 'bad-signature', status: 200 },
        { name: 'wa', provider: 'whatsapp', url: 'https://h/wa', case: 'signed', status: 200 },
      ],
    },
    failMessage: /whatsapp webhook wa answered 200 to a wrongly signed request/,
    error: { webhooks: [{ name: 'wa', provider: 'whatsapp', url: 'https://h/wa', case: 'unsigned', error: 'timed out' }] },
  },
  'pii.buyer-masked-by-default': {
    pass: { orders: { url: 'https://h/orders', status: 200, orders: 3, fields: [{ field: 'buyer.name', masked: 3, unmasked: 0, absent: 0 }] } },
    fail: { orders: { url: 'https://h/orders', status: 200, orders: 3, fields: [{ field: 'buyer.phone', masked: 1, unmasked: 2, absent: 0 }] } },
    failMessage: /buyer field buyer.phone came back unmasked on 2 of 3 orders/,
    error: { orders: { url: 'https://h/orders', status: 502, orders: 0, fields: [] } },
  },
  'pii.redaction-scheduler': {
    pass: {
      items: [
        item('AWS::Events::Rule', 'production', {
          name: 'nightly',
          state: 'ENABLED',
          scheduleExpression: 'rate(1 day)',
          targets: [{ arn: 'arn:aws:lambda:ap-south-1:111111111111:function:pii-redactor' }],
        }),
      ],
    },
    fail: {
      items: [
        item('AWS::Events::Rule', 'production', {
          name: 'weekly',
          state: 'ENABLED',
          scheduleExpression: 'cron(0 3 ? * SUN *)',
          targets: [{ arn: 'arn:aws:lambda:ap-south-1:111111111111:function:pii-redactor' }],
        }),
      ],
    },
    failMessage: /runs cron\(0 3 \? \* SUN \*\), less often than daily/,
  },
  'pii.redaction-backfill': {
    pass: { unredacted: { count: 0, sample: [], olderThanDays: 30 } },
    fail: { unredacted: { count: 2, sample: ['o-1', 'o-2'], olderThanDays: 30 } },
    failMessage: /order o-1 was delivered over 30 days ago/,
  },
  'vulnerability.scan-reports': {
    pass: { scanReports: [scanReport('dependency-audit', 3, { low: 2 }), scanReport('sast', 40, { medium: 1, unrated: 4 })] },
    fail: {
      scanReports: [scanReport('dependency-audit', 45), scanReport('sast', 10, { critical: 1, high: 2 }), scanReport('pentest', 200, { high: 1 })],
    },
    failMessage:
      /the latest dependency audit \(npm audit\) ran on .*, 45 days ago: older than 30 days\nthe latest static analysis \(SAST\) \(npm audit, .*\) has 1 critical and 2 high finding\(s\) open\nthe latest penetration test \(npm audit, .*\) has 0 critical and 1 high finding\(s\) open/,
  },
  'secrets.whatsapp-in-secrets-manager': {
    pass: { items: [item('AWS::SecretsManager::Secret', 'production', { name: 'prod/whatsapp/api', rotationEnabled: true })] },
    fail: { items: [item('AWS::SecretsManager::Secret', 'production', { name: 'prod/stripe/api', rotationEnabled: true })] },
    failMessage: /no production Secrets Manager secret holds the WhatsApp credentials/,
  },
  'secrets.no-legacy-env-credentials': {
    pass: {
      items: [item('AWS::Lambda::Function', 'production', { functionName: 'inbound', environment: { variables: { WHATSAPP_SECRET_ARN: '[redacted]' } } })],
    },
    fail: {
      items: [item('AWS::Lambda::Function', 'production', { functionName: 'inbound', environment: { variables: { WHATSAPP_ACCESS_TOKEN: '[redacted]' } } })],
    },
    failMessage: /still has credential variable\(s\) WHATSAPP_ACCESS_TOKEN/,
  },
  'governance.runbooks': {
    pass: { attestations: [attestation('runbook.secrets-rotation', 10), attestation('runbook.data-deletion-export', 200)] },
    fail: { attestations: [attestation('runbook.secrets-rotation', 400, 30)] },
    failMessage: /runbook.secrets-rotation was last attested .*, over 365 days ago/,
  },
  'retention.log-groups': {
    pass: {
      items: [
        item('AWS::Logs::LogGroup', 'production', { logGroupName: '/aws/lambda/a', retentionInDays: 180 }),
        item('AWS::Logs::LogGroup', 'staging', { logGroupName: '/aws/lambda/s' }),
      ],
    },
    fail: { items: [item('AWS::Logs::LogGroup', 'production', { logGroupName: '/aws/lambda/a' })] },
    failMessage: /log group \/aws\/lambda\/a never expires/,
  },
  'retention.conversation-ttl': {
    pass: {
      items: [item('AWS::DynamoDB::Table', 'production', { tableName: 'whatsapp-conversations' }, { TimeToLiveDescription: { timeToLiveStatus: 'ENABLED' } })],
    },
    fail: { items: [item('AWS::DynamoDB::Table', 'production', { tableName: 'chat-messages' }, { TimeToLiveDescription: { timeToLiveStatus: 'DISABLED' } })] },
    failMessage: /has TTL DISABLED/,
  },
  'backup.dynamodb-pitr': {
    pass: {
      items: [
        item(
          'AWS::DynamoDB::Table',
          'production',
          { tableName: 'orders' },
          { ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'ENABLED' } } },
        ),
      ],
    },
    fail: { items: [item('AWS::DynamoDB::Table', 'production', { tableName: 'orders' }, {})] },
    failMessage: /point-in-time recovery not configured/,
  },
  'config.recorder-healthy': {
    pass: { items: [item('AWS::Config::ConfigurationRecorder', undefined, { name: 'default', recording: true, recordingGroup: { allSupported: true } })] },
    fail: {
      items: [
        item('AWS::Config::ConfigurationRecorder', undefined, {
          name: 'default',
          recording: true,
          recordingGroup: { allSupported: false, resourceTypes: ['AWS::S3::Bucket'] },
        }),
      ],
    },
    failMessage: /does not record AWS::S3::AccountPublicAccessBlock, AWS::Cognito::UserPool/,
  },
  'incident.notification-on-time': {
    pass: {
      incidents: incidents([
        { status: 'closed', reviewed: true, clocks: [{ party: 'amazon', dueAt: days(9), notifiedAt: days(9.5) }] },
        { status: 'open', reviewed: false, clocks: [{ party: 'amazon', dueAt: days(-0.5), notifiedAt: null }] },
      ]),
    },
    fail: {
      incidents: incidents([
        { status: 'open', reviewed: false, clocks: [{ party: 'amazon', dueAt: days(0.5), notifiedAt: null }] },
        { status: 'closed', reviewed: false, clocks: [{ party: 'customers', dueAt: days(3), notifiedAt: days(2) }] },
      ]),
    },
    failMessage:
      /INC-20261101-000001: amazon not notified; the deadline passed 12 h ago[^]*INC-20261101-000002: customers was notified 24 h after the deadline[^]*INC-20261101-000002: closed without a post-incident review/,
  },
  'audit.pii-reveal-retention': {
    pass: { self: { configuredDays: 365, oldestRowAgeDays: 12, updateRefused: true } },
    fail: { self: { configuredDays: 365, oldestRowAgeDays: null, updateRefused: false } },
    failMessage: /accepts updates/,
  },
};

describe('identity.admin-mfa: OPTIONAL passes only on what the MFA policy itself decides', () => {
  const pool = () => item('AWS::Cognito::UserPool', 'production', { MfaConfiguration: 'OPTIONAL' });
  const run = (answer: EvidenceSources['authorize']) =>
    runControl(CONTROLS_BY_ID.get('identity.admin-mfa')!, { ...sources({ items: [pool()] }), authorize: answer }, settings);
  it('fails when the policies deny everything (no permit: the deny proves nothing about MFA)', async () => {
    const r = await run(async () => ({ decision: 'deny', reasons: [], errors: [] }));
    expect(r.status).toBe('fail');
    expect(r.findings[0].message).toMatch(/manage_users is denied even with MFA/);
  });
  it('fails when the deny without MFA comes from another policy', async () => {
    const r = await run(async (q) =>
      q.context?.mfa
        ? { decision: 'allow', reasons: ['permit-agency-admin-administration'], errors: [] }
        : { decision: 'deny', reasons: ['forbid-suspended-agency'], errors: [] },
    );
    expect(r.status).toBe('fail');
    expect(r.findings[0].message).toMatch(/denied by forbid-suspended-agency, not by an MFA policy/);
  });
  it('fails when the probe errors', async () => {
    const r = await run(async () => ({ decision: 'deny', reasons: [], errors: ['entity conflict'] }));
    expect(r.status).toBe('fail');
    expect(r.findings[0].message).toMatch(/errored \(entity conflict/);
  });
});

describe('the catalogue', () => {
  // Which requirements each control answers is the programmes' to say (evidence/programmes/programmes.test.ts).
  it('has a case table for every control, and every control carries its remediation', () => {
    expect(Object.keys(cases).sort()).toEqual(CATALOGUE.map((c) => c.id).sort());
    for (const c of CATALOGUE) {
      expect(c.remediation.length, c.id).toBeGreaterThan(30);
    }
  });

  for (const [id, c] of Object.entries(cases)) {
    describe(id, () => {
      const control = CONTROLS_BY_ID.get(id)!;
      it('passes on its passing fixture', async () => {
        const r = await runControl(control, sources(c.pass), settings);
        expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
        expect(r.status).toBe('pass');
      });
      it('fails on its failing fixture, naming the resource and what is wrong', async () => {
        const r = await runControl(control, sources(c.fail), settings);
        expect(r.status).toBe('fail');
        expect(r.findings.map((f) => f.message).join('\n')).toMatch(c.failMessage);
        for (const f of r.findings) expect(f.resourceId).toBeTruthy();
      });
      it('is error, never pass, when its evidence source fails', async () => {
        const thrown = await runControl(control, sources({ throws: true }), settings);
        expect(thrown.status).toBe('error');
        expect(thrown.findings[0].message).toMatch(/ECONNREFUSED/);
        const fixture = c.error ?? (c.pass.items ? { ...c.pass, ...inventoryError } : undefined);
        if (fixture) expect((await runControl(control, sources(fixture), settings)).status).toBe('error');
      });
      it('is not_applicable when its evidence source is not configured', async () => {
        expect((await runControl(control, sources({}), settings)).status).toBe('not_applicable');
      });
    });
  }
});
