import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { sha256Hex } from '../../controls/collectors/attestations.ts';
import type { ReadOnlyQuery } from '../../controls/collectors/platform-db.ts';
import { parseControlSettings, type ControlSettings } from '../../controls/settings.ts';
import { DEMO_PRODUCTION_ORIGINS, DEMO_WEBHOOK_SECRETS, handleDemoRequest } from './demo-endpoint-handler.ts';
import { AMAZON_CONTROLS, GOOGLE_CONTROLS, WHATSAPP_CONTROLS } from './demo-integrations.ts';
import { issueCertificate } from './demo-certificates.ts';
import { demoLogLines } from './demo-log-lines.ts';

/**
 * The demo environment `tenet serve --demo` checks: the governed platform's production and staging AWS accounts
 * (an AWS Config snapshot of 61 resources, each account with its recorder), its orders database (in-memory PostgreSQL), and its webhook and order
 * endpoints (a loopback HTTP server). Most controls pass; four fail for real reasons a newcomer can read:
 * - storage.s3-lifecycle: the temporary-attachments bucket expires objects after 30 days, not 14 (§22);
 * - retention.log-groups: /aws/lambda/report-builder never expires;
 * - secrets.no-legacy-env-credentials: whatsapp-inbound still has WHATSAPP_ACCESS_TOKEN in its environment;
 * - pii.redaction-backfill: three orders delivered 40+ days ago still hold buyer PII.
 * An approved, time-boxed exception covers the backfill for Amazon SP-API (the backfill job is running), so
 * Amazon is ready; WhatsApp is not (legacy credentials), and its restricted actions are denied.
 */
export const PROD = '111111111111';
export const STAGING = '222222222222';
const REGION = 'ap-south-1';

type Item = Record<string, unknown>;
let captured = '2026-11-20T06:00:00.000Z';

function ci(
  account: string,
  resourceType: string,
  name: string,
  props: { id?: string; configuration?: Item; supplementary?: Item; tags?: Record<string, string>; arn?: string; region?: string },
): Item {
  const env = account === PROD ? 'production' : 'staging';
  const region = props.region ?? REGION;
  return {
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: captured,
    configurationStateId: 1,
    awsAccountId: account,
    configurationItemStatus: 'OK',
    resourceType,
    resourceId: props.id ?? name,
    resourceName: name,
    ARN: props.arn ?? `arn:aws:${resourceType.split('::')[1].toLowerCase()}:${region}:${account}:${name}`,
    awsRegion: region,
    tags: { environment: env, app: 'astrix', ...props.tags },
    configuration: props.configuration ?? {},
    supplementaryConfiguration: props.supplementary ?? {},
  };
}

const FLAGS = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
const logFormat = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latency: '$context.responseLatency',
  sub: '$context.authorizer.claims.sub',
});

function bucket(account: string, name: string, opts: { lifecycleDays?: number; tags?: Record<string, string>; ownBlock?: boolean } = {}): Item {
  return ci(account, 'AWS::S3::Bucket', name, {
    arn: `arn:aws:s3:::${name}`,
    tags: opts.tags,
    supplementary: {
      ...(opts.ownBlock ? { PublicAccessBlockConfiguration: FLAGS } : {}),
      ServerSideEncryptionConfiguration: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }] },
      BucketVersioningConfiguration: { status: 'Enabled' },
      // As AWS Config records a rule: the scope under filter.predicate, -1 for an action the rule does not take.
      BucketLifecycleConfiguration: {
        rules: [
          {
            id: 'retention',
            status: 'Enabled',
            expirationInDays: opts.lifecycleDays ?? 365,
            noncurrentVersionExpirationInDays: Math.min(opts.lifecycleDays ?? 365, 30),
            filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix: '' } },
          },
          {
            id: 'abort-uploads',
            status: 'Enabled',
            expirationInDays: -1,
            noncurrentVersionExpirationInDays: -1,
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix: '' } },
          },
        ],
      },
    },
  });
}

function fn(account: string, name: string, variables: Record<string, string>): Item {
  return ci(account, 'AWS::Lambda::Function', name, {
    arn: `arn:aws:lambda:${REGION}:${account}:function:${name}`,
    configuration: { functionName: name, runtime: 'nodejs20.x', environment: { variables } },
  });
}

function table(account: string, name: string, ttl: boolean): Item {
  return ci(account, 'AWS::DynamoDB::Table', name, {
    arn: `arn:aws:dynamodb:${REGION}:${account}:table/${name}`,
    configuration: { tableName: name },
    supplementary: {
      ContinuousBackupsDescription: { continuousBackupsStatus: 'ENABLED', pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'ENABLED' } },
      TimeToLiveDescription: { timeToLiveStatus: ttl ? 'ENABLED' : 'DISABLED', attributeName: ttl ? 'expiresAt' : undefined },
    },
  });
}

const logGroup = (account: string, name: string, retentionInDays?: number) =>
  ci(account, 'AWS::Logs::LogGroup', name, {
    arn: `arn:aws:logs:${REGION}:${account}:log-group:${name}`,
    configuration: { logGroupName: name, ...(retentionInDays ? { retentionInDays } : {}) },
  });

function api(account: string, id: string, name: string, origins: string[] | undefined): Item[] {
  const stage = ci(account, 'AWS::ApiGatewayV2::Stage', `${id}/${account === PROD ? 'prod' : 'staging'}`, {
    configuration: {
      apiId: id,
      stageName: account === PROD ? 'prod' : 'staging',
      accessLogSettings: { destinationArn: `arn:aws:logs:${REGION}:${account}:log-group:/aws/apigateway/${name}`, format: logFormat },
    },
  });
  return [
    ci(account, 'AWS::ApiGatewayV2::Api', name, {
      id,
      configuration: {
        apiId: id,
        name,
        protocolType: 'HTTP',
        ...(origins ? { corsConfiguration: { allowOrigins: origins, allowMethods: ['GET', 'POST'] } } : {}),
      },
    }),
    stage,
  ];
}

const route = (account: string, apiId: string, routeId: string, routeKey: string, authorizationType: string) =>
  ci(account, 'AWS::ApiGatewayV2::Route', `${apiId} ${routeKey}`, { id: routeId, configuration: { apiId, routeKey, authorizationType } });

// AWS Config records these CloudFormation-registry types in PascalCase (the published resource schema).
const secret = (account: string, name: string, rotation: boolean) =>
  ci(account, 'AWS::SecretsManager::Secret', name, {
    arn: `arn:aws:secretsmanager:${REGION}:${account}:secret:${name}-AbCdEf`,
    configuration: {
      ARN: `arn:aws:secretsmanager:${REGION}:${account}:secret:${name}-AbCdEf`,
      Name: name,
      RotationEnabled: rotation,
      ...(rotation ? { RotationRules: { AutomaticallyAfterDays: 90 } } : {}),
    },
  });

const rule = (account: string, name: string, state: string, schedule: string, target: string) =>
  ci(account, 'AWS::Events::Rule', name, {
    arn: `arn:aws:events:${REGION}:${account}:rule/${name}`,
    configuration: {
      Arn: `arn:aws:events:${REGION}:${account}:rule/${name}`,
      Name: name,
      EventBusName: 'default',
      State: state,
      ScheduleExpression: schedule,
      Targets: [{ Id: target, Arn: `arn:aws:lambda:${REGION}:${account}:function:${target}` }],
    },
  });

/** Each account's AWS Config recorder, recording every supported type (config.recorder-healthy passes). */
const recorder = (account: string) =>
  ci(account, 'AWS::Config::ConfigurationRecorder', 'default', {
    arn: `arn:aws:config:${REGION}:${account}:config-recorder/default/demo${account.slice(0, 4)}`,
    configuration: {
      Name: 'default',
      RoleARN: `arn:aws:iam::${account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
      Recording: true,
      RecordingGroup: {
        AllSupported: true,
        IncludeGlobalResourceTypes: false,
        ResourceTypes: [],
        RecordingStrategy: { UseOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' },
      },
      RecordingMode: { RecordingFrequency: 'CONTINUOUS' },
    },
  });

/** The demo accounts as an AWS Config snapshot file (delivery format 1.3). */
export function buildDemoSnapshot(now = new Date()): { fileVersion: string; configSnapshotId: string; configurationItems: Item[] } {
  captured = new Date(now.getTime() - 3_600_000).toISOString();
  const items: Item[] = [
    // ---- production --------------------------------------------------------------------------------------
    ci(PROD, 'AWS::S3::AccountPublicAccessBlock', PROD, { arn: `arn:aws:s3::${PROD}:account`, configuration: FLAGS }),
    bucket(PROD, 'astrix-prod-uploads'),
    bucket(PROD, 'astrix-prod-reports', { lifecycleDays: 30 }),
    bucket(PROD, 'astrix-prod-exports', { lifecycleDays: 30 }),
    bucket(PROD, 'astrix-prod-access-logs', { lifecycleDays: 400 }),
    bucket(PROD, 'astrix-prod-attachments-tmp', { lifecycleDays: 30, tags: { 'data-class': 'temporary' } }),
    bucket(PROD, 'astrix-prod-labels-tmp', { lifecycleDays: 14, tags: { 'data-class': 'temporary' } }),
    ci(PROD, 'AWS::Cognito::UserPool', 'astrix-prod-users', {
      id: 'ap-south-1_Prod0Users',
      configuration: { UserPoolName: 'astrix-prod-users', MfaConfiguration: 'ON', DeletionProtection: 'ACTIVE' },
    }),
    ci(PROD, 'AWS::Cognito::UserPool', 'astrix-prod-agency', {
      id: 'ap-south-1_Prod0Agncy',
      configuration: { UserPoolName: 'astrix-prod-agency', MfaConfiguration: 'OPTIONAL', DeletionProtection: 'ACTIVE' },
    }),
    ...api(PROD, 'p1app', 'astrix-prod-app', ['https://app.astrix.example', 'https://portal.astrix.example']),
    ...api(PROD, 'p2hooks', 'astrix-prod-webhooks', undefined),
    route(PROD, 'p1app', 'r-p1-default', '$default', 'JWT'),
    route(PROD, 'p1app', 'r-p1-orders', 'GET /orders', 'JWT'),
    route(PROD, 'p1app', 'r-p1-reveal', 'POST /orders/{id}/reveal', 'JWT'),
    route(PROD, 'p2hooks', 'r-p2-stripe', 'POST /webhooks/stripe', 'NONE'),
    route(PROD, 'p2hooks', 'r-p2-whatsapp', 'POST /webhooks/whatsapp', 'NONE'),
    table(PROD, 'whatsapp-conversations', true),
    table(PROD, 'chat-attachments-index', true),
    table(PROD, 'report-cache', true),
    table(PROD, 'webhook-idempotency', true),
    table(PROD, 'orders-index', false),
    fn(PROD, 'order-import', { SPAPI_SECRET_ARN: '[redacted]', LOG_LEVEL: '[redacted]' }),
    fn(PROD, 'whatsapp-inbound', { WHATSAPP_SECRET_ARN: '[redacted]', WHATSAPP_ACCESS_TOKEN: '[redacted]' }),
    fn(PROD, 'buyer-pii-redaction', { ORDERS_TABLE: '[redacted]' }),
    fn(PROD, 'report-builder', { REPORT_BUCKET: '[redacted]' }),
    fn(PROD, 'google-oauth-callback', { GOOGLE_CLIENT_SECRET_ARN: '[redacted]' }),
    logGroup(PROD, '/aws/lambda/order-import', 180),
    logGroup(PROD, '/aws/lambda/whatsapp-inbound', 180),
    logGroup(PROD, '/aws/lambda/buyer-pii-redaction', 180),
    logGroup(PROD, '/aws/lambda/report-builder'),
    logGroup(PROD, '/aws/lambda/google-oauth-callback', 180),
    logGroup(PROD, '/aws/apigateway/astrix-prod-app', 180),
    logGroup(PROD, '/aws/apigateway/astrix-prod-webhooks', 180),
    secret(PROD, 'prod/whatsapp/business-api', true),
    secret(PROD, 'prod/amazon/spapi-lwa', true),
    secret(PROD, 'prod/google/oauth-client', true),
    secret(PROD, 'prod/stripe/api', false),
    rule(PROD, 'buyer-pii-redaction-daily', 'ENABLED', 'rate(1 day)', 'buyer-pii-redaction'),
    rule(PROD, 'report-cache-sweep', 'ENABLED', 'rate(1 hour)', 'report-builder'),
    recorder(PROD),
    // ---- staging -----------------------------------------------------------------------------------------
    bucket(STAGING, 'astrix-staging-uploads', { ownBlock: true }),
    bucket(STAGING, 'astrix-staging-reports', { ownBlock: true, lifecycleDays: 7 }),
    bucket(STAGING, 'astrix-staging-attachments-tmp', { ownBlock: true, lifecycleDays: 7, tags: { 'data-class': 'temporary' } }),
    ci(STAGING, 'AWS::Cognito::UserPool', 'astrix-staging-users', {
      id: 'ap-south-1_Stg0Users',
      configuration: { UserPoolName: 'astrix-staging-users', MfaConfiguration: 'OPTIONAL', DeletionProtection: 'INACTIVE' },
    }),
    ...api(STAGING, 's1app', 'astrix-staging-app', ['https://staging.astrix.example', 'http://localhost:5173']),
    route(STAGING, 's1app', 'r-s1-default', '$default', 'NONE'),
    table(STAGING, 'whatsapp-conversations-staging', true),
    table(STAGING, 'report-cache-staging', true),
    fn(STAGING, 'order-import-staging', { SPAPI_SECRET_ARN: '[redacted]' }),
    fn(STAGING, 'whatsapp-inbound-staging', { WHATSAPP_SECRET_ARN: '[redacted]' }),
    fn(STAGING, 'buyer-pii-redaction-staging', { ORDERS_TABLE: '[redacted]' }),
    logGroup(STAGING, '/aws/lambda/order-import-staging', 30),
    logGroup(STAGING, '/aws/lambda/whatsapp-inbound-staging', 30),
    logGroup(STAGING, '/aws/lambda/buyer-pii-redaction-staging', 30),
    logGroup(STAGING, '/aws/apigateway/astrix-staging-app', 30),
    secret(STAGING, 'staging/whatsapp/business-api', false),
    rule(STAGING, 'buyer-pii-redaction-daily-staging', 'DISABLED', 'rate(1 day)', 'buyer-pii-redaction-staging'),
    recorder(STAGING),
  ];
  return { fileVersion: '1.0', configSnapshotId: 'demo-snapshot', configurationItems: items };
}

// ---- the platform's endpoints ---------------------------------------------------------------------------------

/** The environment variables the webhook probe reads its test signing secrets from (probes.webhooks[].secretEnv). */
const DEMO_WEBHOOK_SECRET_ENV = { stripe: 'TENET_DEMO_STRIPE_WEBHOOK_SECRET', whatsapp: 'TENET_DEMO_WHATSAPP_APP_SECRET' };

/**
 * The governed platform's public endpoints as the demo runs them (demo-endpoint-handler.ts answers): Stripe and
 * WhatsApp webhooks that check the provider signature over the raw body, and the order API that masks buyer fields
 * by default.
 */
export async function startDemoEndpoints(): Promise<{ url: string; host: string; tls: DemoTlsEndpoint; close(): Promise<void> }> {
  // The probe finds its test signing secrets in the environment, as a deployment would give them (demo values only).
  process.env[DEMO_WEBHOOK_SECRET_ENV.stripe] ??= DEMO_WEBHOOK_SECRETS.stripe;
  process.env[DEMO_WEBHOOK_SECRET_ENV.whatsapp] ??= DEMO_WEBHOOK_SECRETS.whatsapp;
  const server = http.createServer(handleDemoRequest);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const secure = await startDemoTlsEndpoint();
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    tls: secure,
    close: async () => {
      await secure.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface DemoTlsEndpoint {
  url: string;
  host: string;
  /** the demo CA's certificate (PEM file), trusted by the probe through probes.tls[].ca */
  caFile: string;
  close(): Promise<void>;
}

/**
 * The platform's API over HTTPS (network.tls-versions): TLS 1.2 and 1.3 only, a certificate for localhost from a
 * demo CA made at start-up (demo-certificates.ts), valid a year.
 */
async function startDemoTlsEndpoint(): Promise<DemoTlsEndpoint> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tenet-demo-tls-'));
  const ca = issueCertificate({ subject: 'Astrix Demo CA', ca: true, notAfter: new Date(Date.now() + 3650 * 86_400_000) });
  const leaf = issueCertificate({ subject: 'localhost', sans: ['localhost', '127.0.0.1'], issuer: ca, notAfter: new Date(Date.now() + 365 * 86_400_000) });
  const caFile = path.join(dir, 'demo-ca.pem');
  await writeFile(caFile, ca.certPem);
  const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1.2' }, handleDemoRequest);
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    host: `localhost:${port}`,
    caFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---- the platform's orders database -----------------------------------------------------------------------------

/** The governed platform's orders table (in-memory PostgreSQL), queried read-only by the backfill control. */
export async function openDemoPlatformDb(): Promise<{ query: ReadOnlyQuery; close(): Promise<void> }> {
  const pg = await PGlite.create();
  await pg.exec(`
    CREATE TABLE orders (id text PRIMARY KEY, client_id text NOT NULL, delivered_at timestamptz, pii_redacted boolean NOT NULL,
                         buyer_name text, buyer_phone text);
    INSERT INTO orders
    SELECT 'o-' || (3000 + g), CASE WHEN g % 2 = 0 THEN 'chai-co' ELSE 'masala-mart' END,
           now() - make_interval(days => g % 90), (g % 90) > 28, CASE WHEN (g % 90) > 28 THEN NULL ELSE 'Buyer ' || g END, NULL
    FROM generate_series(1, 240) g;
    -- three orders the nightly job skipped (imported before the redaction scheduler existed)
    UPDATE orders SET pii_redacted = false, buyer_name = 'Legacy buyer' WHERE id IN ('o-3050', 'o-3141', 'o-3232');
  `);
  return {
    async query(text, params) {
      return pg.transaction(async (tx) => {
        await tx.exec('SET TRANSACTION READ ONLY');
        return (await tx.query<Record<string, unknown>>(text, params)).rows;
      });
    },
    close: () => pg.close(),
  };
}

// ---- attestations -------------------------------------------------------------------------------------------------

export interface DemoAttester {
  kid: string;
  subject: string;
  publicJwk: JWK;
  sign(payload: object): Promise<string>;
}

/** The demo security officer's Ed25519 key, made once per data directory (demo-attester.json, mode 0600). */
export async function demoAttester(dataDir: string): Promise<DemoAttester> {
  const file = path.resolve(dataDir, 'demo-attester.json');
  let stored: { privateJwk: JWK; publicJwk: JWK } | undefined;
  try {
    stored = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    stored = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(stored) + '\n', { mode: 0o600 });
  }
  const key = await importJWK(stored!.privateJwk, 'EdDSA');
  const kid = 'demo-security-officer';
  return {
    kid,
    subject: 'priya.security@astrix.example',
    publicJwk: stored!.publicJwk,
    sign: (payload) => new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', kid }).sign(key),
  };
}

const DEMO_RUNBOOKS: Record<string, { title: string; text: string; ageDays: number }> = {
  'runbook.secrets-rotation': {
    title: 'Secrets rotation runbook',
    text: 'Rotate provider credentials in Secrets Manager quarterly and on staff change; verify consumers; revoke old versions.',
    ageDays: 41,
  },
  'runbook.data-deletion-export': {
    title: 'Data deletion and export runbook',
    text: "Export or delete a client or agency's data within 30 days of a verified request; cascade to backups on expiry.",
    ageDays: 118,
  },
};

export async function demoAttestations(attester: DemoAttester, now = Date.now()): Promise<string[]> {
  return Promise.all(
    Object.entries(DEMO_RUNBOOKS).map(([documentId, doc]) => {
      const attestedAt = new Date(now - doc.ageDays * 86_400_000);
      // Dates are whole days so a restarted demo signs the same statement (and the store keeps one copy).
      attestedAt.setUTCHours(9, 0, 0, 0);
      return attester.sign({
        documentId,
        title: doc.title,
        attestedBy: attester.subject,
        attestedAt: attestedAt.toISOString(),
        expiresAt: new Date(attestedAt.getTime() + 365 * 86_400_000).toISOString(),
        digest: sha256Hex(doc.text),
      });
    }),
  );
}

// ---- settings ------------------------------------------------------------------------------------------------

export function demoControlSettings(props: {
  snapshotFile: string;
  endpoints: { url: string; host: string; tls?: { url: string; host: string; caFile: string } };
  attester: DemoAttester;
  logExports: Array<{ logGroupName: string; file: string }>;
}): ControlSettings {
  return parseControlSettings({
    snapshots: [props.snapshotFile],
    logScan: { exports: props.logExports },
    probes: {
      allowedHosts: [props.endpoints.host, ...(props.endpoints.tls ? [props.endpoints.tls.host] : [])],
      timeoutMs: 3000,
      webhooks: [
        {
          name: 'stripe-payments',
          provider: 'stripe',
          url: `${props.endpoints.url}/webhooks/stripe`,
          secretEnv: DEMO_WEBHOOK_SECRET_ENV.stripe,
          body: '{"id":"evt_tenet_probe","object":"event","type":"tenet.probe"}',
        },
        {
          name: 'whatsapp-inbound',
          provider: 'whatsapp',
          url: `${props.endpoints.url}/webhooks/whatsapp`,
          secretEnv: DEMO_WEBHOOK_SECRET_ENV.whatsapp,
          body: '{"object":"whatsapp_business_account","entry":[]}',
        },
      ],
      cors: { urls: [`${props.endpoints.url}/v1/orders`], stagingOrigins: ['https://staging.astrix.example'] },
      tls: props.endpoints.tls ? [{ name: 'orders-api', url: props.endpoints.tls.url, ca: props.endpoints.tls.caFile }] : [],
      orders: { url: `${props.endpoints.url}/v1/orders`, buyerFields: ['buyer.name', 'buyer.phone', 'buyer.email', 'buyer.address'] },
    },
    platformDatabase: { urlEnv: 'TENET_DEMO_PLATFORM_DB' },
    // Incident notices go to a webhook only when one is named (TENET_DEMO_INCIDENT_WEBHOOK_URL, e.g. a test's loopback
    // receiver), signed with the secret in TENET_DEMO_INCIDENT_WEBHOOK_SECRET.
    ...(process.env.TENET_DEMO_INCIDENT_WEBHOOK_URL
      ? { incidents: { webhook: { url: process.env.TENET_DEMO_INCIDENT_WEBHOOK_URL, secretEnv: 'TENET_DEMO_INCIDENT_WEBHOOK_SECRET' } } }
      : {}),
    attestations: { trustedKeys: [{ kid: props.attester.kid, subject: props.attester.subject, jwk: props.attester.publicJwk }] },
    requirements: {
      redactionFunction: 'buyer-pii-redaction',
      productionCorsOrigins: DEMO_PRODUCTION_ORIGINS,
      // The provider webhooks authenticate by signature (checked by webhooks.signature-validation), not by an authorizer.
      publicRoutes: ['POST /webhooks/stripe', 'POST /webhooks/whatsapp'],
    },
    packs: {
      organisation: 'Astrix (demo)',
      google: {
        privacyPolicyUrl: `${props.endpoints.url}/privacy`,
        scopes: [
          { scope: 'https://www.googleapis.com/auth/adwords', justification: 'Read and adjust the Google Ads campaigns a client connects, at their request.' },
          { scope: 'https://www.googleapis.com/auth/analytics.readonly', justification: 'Build the traffic reports a client asks for.' },
          { scope: 'https://www.googleapis.com/auth/spreadsheets', justification: 'Write those reports into a sheet the client owns.' },
          { scope: 'https://www.googleapis.com/auth/youtube.readonly', justification: 'Report channel performance to the client.' },
        ],
      },
    },
    integrations: {
      amazon_spapi: { controls: AMAZON_CONTROLS },
      whatsapp: { controls: WHATSAPP_CONTROLS },
      google_ads: { controls: GOOGLE_CONTROLS },
      google_analytics: { controls: GOOGLE_CONTROLS },
      google_sheets: { controls: GOOGLE_CONTROLS },
      google_docs: { controls: GOOGLE_CONTROLS },
      youtube: { controls: GOOGLE_CONTROLS },
    },
  });
}

// ---- the platform's CloudWatch logs (exports) -----------------------------------------------------------------

/**
 * CloudWatch exports of the seven production log groups (every production function's group and both API stages'
 * access-log groups, so logging.cloudwatch-pii-scan covers them all) over the last 20 hours: what the platform logs once buyer
 * data is masked — order ids, AWB numbers, amounts, request ids, hashes, IPs — and nothing the scanner may flag.
 */
export async function writeDemoLogExports(dir: string, now = Date.now()): Promise<Array<{ logGroupName: string; file: string }>> {
  const { groups, hex } = demoLogLines();
  await mkdir(dir, { recursive: true });
  const out: Array<{ logGroupName: string; file: string }> = [];
  for (const [logGroupName, line] of Object.entries(groups)) {
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) {
      const ts = now - 20 * 3_600_000 + Math.floor((i / 600) * 20 * 3_600_000);
      lines.push(JSON.stringify({ timestamp: ts, logStreamName: `2026/11/23/[$LATEST]${hex(8)}`, message: line(ts) }));
    }
    const file = path.join(dir, `${logGroupName.replace(/[^a-z0-9]+/gi, '_').replace(/^_/, '')}.jsonl`);
    await writeFile(file, lines.join('\n') + '\n');
    out.push({ logGroupName, file });
  }
  return out;
}
