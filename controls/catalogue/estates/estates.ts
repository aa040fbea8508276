import type { Attestation, OrderProbeResult, UnredactedOrdersResult, WebhookProbeResult } from '../../define-control.ts';
import type { LogScanEvidence } from '../../log-scan-evidence.ts';
import {
  accountBlock,
  bucket,
  ci,
  eventRule,
  FLAGS,
  httpApi,
  lambda,
  lifecycleRule,
  logGroup,
  PROD,
  recorder,
  REGION,
  route,
  secret,
  stage,
  STAGING,
  table,
  userPool,
  type RawItem,
} from './config-items.ts';

/**
 * Crafted estates, per control: at least three that break the commitment (each must `fail`), one compliant estate
 * in real AWS Config spelling (must `pass`), and one with the data missing (must not `pass`). Inventory estates run
 * twice, as a snapshot file and as the Config API answers them (estates.test.ts).
 */
export interface Estate {
  name: string;
  expect: 'pass' | 'fail' | 'not-pass';
  /** configuration items (snapshot shape); every estate gets a healthy recorder per account unless `recorders: false` */
  items?: RawItem[];
  recorders?: false;
  /** read only this way (what one spelling cannot lack: the live collector fills Lambda environments itself) */
  only?: 'snapshot';
  /** a finding message that must be there (fail estates) */
  message?: RegExp;
  webhooks?: WebhookProbeResult[];
  orders?: OrderProbeResult;
  unredacted?: UnredactedOrdersResult;
  attestations?: Attestation[];
  self?: { configuredDays: number; oldestRowAgeDays: number | null; updateRefused: boolean };
  logScan?: LogScanEvidence;
}

const TEMP = { 'data-class': 'temporary' };
const goodFormat = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  sub: '$context.authorizer.claims.sub',
});
const logs = (format: string) => ({ destinationArn: `arn:aws:logs:${REGION}:${PROD}:log-group:/aws/apigateway/app`, format });
const sm = (w: Partial<WebhookProbeResult> & Pick<WebhookProbeResult, 'case'>): WebhookProbeResult => ({
  name: 'stripe',
  provider: 'stripe',
  url: 'https://api.example/webhooks/stripe',
  reject: [400, 401, 403],
  ...w,
});
const stripeOk = [
  sm({ case: 'unsigned', status: 400 }),
  sm({ case: 'bad-signature', status: 400 }),
  sm({ case: 'signed', status: 200 }),
  sm({ case: 'replayed', status: 400 }),
];
const days = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
const att = (documentId: string, ageDays: number, expiresInDays = 300): Attestation => ({
  documentId,
  title: documentId,
  attestedBy: 'priya@example.com',
  attestedAt: days(ageDays),
  expiresAt: days(-expiresInDays),
  digest: 'a'.repeat(64),
  kid: 'k1',
});
const scan = (over: Partial<LogScanEvidence> = {}): LogScanEvidence => ({
  window: { since: Date.now() - 86_400_000, until: Date.now(), reason: 'deployment', deployment: 'v42' },
  scans: 1,
  groups: [
    { accountId: PROD, region: REGION, logGroupName: '/aws/lambda/order-import', eventsScanned: 900, bytesScanned: 2e5, status: 'ok' },
    { accountId: PROD, region: REGION, logGroupName: '/aws/apigateway/app', eventsScanned: 500, bytesScanned: 1e5, status: 'ok' },
  ],
  counts: {},
  byGroup: [],
  samples: [],
  errors: [],
  ...over,
});
const mfaRules = (mfa: string) => [userPool('prod-agency', { MfaConfiguration: mfa, DeletionProtection: 'ACTIVE' })];

export const ESTATES: Record<string, Estate[]> = {
  'identity.admin-mfa': [
    { name: 'production pool MFA OFF', expect: 'fail', items: mfaRules('OFF'), message: /MFA OFF; production requires ON/ },
    {
      name: 'two production pools, one OFF',
      expect: 'fail',
      items: [userPool('a', { MfaConfiguration: 'ON' }), userPool('b', { MfaConfiguration: 'OFF' })],
      message: /user pool b has MFA OFF/,
    },
    {
      name: 'a pool tagged environment=shared in the production account, MFA OFF',
      expect: 'fail',
      items: [ci('AWS::Cognito::UserPool', 'shared', { UserPoolName: 'shared', MfaConfiguration: 'OFF' }, { tags: { environment: 'shared' } })],
      message: /MFA OFF/,
    },
    {
      name: 'production pools ON and OPTIONAL (the shipped policies enforce MFA on admin actions); staging OFF',
      expect: 'pass',
      items: [
        userPool('users', { MfaConfiguration: 'ON' }),
        userPool('agency', { MfaConfiguration: 'OPTIONAL' }),
        userPool('stg', { MfaConfiguration: 'OFF' }, STAGING),
      ],
    },
    { name: 'pool recorded without MfaConfiguration', expect: 'not-pass', items: [userPool('p', {})] },
  ],
  'identity.cognito-deletion-protection': [
    { name: 'INACTIVE', expect: 'fail', items: [userPool('p', { DeletionProtection: 'INACTIVE' })], message: /deletion protection INACTIVE/ },
    {
      name: 'one of two INACTIVE',
      expect: 'fail',
      items: [userPool('a', { DeletionProtection: 'ACTIVE' }), userPool('b', { DeletionProtection: 'INACTIVE' })],
      message: /user pool b/,
    },
    {
      name: 'tagged environment=prd in the production account',
      expect: 'fail',
      items: [ci('AWS::Cognito::UserPool', 'x', { UserPoolName: 'x', DeletionProtection: 'INACTIVE' }, { tags: { environment: 'prd' } })],
      message: /INACTIVE/,
    },
    {
      name: 'ACTIVE in production, INACTIVE in staging',
      expect: 'pass',
      items: [userPool('p', { DeletionProtection: 'ACTIVE' }), userPool('s', { DeletionProtection: 'INACTIVE' }, STAGING)],
    },
    { name: 'no DeletionProtection recorded', expect: 'not-pass', items: [userPool('p', {})] },
  ],
  'storage.s3-public-access-block': [
    {
      name: 'no account block, bucket block lacks restrictPublicBuckets',
      expect: 'fail',
      items: [bucket('b', { block: { ...FLAGS, restrictPublicBuckets: false } })],
      message: /lacks restrictPublicBuckets/,
    },
    {
      name: 'account block incomplete, bucket has none',
      expect: 'fail',
      items: [accountBlock({ ...FLAGS, blockPublicPolicy: false }), bucket('b')],
      message: /has no account-level block/,
    },
    { name: 'staging bucket without any block', expect: 'fail', items: [bucket('s', { account: STAGING })], message: /bucket s \(account 222222222222\)/ },
    { name: 'account block with all four flags', expect: 'pass', items: [accountBlock(), bucket('a'), bucket('b', { tags: TEMP })] },
    { name: 'no bucket recorded', expect: 'not-pass', items: [] },
  ],
  'storage.s3-encryption': [
    { name: 'no default encryption', expect: 'fail', items: [bucket('b', { sse: null })], message: /no default server-side encryption/ },
    { name: 'unknown algorithm', expect: 'fail', items: [bucket('b', { sse: 'none' })], message: /found none/ },
    { name: 'staging bucket unencrypted', expect: 'fail', items: [bucket('a'), bucket('s', { sse: null, account: STAGING })], message: /bucket s/ },
    { name: 'every bucket aws:kms or AES256', expect: 'pass', items: [bucket('a'), bucket('b', { sse: 'AES256' })] },
    { name: 'no bucket', expect: 'not-pass', items: [] },
  ],
  'storage.s3-versioning': [
    { name: 'Suspended', expect: 'fail', items: [bucket('b', { versioning: 'Suspended' })], message: /versioning Suspended/ },
    { name: 'Off', expect: 'fail', items: [bucket('b', { versioning: 'Off' })], message: /versioning Off/ },
    {
      name: 'tagged environment=live in the production account, Suspended',
      expect: 'fail',
      items: [bucket('b', { versioning: 'Suspended', tags: { Environment: 'live' } })],
      message: /Suspended/,
    },
    { name: 'production versioned, staging off', expect: 'pass', items: [bucket('p'), bucket('s', { versioning: 'Off', account: STAGING })] },
    { name: 'versioning not recorded', expect: 'not-pass', items: [bucket('b', { versioning: null })] },
  ],
  'storage.s3-lifecycle': [
    {
      name: 'temporary bucket: only an abort-incomplete-uploads rule (Config records expirationInDays -1)',
      expect: 'fail',
      items: [bucket('tmp', { tags: TEMP, versioning: 'Off', rules: [lifecycleRule({ abortDays: 7 })] })],
      message: /no day-based expiration/,
    },
    {
      name: 'temporary bucket: 14-day rule limited to a prefix',
      expect: 'fail',
      items: [
        bucket('tmp', {
          tags: TEMP,
          versioning: 'Off',
          rules: [
            lifecycleRule({ expirationInDays: 14, predicate: { type: 'LifecyclePrefixPredicate', prefix: 'labels/' } }),
            lifecycleRule({ expirationInDays: 30 }),
          ],
        }),
      ],
      message: /shortest 30/,
    },
    {
      name: 'temporary bucket: 7-day rule limited to a tag',
      expect: 'fail',
      items: [
        bucket('tmp', {
          tags: TEMP,
          versioning: 'Off',
          rules: [lifecycleRule({ expirationInDays: 7, predicate: { type: 'LifecycleTagPredicate', tag: { key: 'kind', value: 'label' } } })],
        }),
      ],
      message: /no day-based expiration/,
    },
    {
      name: 'versioned temporary bucket: current versions 7 days, non-current kept',
      expect: 'fail',
      items: [bucket('tmp', { tags: TEMP, rules: [lifecycleRule({ expirationInDays: 7 })] })],
      message: /non-current versions are not expired/,
    },
    {
      name: 'production bucket: rule only for a prefix',
      expect: 'fail',
      items: [
        bucket('p', {
          rules: [
            lifecycleRule({
              expirationInDays: 30,
              noncurrentVersionExpirationInDays: 30,
              predicate: {
                type: 'LifecycleAndOperator',
                operands: [
                  { type: 'LifecyclePrefixPredicate', prefix: 'tmp/' },
                  { type: 'LifecycleTagPredicate', tag: { key: 'a', value: 'b' } },
                ],
              },
            }),
          ],
        }),
      ],
      message: /no enabled lifecycle rule that expires/,
    },
    {
      name: 'production bucket: disabled rule',
      expect: 'fail',
      items: [bucket('p', { rules: [lifecycleRule({ status: 'Disabled', expirationInDays: 30 })] })],
      message: /no enabled lifecycle rule/,
    },
    {
      name: 'whole-bucket rules with non-current expiry; temporary 14 days; an abort rule beside',
      expect: 'pass',
      items: [
        bucket('p', { rules: [lifecycleRule({ expirationInDays: 365, noncurrentVersionExpirationInDays: 30 }), lifecycleRule({ id: 'abort', abortDays: 7 })] }),
        bucket('tmp', {
          tags: TEMP,
          rules: [
            lifecycleRule({ expirationInDays: 14, noncurrentVersionExpirationInDays: 1, predicate: null, prefix: '' }),
            lifecycleRule({ id: 'abort', abortDays: 1 }),
          ],
        }),
      ],
    },
    { name: 'no lifecycle configuration recorded', expect: 'not-pass', items: [bucket('p', { rules: null })] },
  ],
  'network.cors-split': [
    {
      name: 'production allows the staging front-end (no staging API lists it)',
      expect: 'fail',
      items: [httpApi('p1', 'prod', { corsConfiguration: { allowOrigins: ['https://app.astrix.example', 'https://staging.astrix.example'] } })],
      message: /staging\.astrix\.example \(a staging, preview or dev host\)/,
    },
    {
      name: 'production allows an origin off the allow-list',
      expect: 'fail',
      items: [httpApi('p1', 'prod', { corsConfiguration: { allowOrigins: ['https://app-next.astrix.example'] } })],
      message: /not in requirements.productionCorsOrigins/,
    },
    {
      name: 'production allows a Vercel preview and localhost',
      expect: 'fail',
      items: [httpApi('p1', 'prod', { corsConfiguration: { allowOrigins: ['https://astrix-git-feature.vercel.app', 'http://localhost:5173'] } })],
      message: /preview deployment host[\s\S]*plain http/,
    },
    {
      name: 'production and staging share an origin',
      expect: 'fail',
      items: [
        httpApi('p1', 'prod', { corsConfiguration: { allowOrigins: ['https://app.astrix.example'] } }),
        httpApi('s1', 'stg', { corsConfiguration: { allowOrigins: ['https://app.astrix.example'] } }, STAGING),
      ],
      message: /and by staging API stg/,
    },
    {
      name: 'production allows only its own front-ends; staging its own',
      expect: 'pass',
      items: [
        httpApi('p1', 'prod', {
          corsConfiguration: { allowOrigins: ['https://app.astrix.example', 'https://portal.astrix.example'], allowMethods: ['GET', 'POST'] },
        }),
        httpApi('s1', 'stg', { corsConfiguration: { allowOrigins: ['https://staging.astrix.example', 'http://localhost:5173'] } }, STAGING),
      ],
    },
    { name: 'no API recorded', expect: 'not-pass', items: [] },
  ],
  'network.default-route-hardened': [
    {
      name: 'ANY /{proxy+} with NONE',
      expect: 'fail',
      items: [httpApi('a1', 'app'), route('a1', 'r1', 'ANY /{proxy+}', 'NONE'), route('a1', 'r2', '$default', 'JWT')],
      message: /catch-all route ANY \/\{proxy\+\} with authorization NONE/,
    },
    {
      name: 'an explicit route with NONE that is not on the public list',
      expect: 'fail',
      items: [httpApi('a1', 'app'), route('a1', 'r1', 'GET /orders', 'NONE')],
      message: /GET \/orders with authorization NONE and it is not in requirements.publicRoutes/,
    },
    {
      name: 'WebSocket API: $connect without authorization',
      expect: 'fail',
      items: [
        httpApi('w1', 'chat', { protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action' }),
        route('w1', 'r1', '$connect', 'NONE'),
        route('w1', 'r2', '$default', 'NONE'),
      ],
      message: /WebSocket API chat accepts \$connect with authorization NONE/,
    },
    {
      name: 'production API with no route data (live)',
      expect: 'fail',
      items: [httpApi('a1', 'app'), httpApi('a2', 'other'), route('a2', 'r1', '$default', 'JWT')],
      message: /no routes were read for production API app/,
    },
    {
      name: '$default with JWT, webhook routes on the public list, WebSocket $connect authorized',
      expect: 'pass',
      items: [
        httpApi('a1', 'app'),
        route('a1', 'r1', '$default', 'JWT'),
        route('a1', 'r2', 'POST /webhooks/stripe', 'NONE'),
        httpApi('w1', 'chat', { protocolType: 'WEBSOCKET' }),
        route('w1', 'r3', '$connect', 'CUSTOM'),
        route('w1', 'r4', '$default', 'NONE'),
        httpApi('s1', 'stg', {}, STAGING),
        route('s1', 'r5', '$default', 'NONE', STAGING),
      ],
    },
    { name: 'no routes at all (a plain Config snapshot)', expect: 'not-pass', items: [httpApi('a1', 'app')] },
  ],
  'logging.api-access-logs': [
    {
      name: 'Lambda authorizer context email and phone_number',
      expect: 'fail',
      items: [
        stage(
          'a1',
          'prod',
          logs(
            JSON.stringify({
              requestId: '$context.requestId',
              status: '$context.status',
              email: '$context.authorizer.email',
              phone: '$context.authorizer.phone_number',
            }),
          ),
        ),
      ],
      message: /\$context.authorizer.email, which is not on the PII-safe list/,
    },
    {
      name: 'REST (v1) stage logging a JWT email claim',
      expect: 'fail',
      items: [
        stage(
          'r1',
          'prod',
          logs(JSON.stringify({ requestId: '$context.requestId', status: '$context.status', email: '$context.authorizer.claims.email' })),
          PROD,
          'AWS::ApiGateway::Stage',
        ),
      ],
      message: /production REST stage r1\/prod: format logs \$context.authorizer.claims.email/,
    },
    {
      name: 'WebSocket stage without access logs',
      expect: 'fail',
      items: [httpApi('w1', 'chat', { protocolType: 'WEBSOCKET' }), stage('w1', 'prod', undefined)],
      message: /production WebSocket stage w1\/prod has no access log destination/,
    },
    {
      name: 'CLF (not JSON) format with the raw path',
      expect: 'fail',
      items: [stage('a1', 'prod', logs('$context.requestId $context.path $context.status'))],
      message: /not JSON[\s\S]*\$context.path/,
    },
    {
      name: 'HTTP, REST and WebSocket stages with allow-listed JSON fields',
      expect: 'pass',
      items: [
        httpApi('a1', 'app'),
        stage('a1', 'prod', logs(goodFormat)),
        stage('r1', 'prod', logs(goodFormat), PROD, 'AWS::ApiGateway::Stage'),
        httpApi('w1', 'chat', { protocolType: 'WEBSOCKET' }),
        stage(
          'w1',
          'prod',
          logs(
            JSON.stringify({
              requestId: '$context.requestId',
              status: '$context.status',
              connectionId: '$context.connectionId',
              eventType: '$context.eventType',
            }),
          ),
        ),
        stage('s1', 'stg', undefined, STAGING),
      ],
    },
    { name: 'no stage recorded', expect: 'not-pass', items: [httpApi('a1', 'app')] },
  ],
  'webhooks.signature-validation': [
    {
      name: 'a 401 from an authorizer in front: the signed probe is refused too',
      expect: 'fail',
      webhooks: [
        sm({ case: 'unsigned', status: 401 }),
        sm({ case: 'bad-signature', status: 401 }),
        sm({ case: 'signed', status: 401 }),
        sm({ case: 'replayed', status: 401 }),
      ],
      message: /answered 401 to a request correctly signed/,
    },
    {
      name: 'an old signature is accepted (replay)',
      expect: 'fail',
      webhooks: [
        sm({ case: 'unsigned', status: 400 }),
        sm({ case: 'bad-signature', status: 400 }),
        sm({ case: 'signed', status: 200 }),
        sm({ case: 'replayed', status: 200 }),
      ],
      message: /answered 200 to a correctly signed request with a timestamp an hour old/,
    },
    {
      name: 'a wrongly signed request is accepted',
      expect: 'fail',
      webhooks: [
        sm({ case: 'unsigned', status: 400 }),
        sm({ case: 'bad-signature', status: 200 }),
        sm({ case: 'signed', status: 200 }),
        sm({ case: 'replayed', status: 400 }),
      ],
      message: /answered 200 to a wrongly signed request/,
    },
    {
      name: 'no test secret: the handler cannot be told from a WAF',
      expect: 'fail',
      webhooks: [
        sm({ case: 'unsigned', status: 400 }),
        sm({ case: 'bad-signature', status: 400 }),
        sm({ case: 'signed', skipped: 'no test signing secret configured (probes.webhooks[].secretEnv)' }),
        sm({ case: 'replayed', skipped: 'needs the test signing secret' }),
      ],
      message: /cannot show the handler checks signatures/,
    },
    {
      name: "Stripe's own handler: 400 on bad and stale signatures, 200 when signed",
      expect: 'pass',
      webhooks: [
        ...stripeOk,
        { name: 'wa', provider: 'whatsapp', url: 'https://api.example/webhooks/whatsapp', case: 'unsigned', status: 403, reject: [400, 401, 403] },
        { name: 'wa', provider: 'whatsapp', url: 'https://api.example/webhooks/whatsapp', case: 'bad-signature', status: 403, reject: [400, 401, 403] },
        { name: 'wa', provider: 'whatsapp', url: 'https://api.example/webhooks/whatsapp', case: 'signed', status: 200, reject: [400, 401, 403] },
        { name: 'wa', provider: 'whatsapp', url: 'https://api.example/webhooks/whatsapp', case: 'replayed', skipped: 'a whatsapp signature covers no time' },
      ],
    },
    { name: 'a probe got no answer', expect: 'not-pass', webhooks: [sm({ case: 'unsigned', error: 'timed out' }), ...stripeOk.slice(1)] },
  ],
  'pii.buyer-masked-by-default': [
    {
      name: 'phone unmasked',
      expect: 'fail',
      orders: { url: 'https://api/orders', status: 200, orders: 3, fields: [{ field: 'buyer.phone', masked: 1, unmasked: 2, absent: 0 }] },
      message: /buyer.phone came back unmasked on 2 of 3/,
    },
    {
      name: 'name and address unmasked on one order',
      expect: 'fail',
      orders: {
        url: 'https://api/orders',
        status: 200,
        orders: 2,
        fields: [
          { field: 'buyer.name', masked: 1, unmasked: 1, absent: 0 },
          { field: 'buyer.address', masked: 1, unmasked: 1, absent: 0 },
        ],
      },
      message: /buyer.address/,
    },
    {
      name: 'email unmasked on every order',
      expect: 'fail',
      orders: { url: 'https://api/orders', status: 200, orders: 4, fields: [{ field: 'buyer.email', masked: 0, unmasked: 4, absent: 0 }] },
      message: /buyer.email came back unmasked on 4 of 4/,
    },
    {
      name: 'every field masked',
      expect: 'pass',
      orders: {
        url: 'https://api/orders',
        status: 200,
        orders: 3,
        fields: [
          { field: 'buyer.name', masked: 3, unmasked: 0, absent: 0 },
          { field: 'buyer.phone', masked: 2, unmasked: 0, absent: 1 },
        ],
      },
    },
    { name: 'the API answered 502', expect: 'not-pass', orders: { url: 'https://api/orders', status: 502, orders: 0, fields: [] } },
  ],
  'pii.redaction-scheduler': [
    {
      name: 'weekly',
      expect: 'fail',
      items: [
        eventRule('weekly', {
          State: 'ENABLED',
          ScheduleExpression: 'cron(0 3 ? * SUN *)',
          Targets: [{ Id: 't', Arn: `arn:aws:lambda:${REGION}:${PROD}:function:pii-redactor` }],
        }),
      ],
      message: /less often than daily/,
    },
    {
      name: 'disabled',
      expect: 'fail',
      items: [
        eventRule('nightly', {
          State: 'DISABLED',
          ScheduleExpression: 'rate(1 day)',
          Targets: [{ Id: 't', Arn: `arn:aws:lambda:${REGION}:${PROD}:function:pii-redactor` }],
        }),
      ],
      message: /is DISABLED/,
    },
    {
      name: 'targets another function',
      expect: 'fail',
      items: [
        eventRule('nightly', {
          State: 'ENABLED',
          ScheduleExpression: 'rate(1 day)',
          Targets: [{ Id: 't', Arn: `arn:aws:lambda:${REGION}:${PROD}:function:report-builder` }],
        }),
      ],
      message: /no enabled production rule targets the redaction function/,
    },
    {
      name: 'enabled daily rule targeting the function (PascalCase as recorded)',
      expect: 'pass',
      items: [
        eventRule('nightly', {
          State: 'ENABLED',
          ScheduleExpression: 'rate(1 day)',
          Targets: [{ Id: 't', Arn: `arn:aws:lambda:${REGION}:${PROD}:function:pii-redactor` }],
        }),
      ],
    },
    { name: 'no rule recorded', expect: 'not-pass', items: [] },
  ],
  'pii.redaction-backfill': [
    {
      name: 'three legacy orders',
      expect: 'fail',
      unredacted: { count: 3, sample: ['o-1', 'o-2', 'o-3'], olderThanDays: 30 },
      message: /order o-1 was delivered over 30 days ago/,
    },
    { name: 'one order', expect: 'fail', unredacted: { count: 1, sample: ['o-9'], olderThanDays: 30 }, message: /o-9/ },
    {
      name: 'many orders, sample of 20',
      expect: 'fail',
      unredacted: { count: 500, sample: Array.from({ length: 20 }, (_, i) => `o-${i}`), olderThanDays: 30 },
      message: /o-0/,
    },
    { name: 'none', expect: 'pass', unredacted: { count: 0, sample: [], olderThanDays: 30 } },
    { name: 'database not configured', expect: 'not-pass' },
  ],
  'secrets.whatsapp-in-secrets-manager': [
    {
      name: 'no WhatsApp secret',
      expect: 'fail',
      items: [secret('prod/stripe/api', { RotationEnabled: true })],
      message: /no production Secrets Manager secret holds the WhatsApp credentials/,
    },
    { name: 'only in staging', expect: 'fail', items: [secret('staging/whatsapp/api', { RotationEnabled: true }, STAGING)], message: /no production/ },
    { name: 'no secret at all', expect: 'fail', items: [secret('prod/google/oauth', { RotationEnabled: true })], message: /no production/ },
    {
      name: 'prod/whatsapp secret (PascalCase as recorded)',
      expect: 'pass',
      items: [secret('prod/whatsapp/business-api', { RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 90 } })],
    },
    { name: 'Secrets Manager not recorded', expect: 'not-pass', items: [] },
  ],
  'secrets.no-legacy-env-credentials': [
    {
      name: 'WHATSAPP_ACCESS_TOKEN_V2',
      expect: 'fail',
      items: [lambda('inbound', { WHATSAPP_ACCESS_TOKEN_V2: '[redacted]' })],
      message: /WHATSAPP_ACCESS_TOKEN_V2/,
    },
    {
      name: 'WABA_TOKEN, WA_APP_KEY, FB_GRAPH_ACCESS_TOKEN',
      expect: 'fail',
      items: [
        lambda('inbound', { WABA_TOKEN: '[redacted]', WA_APP_KEY: '[redacted]', FB_GRAPH_ACCESS_TOKEN: '[redacted]', WHATSAPP_SECRET_ARN: '[redacted]' }),
      ],
      message: /WABA_TOKEN, WA_APP_KEY, FB_GRAPH_ACCESS_TOKEN$/m,
    },
    {
      name: 'a Stripe live key under an innocent name (value scanned, kept masked)',
      expect: 'fail',
      items: [lambda('billing', { PAYMENTS_CONFIG: 'sk_live_51H8aBcDeFgHiJkLmNoPqRsTuVw' })],
      message: /variable PAYMENTS_CONFIG holds a value the secret detectors flag: stripe_key sk\*+Vw \(fingerprint [0-9a-f]{12}\)/,
    },
    {
      name: 'secret ARNs only, staging legacy variables ignored',
      expect: 'pass',
      items: [
        lambda('inbound', { WHATSAPP_SECRET_ARN: `arn:aws:secretsmanager:${REGION}:${PROD}:secret:prod/whatsapp-AbCdEf`, LOG_LEVEL: 'info' }),
        lambda('inbound-stg', { WHATSAPP_ACCESS_TOKEN: '[redacted]' }, STAGING),
      ],
    },
    // Live, the collector reads every function's environment with GetFunctionConfiguration (or reports an error).
    { name: 'a plain Config snapshot: no Lambda environment recorded', expect: 'not-pass', items: [lambda('inbound', undefined)], only: 'snapshot' },
  ],
  'governance.runbooks': [
    {
      name: 'one attested over 365 days ago',
      expect: 'fail',
      attestations: [att('runbook.secrets-rotation', 400, 30), att('runbook.data-deletion-export', 10)],
      message: /over 365 days ago/,
    },
    {
      name: 'one missing',
      expect: 'fail',
      attestations: [att('runbook.secrets-rotation', 10)],
      message: /runbook.data-deletion-export has no signed attestation/,
    },
    { name: 'none', expect: 'fail', attestations: [], message: /no signed attestation/ },
    { name: 'both recent', expect: 'pass', attestations: [att('runbook.secrets-rotation', 10), att('runbook.data-deletion-export', 200)] },
    { name: 'attestations not configured', expect: 'not-pass' },
  ],
  'retention.log-groups': [
    { name: 'never expires', expect: 'fail', items: [logGroup('/aws/lambda/a')], message: /never expires; operational logs keep 180 days/ },
    {
      name: 'operational group kept 365 days',
      expect: 'fail',
      items: [logGroup('/aws/lambda/a', 365)],
      message: /keeps logs 365 days; operational logs keep 180 days/,
    },
    {
      name: 'PII-reveal audit group kept 180 days',
      expect: 'fail',
      items: [logGroup('/tenet/pii-reveal-audit', 180)],
      message: /keeps logs 180 days; pii-reveal-audit logs keep 365 days/,
    },
    {
      name: 'operational 180 days, the PII-reveal audit group 365 (by name and by tag)',
      expect: 'pass',
      items: [
        logGroup('/aws/lambda/a', 180),
        logGroup('/tenet/pii-reveal-audit', 365),
        logGroup('/astrix/audit-trail', 365, PROD, { 'retention-class': 'pii-reveal-audit' }),
        logGroup('/aws/lambda/s', 30, STAGING),
      ],
    },
    { name: 'a plain Config snapshot: no log group recorded', expect: 'not-pass', items: [] },
  ],
  'retention.conversation-ttl': [
    {
      name: 'TTL DISABLED',
      expect: 'fail',
      items: [table('whatsapp-conversations', { TimeToLiveDescription: { timeToLiveStatus: 'DISABLED' } })],
      message: /has TTL DISABLED/,
    },
    {
      name: 'chat table TTL being disabled',
      expect: 'fail',
      items: [table('chat-messages', { TimeToLiveDescription: { timeToLiveStatus: 'DISABLING' } })],
      message: /DISABLING/,
    },
    {
      name: 'one of two without TTL',
      expect: 'fail',
      items: [
        table('whatsapp-conversations', { TimeToLiveDescription: { timeToLiveStatus: 'ENABLED', attributeName: 'expiresAt' } }),
        table('chat-archive', { TimeToLiveDescription: { timeToLiveStatus: 'DISABLED' } }),
      ],
      message: /chat-archive/,
    },
    {
      name: 'TTL ENABLED (a non-conversation table without TTL beside it)',
      expect: 'pass',
      items: [
        table('whatsapp-conversations', { TimeToLiveDescription: { timeToLiveStatus: 'ENABLED', attributeName: 'expiresAt' } }),
        table('orders', { TimeToLiveDescription: { timeToLiveStatus: 'DISABLED' } }),
      ],
    },
    { name: 'a plain Config snapshot: TTL not recorded', expect: 'not-pass', items: [table('whatsapp-conversations', {})] },
  ],
  'backup.dynamodb-pitr': [
    {
      name: 'PITR DISABLED',
      expect: 'fail',
      items: [
        table('orders', {
          ContinuousBackupsDescription: { continuousBackupsStatus: 'ENABLED', pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' } },
        }),
      ],
      message: /point-in-time recovery DISABLED/,
    },
    {
      name: 'tagged environment=shared in the production account',
      expect: 'fail',
      items: [
        ci(
          'AWS::DynamoDB::Table',
          'shared',
          { tableName: 'shared' },
          {
            tags: { environment: 'shared' },
            supplementary: { ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' } } },
          },
        ),
      ],
      message: /DISABLED/,
    },
    {
      name: 'one of two',
      expect: 'fail',
      items: [
        table('a', { ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'ENABLED' } } }),
        table('b', { ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' } } }),
      ],
      message: /table b/,
    },
    {
      name: 'PITR ENABLED',
      expect: 'pass',
      items: [
        table('orders', {
          ContinuousBackupsDescription: {
            continuousBackupsStatus: 'ENABLED',
            pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'ENABLED', earliestRestorableDateTime: 1732600000 },
          },
        }),
      ],
    },
    { name: 'not recorded', expect: 'not-pass', items: [table('orders', {})] },
  ],
  'audit.pii-reveal-retention': [
    { name: 'accepts updates', expect: 'fail', self: { configuredDays: 365, oldestRowAgeDays: 12, updateRefused: false }, message: /accepts updates/ },
    { name: 'configured below 365', expect: 'fail', self: { configuredDays: 90, oldestRowAgeDays: 12, updateRefused: true }, message: /90/ },
    { name: 'both', expect: 'fail', self: { configuredDays: 30, oldestRowAgeDays: null, updateRefused: false }, message: /accepts updates/ },
    { name: '365 days, refuses updates', expect: 'pass', self: { configuredDays: 365, oldestRowAgeDays: 12, updateRefused: true } },
    { name: 'not available', expect: 'not-pass' },
  ],
  'logging.cloudwatch-pii-scan': [
    {
      name: 'a phone number logged',
      expect: 'fail',
      items: [lambda('order-import', { LOG_LEVEL: 'info' })],
      logScan: scan({ counts: { in_phone: 2 }, byGroup: [{ logGroupName: '/aws/lambda/order-import', logStreamName: 's1', detector: 'in_phone', count: 2 }] }),
      message: /2 in_phone value\(s\) in \/aws\/lambda\/order-import/,
    },
    {
      name: "a new production function's group is not scanned",
      expect: 'fail',
      items: [lambda('order-import', {}), lambda('refund-worker', {})],
      logScan: scan(),
      message: /production log group \/aws\/lambda\/refund-worker .* is not scanned/,
    },
    {
      name: "a production stage's access-log group is not scanned",
      expect: 'fail',
      items: [stage('a1', 'prod', { destinationArn: `arn:aws:logs:${REGION}:${PROD}:log-group:/aws/apigateway/other:*`, format: goodFormat })],
      logScan: scan(),
      message: /\/aws\/apigateway\/other .* is not scanned/,
    },
    {
      name: 'every discovered production group scanned, nothing found',
      expect: 'pass',
      items: [lambda('order-import', {}), stage('a1', 'prod', logs(goodFormat)), lambda('stg-fn', {}, STAGING)],
      logScan: scan(),
    },
    {
      name: 'a group could not be scanned',
      expect: 'not-pass',
      items: [lambda('order-import', {})],
      logScan: scan({ errors: [{ source: 'aws:111111111111:ap-south-1:CloudWatchLogs.FilterLogEvents', message: 'ThrottlingException' }] }),
    },
  ],
  'config.recorder-healthy': [
    {
      name: 'recorder stopped',
      expect: 'fail',
      recorders: false,
      items: [ci('AWS::Config::ConfigurationRecorder', 'default', { Name: 'default', Recording: false, RecordingGroup: { AllSupported: true } })],
      message: /is not recording/,
    },
    {
      name: 'recording group without the types read',
      expect: 'fail',
      recorders: false,
      items: [
        ci('AWS::Config::ConfigurationRecorder', 'default', {
          Name: 'default',
          Recording: true,
          RecordingGroup: { AllSupported: false, ResourceTypes: ['AWS::S3::Bucket'], RecordingStrategy: { UseOnly: 'INCLUSION_BY_RESOURCE_TYPES' } },
        }),
      ],
      message: /does not record AWS::S3::AccountPublicAccessBlock/,
    },
    {
      name: 'a region with items and no recorder',
      expect: 'fail',
      recorders: false,
      items: [recorder(PROD), bucket('s', { account: STAGING })],
      message: /account 222222222222 has no AWS Config recorder/,
    },
    {
      name: 'recording every supported type in each account',
      expect: 'pass',
      recorders: false,
      items: [recorder(PROD), recorder(STAGING), bucket('s', { account: STAGING })],
    },
    { name: 'no recorder item at all', expect: 'not-pass', recorders: false, items: [bucket('p')] },
  ],
};
