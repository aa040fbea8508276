import { afterEach, describe, expect, it } from 'vitest';
import { startAwsLoopback, type AwsLoopback, type AwsWorld, type LoopbackRecorder, type SnapshotItem } from '../../../test/fixtures/aws-loopback.ts';
import { CONTROLS_BY_ID } from '../../catalogue/index.ts';
import { NOT_APPLICABLE, type EvidenceSources, type InventorySlice } from '../../define-control.ts';
import { runControl } from '../../runner.ts';
import { parseControlSettings } from '../../settings.ts';
import { createAwsInventorySource } from './aws-inventory.ts';
import { createEvidenceSources } from '../sources.ts';

/**
 * Over the wire (the real SDK clients against the loopback AWS server): every enabled region, S3's own
 * list of buckets, the recorder of each region, the service APIs for what AWS Config does not record, and the
 * PascalCase spelling of CloudFormation-registry types.
 */
const PROD = '111111111111';
const KEY = 'AKIASCOPETEST0000001';
const HOME = 'eu-west-1';
const FAR = 'ap-southeast-2';
const settings = parseControlSettings({ environments: { accounts: { [PROD]: 'production' } }, requirements: { redactionFunction: 'buyer-pii-redaction' } });

let lb: AwsLoopback | undefined;
afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

function ci(region: string, resourceType: string, resourceId: string, configuration: object = {}, supplementaryConfiguration: object = {}): SnapshotItem {
  return {
    awsAccountId: PROD,
    awsRegion: region,
    resourceType,
    resourceId,
    resourceName: resourceId,
    ARN: `arn:aws:test:${region}:${PROD}:${resourceId}`,
    configurationItemCaptureTime: new Date(Date.now() - 600_000).toISOString(),
    configurationItemStatus: 'OK',
    configuration,
    supplementaryConfiguration,
    tags: {},
  };
}
const healthy = (): LoopbackRecorder => ({ name: 'default', recording: true, recordingGroup: { allSupported: true } });
const bucket = (region: string, name: string, versioning = 'Enabled') =>
  ci(region, 'AWS::S3::Bucket', name, { name }, { BucketVersioningConfiguration: { status: versioning } });

async function start(world: AwsWorld, regions = [HOME]) {
  lb = await startAwsLoopback(world);
  const aws = createAwsInventorySource({
    accounts: [{ accountId: PROD, regions }],
    mapping: settings.environments,
    endpoint: lb.endpoint,
    credentials: { accessKeyId: KEY, secretAccessKey: 'scope-secret' },
    requestTimeoutMs: 2_000,
    maxAttempts: 2,
    retryDelayMs: 5,
  });
  const sources: EvidenceSources = createEvidenceSources({
    settings,
    inventory: [aws],
    live: true,
    authorize: async () => ({ decision: 'deny', reasons: [], errors: [] }),
  });
  return { aws, sources, lb };
}
const run = (id: string, sources: EvidenceSources) => runControl(CONTROLS_BY_ID.get(id)!, sources, settings);
const slice = async (sources: EvidenceSources, types: string[]): Promise<InventorySlice> => {
  const s = await sources.inventory(types);
  if (s === NOT_APPLICABLE) throw new Error('not applicable');
  return s;
};

describe('item 2: every enabled region, and S3 buckets cross-checked with ListBuckets', () => {
  it('reads a region the settings do not list when DescribeRegions says it is enabled', async () => {
    const { sources, lb } = await start({
      accessKeys: { [KEY]: PROD },
      accounts: {
        [PROD]: {
          regions: {
            [HOME]: { configItems: [bucket(HOME, 'home-bucket')], recorders: [healthy()] },
            [FAR]: { configItems: [bucket(FAR, 'far-bucket', 'Suspended')], recorders: [healthy()] },
          },
        },
      },
    });
    const s = await slice(sources, ['AWS::S3::Bucket']);
    expect(s.errors).toEqual([]);
    expect(s.items.map((i) => [i.resourceId, i.awsRegion]).sort()).toEqual([
      ['far-bucket', FAR],
      ['home-bucket', HOME],
    ]);
    expect(lb.calls.find((c) => c.operation === 'DescribeRegions')).toMatchObject({ service: 'ec2', region: HOME, status: 200 });
    // The unlisted region's suspended bucket is judged.
    const r = await run('storage.s3-versioning', sources);
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual(['production bucket far-bucket has versioning Suspended; expected Enabled']);
  });

  it('a bucket S3 lists but AWS Config does not report is an error naming its region (GetBucketLocation), never absent', async () => {
    const { sources, lb } = await start({
      accessKeys: { [KEY]: PROD },
      accounts: {
        [PROD]: {
          enabledRegions: [HOME],
          listWithoutRegion: true,
          // S3 knows a bucket in us-east-1 (a region not enabled here, so never read) and one Config lost at home.
          buckets: [
            { name: 'home-bucket', region: HOME },
            { name: 'legacy-bucket', region: 'us-east-1' },
            { name: 'unrecorded-bucket', region: HOME },
          ],
          regions: { [HOME]: { configItems: [bucket(HOME, 'home-bucket')], recorders: [healthy()] } },
        },
      },
    });
    const s = await slice(sources, ['AWS::S3::Bucket']);
    expect(s.errors).toEqual(
      expect.arrayContaining([
        {
          source: `aws:${PROD}:us-east-1:S3.ListBuckets`,
          message: 'bucket legacy-bucket exists (S3 ListBuckets) in us-east-1 but region us-east-1 was not read',
        },
        {
          source: `aws:${PROD}:${HOME}:S3.ListBuckets`,
          message: expect.stringMatching(/^bucket unrecorded-bucket exists \(S3 ListBuckets\) in eu-west-1 but AWS Config did not report it/),
        },
      ]),
    );
    expect(s.errors).toHaveLength(2);
    expect((await run('storage.s3-encryption', sources)).status).toBe('error');
    expect(lb.calls.filter((c) => c.operation === 'ListBuckets')).toHaveLength(1); // global: once per account
    expect(
      lb.calls
        .filter((c) => c.operation === 'GetBucketLocation')
        .map((c) => c.input?.Bucket)
        .sort(),
    ).toEqual(['legacy-bucket', 'unrecorded-bucket']);
  });
});

describe('item 3: the recorder of each region, live', () => {
  const world = (recorder: LoopbackRecorder | undefined): AwsWorld => ({
    accessKeys: { [KEY]: PROD },
    accounts: { [PROD]: { regions: { [HOME]: { configItems: [bucket(HOME, 'b1')], ...(recorder ? { recorders: [recorder] } : {}) } } } },
  });

  it('a healthy recorder passes and the inventory controls judge', async () => {
    const { sources, lb } = await start(world(healthy()));
    expect((await run('config.recorder-healthy', sources)).status).toBe('pass');
    expect((await run('storage.s3-versioning', sources)).status).toBe('pass');
    expect(lb.calls.map((c) => c.operation)).toEqual(expect.arrayContaining(['DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus']));
  });

  it.each([
    ['no recorder', undefined, /no AWS Config recorder was found for account 111111111111 in eu-west-1/, /has no AWS Config recorder in eu-west-1/],
    ['stopped', { ...healthy(), recording: false }, /recorder default is not recording/, /is not recording/],
    [
      'without S3',
      {
        ...healthy(),
        recordingGroup: { allSupported: false, resourceTypes: ['AWS::Lambda::Function'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } },
      },
      /does not record AWS::S3::Bucket/,
      /does not record AWS::S3::Bucket/,
    ],
  ])('%s: the S3 controls are error and the recorder control fails', async (_name, recorder, controlError, recorderFinding) => {
    const { sources } = await start(world(recorder));
    const versioning = await run('storage.s3-versioning', sources);
    expect(versioning.status).toBe('error');
    expect(versioning.findings.map((f) => f.message).join('\n')).toMatch(controlError);
    const health = await run('config.recorder-healthy', sources);
    expect(health.status).toBe('fail');
    expect(health.findings.map((f) => f.message).join('\n')).toMatch(recorderFinding);
  });

  it('a failed or silent recorder fails config.recorder-healthy', async () => {
    const failed = await start(world({ ...healthy(), lastStatus: 'Failure', lastErrorCode: 'AccessDenied' }));
    const r1 = await run('config.recorder-healthy', failed.sources);
    expect(r1.status).toBe('fail');
    expect(r1.findings[0].message).toMatch(/failed its last recording \(AccessDenied\)/);
    await lb!.close();
    const silent = await start(world({ ...healthy(), lastStatusChangeTime: Date.now() - 3 * 86_400_000 }));
    // The items' capture time is recent here; the recorder's own status says it stopped delivering long ago.
    const r2 = await run('config.recorder-healthy', silent.sources);
    expect(r2.status).toBe('fail');
    expect(r2.findings[0].message).toMatch(/more than 24 h ago/);
  });
});

describe('item 5, live: what AWS Config does not record is read from the services, for every resource', () => {
  it('log groups from DescribeLogGroups, routes from GetRoutes, Lambda environment from GetFunctionConfiguration', async () => {
    const { sources, lb } = await start({
      accessKeys: { [KEY]: PROD },
      accounts: {
        [PROD]: {
          regions: {
            [HOME]: {
              recorders: [healthy()],
              configItems: [
                ci(HOME, 'AWS::ApiGatewayV2::Api', 'api1', { apiId: 'api1', name: 'orders', protocolType: 'HTTP' }),
                ci(HOME, 'AWS::Lambda::Function', 'whatsapp-inbound', { functionName: 'whatsapp-inbound', runtime: 'nodejs20.x' }),
              ],
              routes: { api1: [{ routeId: 'r1', routeKey: '$default', authorizationType: 'NONE' }] },
              logGroups: [{ logGroupName: '/aws/lambda/whatsapp-inbound' }],
              lambdaEnv: { 'whatsapp-inbound': { WHATSAPP_ACCESS_TOKEN: 'EAAG-live-token-value' } },
            },
          },
        },
      },
    });
    const groups = await run('retention.log-groups', sources);
    expect(groups.status).toBe('fail');
    expect(groups.findings[0].message).toMatch(/log group \/aws\/lambda\/whatsapp-inbound never expires/);
    expect((await run('network.default-route-hardened', sources)).status).toBe('fail');
    const env = await run('secrets.no-legacy-env-credentials', sources);
    expect(env.status).toBe('fail');
    expect(JSON.stringify(env)).not.toContain('EAAG-live-token-value');
    const ops = lb.calls.map((c) => c.operation);
    expect(ops).toEqual(expect.arrayContaining(['DescribeLogGroups', 'GetRoutes', 'GetFunctionConfiguration']));
  });
});

describe("item 1, live: log groups (read from the service) take the settings' scope, and a tag only adds to it", () => {
  const world = (): AwsWorld => ({
    accessKeys: { [KEY]: PROD },
    accounts: {
      [PROD]: {
        regions: {
          [HOME]: {
            configItems: [],
            recorders: [healthy()],
            logGroups: [
              { logGroupName: '/aws/lambda/tagged', tags: { Environment: 'prd' } },
              { logGroupName: '/aws/lambda/untagged' },
              { logGroupName: '/aws/lambda/shared', tags: { environment: 'shared' } },
            ],
          },
        },
      },
    },
  });
  const read = async (mapping: Record<string, string>) => {
    const l = await startAwsLoopback(world());
    const aws = createAwsInventorySource({
      accounts: [{ accountId: PROD, regions: [HOME] }],
      mapping: { accounts: mapping },
      endpoint: l.endpoint,
      credentials: { accessKeyId: KEY, secretAccessKey: 's' },
      maxAttempts: 1,
    });
    try {
      const s = await aws.read(['AWS::Logs::LogGroup']);
      return {
        envs: Object.fromEntries(s.items.map((i) => [i.resourceId, i.environment ?? null])),
        errors: s.errors,
        tagCalls: l.calls.filter((c) => c.operation === 'ListTagsForResource').length,
      };
    } finally {
      await l.close();
    }
  };

  it('in an unmapped account a production tag adds scope; in a production account every group is production, no tag asked', async () => {
    const unmapped = await read({});
    expect(unmapped.errors).toEqual([]);
    expect(unmapped.envs).toEqual({ '/aws/lambda/tagged': 'production', '/aws/lambda/untagged': null, '/aws/lambda/shared': 'shared' });
    expect(unmapped.tagCalls).toBe(3);
    const production = await read({ [PROD]: 'production' });
    expect(production.envs).toEqual({ '/aws/lambda/tagged': 'production', '/aws/lambda/untagged': 'production', '/aws/lambda/shared': 'production' });
    expect(production.tagCalls).toBe(0);
  });
});

describe('item 4, live: PascalCase types as AWS Config answers them (configuration as a JSON string)', () => {
  const rule = (state: string, schedule: string) =>
    ci(HOME, 'AWS::Events::Rule', 'redaction-daily', {
      Arn: `arn:aws:events:${HOME}:${PROD}:rule/redaction-daily`,
      Name: 'redaction-daily',
      EventBusName: 'default',
      State: state,
      ScheduleExpression: schedule,
      Targets: [{ Id: 'redact', Arn: `arn:aws:lambda:${HOME}:${PROD}:function:buyer-pii-redaction` }],
    });
  const secret = (rotation: boolean) =>
    ci(HOME, 'AWS::SecretsManager::Secret', 'prod/whatsapp/business-api', {
      Name: 'prod/whatsapp/business-api',
      RotationEnabled: rotation,
      RotationRules: { AutomaticallyAfterDays: 30 },
    });
  const world = (items: SnapshotItem[]): AwsWorld => ({
    accessKeys: { [KEY]: PROD },
    accounts: { [PROD]: { regions: { [HOME]: { configItems: items, recorders: [healthy()] } } } },
  });

  it('an enabled daily rule passes pii.redaction-scheduler; a disabled or weekly one fails', async () => {
    expect((await run('pii.redaction-scheduler', (await start(world([rule('ENABLED', 'rate(1 day)')]))).sources)).status).toBe('pass');
    await lb!.close();
    const disabled = await run('pii.redaction-scheduler', (await start(world([rule('DISABLED', 'rate(1 day)')]))).sources);
    expect(disabled.status).toBe('fail');
    expect(disabled.findings[0].message).toMatch(/targets buyer-pii-redaction but is DISABLED/);
    await lb!.close();
    const weekly = await run('pii.redaction-scheduler', (await start(world([rule('ENABLED', 'rate(7 days)')]))).sources);
    expect(weekly.status).toBe('fail');
  });

  it('a WhatsApp secret is found by its Name, and RotationEnabled is read', async () => {
    const rotated = await run('secrets.whatsapp-in-secrets-manager', (await start(world([secret(true)]))).sources);
    expect(rotated.status).toBe('pass');
    expect(rotated.findings).toEqual([]);
    await lb!.close();
    const unrotated = await run('secrets.whatsapp-in-secrets-manager', (await start(world([secret(false)]))).sources);
    expect(unrotated.findings.map((f) => f.message)).toEqual([expect.stringMatching(/rotation is not enabled/)]);
  });
});
