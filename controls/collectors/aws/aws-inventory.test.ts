import { afterEach, describe, expect, it } from 'vitest';
import { startAwsLoopback, type AwsLoopback, type AwsRegionWorld, type AwsWorld, type SnapshotItem } from '../../../test/fixtures/aws-loopback.ts';
import type { InventoryItem, InventorySlice } from '../../define-control.ts';
import { createAwsInventorySource, type AwsInventoryOptions } from './aws-inventory.ts';

const A = '111111111111';
const B = '222222222222';
const EU = 'eu-west-1';
const US = 'us-east-1';
const BASE_KEY = 'AKIATESTBASE00000001';
const BASE_SECRET = 'base-secret-never-printed';
const SECRET_VALUE = 'sk_live_51Hq9TzKp3Wc8RvXy2LmN7bQd';
const ROLE_B = `arn:aws:iam::${B}:role/TenetReader`;

function item(account: string, region: string, resourceType: string, resourceId: string, extra: Partial<SnapshotItem> = {}): SnapshotItem {
  return {
    // Delivery (version 1.3) spellings, as in snapshot files.
    awsAccountId: account,
    awsRegion: region,
    resourceType,
    resourceId,
    resourceName: resourceId,
    ARN: `arn:aws:test:${region}:${account}:${resourceId}`,
    configurationItemCaptureTime: '2026-11-01T10:00:00.000Z',
    configurationItemStatus: 'OK',
    configurationStateId: '1730000000000',
    configuration: {},
    supplementaryConfiguration: {},
    tags: {},
    ...extra,
  };
}

/** One region's resources: a bucket, a function, a table, two log groups, an API with routes. */
function region(account: string, name: string): AwsRegionWorld {
  const p = `${account.slice(0, 1)}-${name}`;
  return {
    configItems: [
      item(account, name, 'AWS::S3::Bucket', `bucket-${p}`, { tags: { environment: 'Production', team: 'core' } }),
      item(account, name, 'AWS::Lambda::Function', `fn-${p}`, { configuration: { functionName: `fn-${p}`, runtime: 'nodejs20.x' } }),
      item(account, name, 'AWS::DynamoDB::Table', `table-${p}`, { configuration: { tableName: `table-${p}` } }),
      item(account, name, 'AWS::Logs::LogGroup', `/aws/lambda/fn-${p}`, { configuration: { logGroupName: `/aws/lambda/fn-${p}` } }),
      item(account, name, 'AWS::ApiGatewayV2::Api', `api-${p}`, { tags: { environment: 'production' }, configuration: { apiId: `api-${p}`, name: 'orders' } }),
    ],
    lambdaEnv: { [`fn-${p}`]: { STRIPE_KEY: SECRET_VALUE, LOG_LEVEL: 'info' } },
    ttl: { [`table-${p}`]: 'ENABLED' },
    pitr: { [`table-${p}`]: 'ENABLED' },
    logGroups: [{ logGroupName: `/aws/lambda/fn-${p}`, retentionInDays: 30 }],
    routes: {
      [`api-${p}`]: [
        { routeId: `r1-${p}`, routeKey: '$default', authorizationType: 'JWT' },
        { routeId: `r2-${p}`, routeKey: 'GET /health', authorizationType: 'NONE' },
      ],
    },
  };
}

function world(overrides: Partial<AwsWorld> = {}): AwsWorld {
  return {
    accessKeys: { [BASE_KEY]: A },
    accounts: {
      [A]: { regions: { [EU]: region(A, EU), [US]: region(A, US) } },
      [B]: { regions: { [EU]: region(B, EU), [US]: region(B, US) } },
    },
    ...overrides,
  };
}

let loopback: AwsLoopback | undefined;
afterEach(async () => {
  await loopback?.close();
  loopback = undefined;
});

async function setup(w: AwsWorld = world(), options: Partial<AwsInventoryOptions> = {}) {
  // An account read in fewer regions than the world holds has only those enabled (DescribeRegions), and only
  // their buckets (ListBuckets).
  for (const a of options.accounts ?? []) {
    const account = w.accounts[a.accountId];
    if (!account || !a.regions || account.enabledRegions) continue;
    account.enabledRegions = a.regions;
    account.buckets ??= a.regions.flatMap((r) =>
      (account.regions[r]?.configItems ?? []).filter((i) => i.resourceType === 'AWS::S3::Bucket').map((i) => ({ name: String(i.resourceId), region: r })),
    );
  }
  loopback = await startAwsLoopback(w);
  const logs: unknown[] = [];
  const source = createAwsInventorySource({
    accounts: [
      { accountId: A, regions: [EU, US] },
      { accountId: B, regions: [EU, US], roleArn: ROLE_B, externalId: 'tenet-external-id' },
    ],
    mapping: { accounts: { [B]: 'staging' } },
    endpoint: loopback.endpoint,
    credentials: { accessKeyId: BASE_KEY, secretAccessKey: BASE_SECRET },
    requestTimeoutMs: 2_000,
    maxAttempts: 3,
    retryDelayMs: 5,
    logger: { warn: (o, m) => logs.push([o, m]), debug: (o, m) => logs.push([o, m]) },
    ...options,
  });
  return { lb: loopback, source, logs };
}

const ids = (s: InventorySlice, type?: string) =>
  s.items
    .filter((i) => !type || i.resourceType === type)
    .map((i) => i.resourceId)
    .sort();
const find = (s: InventorySlice, id: string): InventoryItem => {
  const found = s.items.find((i) => i.resourceId === id);
  if (!found) throw new Error(`no item ${id} in ${ids(s).join(', ')}`);
  return found;
};
const ALL_BUCKETS = ['bucket-1-eu-west-1', 'bucket-1-us-east-1', 'bucket-2-eu-west-1', 'bucket-2-us-east-1'];
/** The S3 cross-check's error for a bucket ListBuckets names that the AWS Config read lost. */
const lostBucket = (account: string, region: string, bucket: string) => ({
  source: `aws:${account}:${region}:S3.ListBuckets`,
  message: `bucket ${bucket} exists (S3 ListBuckets) in ${region} but AWS Config could not be read completely there`,
});

describe('createAwsInventorySource over the wire', () => {
  it('reads two accounts × two regions, assuming the role of the second account once', async () => {
    const { lb, source } = await setup();
    const slice = await source.read(['AWS::S3::Bucket']);

    expect(slice.errors).toEqual([]);
    expect(source.name).toBe('aws');
    expect(ids(slice)).toEqual(ALL_BUCKETS);
    const b = find(slice, 'bucket-2-us-east-1');
    expect(b).toMatchObject({
      accountId: B,
      awsRegion: US,
      arn: `arn:aws:test:${US}:${B}:bucket-2-us-east-1`,
      configurationItemCaptureTime: '2026-11-01T10:00:00.000Z',
    });
    // Tags come from SelectResourceConfig (BatchGet items carry none); a production tag adds scope to the staging account.
    expect(b.tags).toEqual({ environment: 'Production', team: 'core' });
    expect(b.environment).toBe('production');

    const sts = lb.calls.filter((c) => c.service === 'sts');
    expect(sts).toHaveLength(1);
    expect(sts[0]).toMatchObject({
      operation: 'AssumeRole',
      accountId: A,
      input: { RoleArn: ROLE_B, RoleSessionName: 'tenet-controls', ExternalId: 'tenet-external-id' },
    });
    // Account B's Config is read with the assumed role's credentials, in each region of B.
    const selects = lb.calls
      .filter((c) => c.operation === 'SelectResourceConfig')
      .map((c) => `${c.accountId}/${c.region}`)
      .sort();
    expect(selects).toEqual([`${A}/${EU}`, `${A}/${US}`, `${B}/${EU}`, `${B}/${US}`]);
    expect(lb.calls.find((c) => c.operation === 'SelectResourceConfig')?.input?.Expression).toBe(
      "SELECT resourceId, resourceType, resourceName, arn, awsRegion, accountId, tags WHERE resourceType IN ('AWS::S3::Bucket')",
    );
    // Nothing else was asked for, so nothing else was called.
    // (and the enabled regions of each account, and S3's own list of buckets to cross-check Config's).
    expect(new Set(lb.calls.map((c) => c.operation))).toEqual(
      new Set(['AssumeRole', 'DescribeRegions', 'SelectResourceConfig', 'BatchGetResourceConfig', 'ListBuckets']),
    );

    // A second read reuses the assumed-role credentials.
    await source.read(['AWS::S3::Bucket']);
    expect(lb.calls.filter((c) => c.service === 'sts')).toHaveLength(1);
  });

  it('uses the account mapping for untagged resources and reports a refused AssumeRole while reading the rest', async () => {
    const w = world();
    delete w.accounts[B]; // the role's account does not exist: STS refuses
    w.accounts[A].regions[EU].configItems.push(item(A, EU, 'AWS::S3::Bucket', 'untagged'));
    const { source } = await setup(w, { mapping: { accounts: { [A]: 'development' } } });
    const slice = await source.read(['AWS::S3::Bucket']);
    expect(ids(slice)).toEqual(['bucket-1-eu-west-1', 'bucket-1-us-east-1', 'untagged']);
    expect(find(slice, 'untagged').environment).toBe('development');
    expect(slice.errors.map((e) => e.source).sort()).toEqual([
      `aws:${B}:${EU}:EC2.DescribeRegions`,
      `aws:${B}:${EU}:S3.ListBuckets`,
      `aws:${B}:${EU}:STS.AssumeRole`,
      `aws:${B}:${US}:STS.AssumeRole`,
    ]);
    for (const e of slice.errors) expect(e.message).toMatch(/AccessDenied/);
  });

  it('pages through SelectResourceConfig, DescribeLogGroups and GetRoutes', async () => {
    const w = world({ pageSize: 2 });
    const eu = w.accounts[A].regions[EU];
    for (let i = 0; i < 5; i++) eu.configItems.push(item(A, EU, 'AWS::S3::Bucket', `extra-${i}`));
    for (let i = 0; i < 4; i++) {
      eu.configItems.push(item(A, EU, 'AWS::Logs::LogGroup', `group-${i}`));
      eu.logGroups!.push({ logGroupName: `group-${i}`, retentionInDays: 90 + i });
    }
    eu.routes![`api-1-${EU}`].push(...[3, 4, 5].map((n) => ({ routeId: `r${n}-1-${EU}`, routeKey: `POST /r${n}`, authorizationType: 'AWS_IAM' })));
    const { lb, source } = await setup(w, { accounts: [{ accountId: A, regions: [EU] }] });

    const slice = await source.read(['AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::ApiGatewayV2::Route']);
    expect(slice.errors).toEqual([]);
    expect(ids(slice, 'AWS::S3::Bucket')).toEqual(['bucket-1-eu-west-1', 'extra-0', 'extra-1', 'extra-2', 'extra-3', 'extra-4']);
    expect(slice.items.filter((i) => i.resourceType === 'AWS::Logs::LogGroup').map((g) => [g.resourceId, g.configuration.retentionInDays])).toEqual(
      expect.arrayContaining([
        [`/aws/lambda/fn-1-${EU}`, 30],
        ['group-0', 90],
        ['group-3', 93],
      ]),
    );
    expect(ids(slice, 'AWS::ApiGatewayV2::Route')).toEqual([`r1-1-${EU}`, `r2-1-${EU}`, `r3-1-${EU}`, `r4-1-${EU}`, `r5-1-${EU}`]);
    // The API was selected to find the routes, but was not asked for.
    expect(ids(slice, 'AWS::ApiGatewayV2::Api')).toEqual([]);

    const count = (op: string) => lb.calls.filter((c) => c.operation === op).length;
    expect(count('SelectResourceConfig')).toBe(4); // 7 keys (6 buckets, 1 API) at 2 a page: log groups are not asked of AWS Config
    expect(count('DescribeLogGroups')).toBe(3); // 5 groups
    expect(count('GetRoutes')).toBe(3); // 5 routes
    const route = find(slice, `r1-1-${EU}`);
    expect(route).toMatchObject({
      resourceType: 'AWS::ApiGatewayV2::Route',
      accountId: A,
      awsRegion: EU,
      configuration: { apiId: `api-1-${EU}`, routeKey: '$default', authorizationType: 'JWT' },
      tags: { environment: 'production' },
      environment: 'production',
    });
  });

  it('retries the keys BatchGetResourceConfig left unprocessed', async () => {
    const { lb, source } = await setup(world(), { accounts: [{ accountId: A, regions: [EU] }] });
    lb.faults.unprocessed(2, 1);
    const slice = await source.read(['AWS::S3::Bucket', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table']);
    expect(slice.errors).toEqual([]);
    expect(ids(slice)).toEqual(['bucket-1-eu-west-1', 'fn-1-eu-west-1', 'table-1-eu-west-1']);
    const batches = lb.calls.filter((c) => c.operation === 'BatchGetResourceConfig');
    expect(batches.map((c) => (c.input?.resourceKeys as unknown[]).length)).toEqual([3, 2]);
  });

  it('reports keys that stay unprocessed instead of returning fewer items', async () => {
    const { lb, source } = await setup(world(), { accounts: [{ accountId: A, regions: [EU] }] });
    lb.faults.unprocessed(1, Infinity);
    const slice = await source.read(['AWS::S3::Bucket', 'AWS::DynamoDB::Table']);
    expect(slice.errors).toEqual([
      {
        source: `aws:${A}:${EU}:ConfigService.BatchGetResourceConfig`,
        message: expect.stringMatching(/1 resource key\(s\) still unprocessed after 5 attempts/),
      },
      lostBucket(A, EU, 'bucket-1-eu-west-1'),
    ]);
    expect(lb.calls.filter((c) => c.operation === 'BatchGetResourceConfig')).toHaveLength(5);
  });

  it('recovers from throttling with the SDK retry', async () => {
    const { lb, source } = await setup();
    lb.faults.throttle('SelectResourceConfig', 2, { accountId: A, region: EU }).throttle('BatchGetResourceConfig', 1, { accountId: B });
    const slice = await source.read(['AWS::S3::Bucket']);
    expect(slice.errors).toEqual([]);
    expect(ids(slice)).toEqual(ALL_BUCKETS);
    const selects = lb.calls.filter((c) => c.operation === 'SelectResourceConfig' && c.accountId === A && c.region === EU);
    expect(selects.map((c) => [c.attempt, c.status])).toEqual([
      [1, 400],
      [2, 400],
      [3, 200],
    ]);
    expect(lb.calls.filter((c) => c.operation === 'BatchGetResourceConfig' && c.accountId === B).map((c) => c.status)).toContain(400);
  });

  it('reports persistent throttling and 5xx as errors, never as silently fewer items', async () => {
    const { lb, source, logs } = await setup();
    lb.faults
      .throttle('SelectResourceConfig', Infinity, { accountId: A, region: EU })
      .serverError('BatchGetResourceConfig', Infinity, { accountId: B, region: US })
      .serverError('GetFunctionConfiguration', Infinity, { accountId: A, region: US });
    const slice = await source.read(['AWS::S3::Bucket', 'AWS::Lambda::Function']);
    expect(ids(slice)).toEqual(['bucket-1-us-east-1', 'bucket-2-eu-west-1', 'fn-1-us-east-1', 'fn-2-eu-west-1']);
    const bySource = Object.fromEntries(slice.errors.map((e) => [e.source, e.message]));
    expect(Object.keys(bySource).sort()).toEqual([
      `aws:${A}:${EU}:ConfigService.SelectResourceConfig`,
      `aws:${A}:${EU}:S3.ListBuckets`,
      `aws:${A}:${US}:Lambda.GetFunctionConfiguration`,
      `aws:${B}:${US}:ConfigService.BatchGetResourceConfig`,
      `aws:${B}:${US}:S3.ListBuckets`,
    ]);
    expect(slice.errors).toEqual(expect.arrayContaining([lostBucket(A, EU, 'bucket-1-eu-west-1'), lostBucket(B, US, 'bucket-2-us-east-1')]));
    expect(bySource[`aws:${A}:${EU}:ConfigService.SelectResourceConfig`]).toMatch(/^ThrottlingException: Rate exceeded \(HTTP 400, 3 attempts\)$/);
    expect(bySource[`aws:${B}:${US}:ConfigService.BatchGetResourceConfig`]).toMatch(/HTTP 500, 3 attempts/);
    expect(bySource[`aws:${A}:${US}:Lambda.GetFunctionConfiguration`]).toMatch(/^function fn-1-us-east-1: ServiceException/);
    // Each failing call was tried maxAttempts times.
    expect(lb.calls.filter((c) => c.operation === 'SelectResourceConfig' && c.accountId === A && c.region === EU)).toHaveLength(3);
    // Failures are logged, without credentials.
    expect(logs.length).toBeGreaterThan(0);
    const text = JSON.stringify({ slice, logs });
    expect(text).not.toContain(BASE_SECRET);
    expect(text).not.toContain(BASE_KEY);
    expect(text).not.toContain('loopback-secret');
    expect(text).not.toContain('loopback-session');
  });

  it('times out a call that hangs, and reports it', async () => {
    const { lb, source } = await setup(world(), { accounts: [{ accountId: A, regions: [EU, US] }], requestTimeoutMs: 200, maxAttempts: 2 });
    lb.faults.delay('SelectResourceConfig', 1_500, 2, { region: EU });
    const started = Date.now();
    const slice = await source.read(['AWS::S3::Bucket']);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(ids(slice)).toEqual(['bucket-1-us-east-1']);
    expect(slice.errors).toHaveLength(2);
    expect(slice.errors[1]).toEqual(lostBucket(A, EU, 'bucket-1-eu-west-1'));
    expect(slice.errors[0].source).toBe(`aws:${A}:${EU}:ConfigService.SelectResourceConfig`);
    expect(slice.errors[0].message).toMatch(/^TimeoutError: a request has exceeded the configured 200 ms requestTimeout/);
    expect(lb.calls.filter((c) => c.operation === 'SelectResourceConfig' && c.region === EU)).toHaveLength(2);
  });

  it('a slow answer within the retry budget still succeeds', async () => {
    const { lb, source } = await setup(world(), { accounts: [{ accountId: A, regions: [EU] }], requestTimeoutMs: 200, maxAttempts: 2 });
    lb.faults.delay('BatchGetResourceConfig', 1_000, 1);
    const started = Date.now();
    const slice = await source.read(['AWS::S3::Bucket']);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(slice.errors).toEqual([]);
    expect(ids(slice)).toEqual(['bucket-1-eu-west-1']);
    expect(lb.calls.filter((c) => c.operation === 'BatchGetResourceConfig').map((c) => c.attempt)).toEqual([1, 2]);
  });

  it('reports a malformed reply', async () => {
    const { lb, source } = await setup(world(), { accounts: [{ accountId: A, regions: [EU] }] });
    lb.faults.malformed('BatchGetResourceConfig', Infinity).malformed('DescribeTimeToLive', Infinity);
    const slice = await source.read(['AWS::S3::Bucket']);
    expect(slice.items).toEqual([]);
    expect(slice.errors).toEqual([
      { source: `aws:${A}:${EU}:ConfigService.BatchGetResourceConfig`, message: expect.stringMatching(/does not parse/) },
      lostBucket(A, EU, 'bucket-1-eu-west-1'),
    ]);
    expect(slice.errors[0].message.length).toBeLessThan(300);

    lb.faults.clear().malformed('DescribeTimeToLive', Infinity);
    const tables = await source.read(['AWS::DynamoDB::Table']);
    expect(ids(tables)).toEqual(['table-1-eu-west-1']);
    expect(tables.errors).toEqual([
      { source: `aws:${A}:${EU}:DynamoDB.DescribeTimeToLive`, message: expect.stringMatching(/^table table-1-eu-west-1: .*does not parse/) },
    ]);
  });

  it('reports pagination that never ends', async () => {
    const w = world({ pageSize: 1 });
    const { lb, source } = await setup(w, { accounts: [{ accountId: A, regions: [EU] }] });
    lb.faults.brokenPagination('SelectResourceConfig');
    const broken = await source.read(['AWS::S3::Bucket', 'AWS::DynamoDB::Table']);
    expect(broken.items).toEqual([]);
    expect(broken.errors).toEqual([
      { source: `aws:${A}:${EU}:ConfigService.SelectResourceConfig`, message: expect.stringMatching(/pagination did not end/) },
      lostBucket(A, EU, 'bucket-1-eu-west-1'),
    ]);
    expect(lb.calls.filter((c) => c.operation === 'SelectResourceConfig').length).toBeLessThanOrEqual(3);

    lb.faults.clear().brokenPagination('GetRoutes').brokenPagination('DescribeLogGroups');
    const routes = await source.read(['AWS::ApiGatewayV2::Route', 'AWS::Logs::LogGroup']);
    expect(routes.errors.map((e) => [e.source, /pagination did not end/.test(e.message)])).toEqual(
      expect.arrayContaining([
        [`aws:${A}:${EU}:ApiGatewayV2.GetRoutes`, true],
        [`aws:${A}:${EU}:CloudWatchLogs.DescribeLogGroups`, true],
      ]),
    );
    expect(routes.errors).toHaveLength(2);
  });

  it('keeps Lambda environment variable names and never lets a value out', async () => {
    const w = world();
    // Account B's function: AWS Config recorded the variables (values included).
    const recorded = w.accounts[B].regions[EU].configItems.find((i) => i.resourceType === 'AWS::Lambda::Function')!;
    recorded.configuration = { functionName: 'fn-2-eu-west-1', environment: { variables: { DB_PASSWORD: SECRET_VALUE } } };
    const { lb, source, logs } = await setup(w);
    const slice = await source.read(['AWS::Lambda::Function']);
    expect(slice.errors).toEqual([]);
    expect(ids(slice)).toEqual(['fn-1-eu-west-1', 'fn-1-us-east-1', 'fn-2-eu-west-1', 'fn-2-us-east-1']);
    // Each value is replaced by what the secret detectors found in it (masked, fingerprinted), never kept.
    const vars = (id: string) =>
      (find(slice, id).configuration.environment as { variables: Record<string, { redacted: boolean; detectors: Array<{ detector: string }> }> }).variables;
    expect(find(slice, 'fn-1-eu-west-1').configuration).toMatchObject({ runtime: 'nodejs20.x' });
    expect(vars('fn-1-eu-west-1').STRIPE_KEY.detectors.map((d) => d.detector)).toEqual(['stripe_key']);
    expect(vars('fn-1-eu-west-1').LOG_LEVEL).toEqual({ redacted: true, detectors: [] });
    expect(vars('fn-2-eu-west-1').DB_PASSWORD.detectors.map((d) => d.detector)).toEqual(['stripe_key']);
    expect(JSON.stringify(slice)).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(logs)).not.toContain(SECRET_VALUE);
    // Filled only where AWS Config lacked the variables.
    const asked = lb.calls
      .filter((c) => c.operation === 'GetFunctionConfiguration')
      .map((c) => c.input?.FunctionName)
      .sort();
    expect(asked).toEqual(['fn-1-eu-west-1', 'fn-1-us-east-1', 'fn-2-us-east-1']);
  });

  it('fills DynamoDB TTL/PITR and log-group retention only where AWS Config lacks them', async () => {
    const w = world();
    const eu = w.accounts[A].regions[EU];
    // This table's supplementary configuration already carries both statuses.
    eu.configItems.push(
      item(A, EU, 'AWS::DynamoDB::Table', 'recorded-table', {
        supplementaryConfiguration: {
          TimeToLiveDescription: { timeToLiveStatus: 'DISABLED' },
          ContinuousBackupsDescription: { continuousBackupsStatus: 'ENABLED', pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' } },
        },
      }),
      // Recorded retention; and a group the service says never expires.
      item(A, EU, 'AWS::Logs::LogGroup', 'recorded-group', { configuration: { logGroupName: 'recorded-group', retentionInDays: 7 } }),
      item(A, EU, 'AWS::Logs::LogGroup', 'forever-group', { configuration: { logGroupName: 'forever-group' } }),
    );
    eu.logGroups!.push({ logGroupName: 'recorded-group', retentionInDays: 400 }, { logGroupName: 'forever-group' });
    w.accounts[A].regions[US].pitr = {}; // unknown to the service map → DISABLED
    const { lb, source } = await setup(w, { accounts: [{ accountId: A, regions: [EU, US] }] });

    const slice = await source.read(['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup']);
    expect(slice.errors).toEqual([]);
    expect(find(slice, 'table-1-eu-west-1').supplementaryConfiguration).toEqual({
      TimeToLiveDescription: { timeToLiveStatus: 'ENABLED', attributeName: 'expiresAt' },
      ContinuousBackupsDescription: { continuousBackupsStatus: 'ENABLED', pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'ENABLED' } },
    });
    expect(find(slice, 'table-1-us-east-1').supplementaryConfiguration.ContinuousBackupsDescription).toMatchObject({
      pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' },
    });
    expect(find(slice, 'recorded-table').supplementaryConfiguration).toMatchObject({
      TimeToLiveDescription: { timeToLiveStatus: 'DISABLED' },
      ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' } },
    });
    expect(find(slice, `/aws/lambda/fn-1-${EU}`).configuration.retentionInDays).toBe(30);
    // AWS Config records no log group: the service's answer is the evidence, whatever an item says.
    expect(find(slice, 'recorded-group').configuration.retentionInDays).toBe(400);
    expect(find(slice, 'forever-group').configuration).not.toHaveProperty('retentionInDays');

    const tablesAsked = (op: string) =>
      lb.calls
        .filter((c) => c.operation === op)
        .map((c) => c.input?.TableName)
        .sort();
    expect(tablesAsked('DescribeTimeToLive')).toEqual(['table-1-eu-west-1', 'table-1-us-east-1']);
    expect(tablesAsked('DescribeContinuousBackups')).toEqual(['table-1-eu-west-1', 'table-1-us-east-1']);
    expect(
      lb.calls
        .filter((c) => c.operation === 'DescribeLogGroups')
        .map((c) => c.region)
        .sort(),
    ).toEqual([EU, US]);
    expect(lb.calls.filter((c) => c.operation === 'SelectResourceConfig').map((c) => c.input?.Expression)).not.toContainEqual(
      expect.stringContaining('AWS::Logs::LogGroup'),
    );

    // A group only the service knows (Config never records one) is read too, in its account's environment.
    w.accounts[A].regions[US].logGroups!.push({ logGroupName: '/aws/lambda/new-function' });
    const groups = await source.read(['AWS::Logs::LogGroup']);
    expect(groups.errors).toEqual([]);
    expect(find(groups, '/aws/lambda/new-function')).toMatchObject({
      accountId: A,
      awsRegion: US,
      configuration: { logGroupName: '/aws/lambda/new-function' },
    });
  });

  it('reports a GetRoutes failure for an API and still returns the routes of the others', async () => {
    const { lb, source } = await setup(world(), { accounts: [{ accountId: A, regions: [EU, US] }] });
    lb.faults.serverError('GetRoutes', Infinity, { region: US });
    const slice = await source.read(['AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Api']);
    expect(ids(slice, 'AWS::ApiGatewayV2::Api')).toEqual(['api-1-eu-west-1', 'api-1-us-east-1']);
    expect(ids(slice, 'AWS::ApiGatewayV2::Route')).toEqual(['r1-1-eu-west-1', 'r2-1-eu-west-1']);
    expect(slice.errors).toEqual([{ source: `aws:${A}:${US}:ApiGatewayV2.GetRoutes`, message: expect.stringMatching(/^api api-1-us-east-1: /) }]);
  });
});
