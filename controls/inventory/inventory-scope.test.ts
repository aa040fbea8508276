import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, CONTROLS_BY_ID } from '../catalogue/index.ts';
import { createEvidenceSources } from '../collectors/sources.ts';
import { createSnapshotSource } from '../collectors/snapshot.ts';
import { NOT_APPLICABLE, type EvidenceSources } from '../define-control.ts';
import { runControl } from '../runner.ts';
import { parseControlSettings } from '../settings.ts';
import { environmentOf, normaliseConfigurationItem } from './config-item.ts';
import { CONFIG_RECORDED_TYPES, CONFIG_RECORDER, lowerCamel, RESOURCE_TYPES } from './resource-types.ts';

/**
 * Scope that cannot be tagged away, a healthy recorder under every inventory control,
 * and nothing passing by absence — through snapshot files in the shape AWS Config delivers, the evidence sources and
 * the controls themselves.
 */
const PROD = '111111111111';
const STAGING = '222222222222';
const REGION = 'ap-south-1';
const mapping = { accounts: { [PROD]: 'production', [STAGING]: 'staging' } };
const settings = parseControlSettings({ environments: mapping });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tenet-scope-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const recent = () => new Date(Date.now() - 3_600_000).toISOString();
let n = 0;
/** A configuration item as AWS Config delivers it in a snapshot file (version 1.3 spellings). */
function ci(
  account: string,
  resourceType: string,
  name: string,
  props: { configuration?: object; supplementary?: object; tags?: Record<string, string>; status?: string; captured?: string; region?: string } = {},
) {
  n++;
  return {
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: props.captured ?? recent(),
    configurationStateId: String(1_700_000_000_000 + n),
    awsAccountId: account,
    configurationItemStatus: props.status ?? 'OK',
    resourceType,
    resourceId: name,
    resourceName: name,
    ARN: `arn:aws:test:${props.region ?? REGION}:${account}:${name}`,
    awsRegion: props.region ?? REGION,
    tags: props.tags ?? {},
    configuration: props.configuration ?? {},
    supplementaryConfiguration: props.supplementary ?? {},
  };
}
/** The recorder item, in the PascalCase the published schema gives (AWS::Config::ConfigurationRecorder). */
const recorder = (
  account: string,
  group: object = { AllSupported: true, IncludeGlobalResourceTypes: false, RecordingStrategy: { UseOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } },
  recording = true,
  region = REGION,
) =>
  ci(account, CONFIG_RECORDER, `default-${account}-${region}`, {
    region,
    configuration: { Name: 'default', RoleARN: `arn:aws:iam::${account}:role/config`, Recording: recording, RecordingGroup: group },
  });
const bucket = (account: string, name: string, versioning: string, tags: Record<string, string> = {}) =>
  ci(account, 'AWS::S3::Bucket', name, { tags, configuration: { name }, supplementary: { BucketVersioningConfiguration: { status: versioning } } });
const table = (account: string, name: string, pitr: string, tags: Record<string, string> = {}) =>
  ci(account, 'AWS::DynamoDB::Table', name, {
    tags,
    configuration: { tableName: name },
    supplementary: {
      ContinuousBackupsDescription: { continuousBackupsStatus: 'ENABLED', pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: pitr } },
    },
  });

async function snapshotSources(items: object[], name = `s-${n++}.json`): Promise<EvidenceSources> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify({ fileVersion: '1.0', configSnapshotId: 'test', configurationItems: items }));
  return createEvidenceSources({
    settings,
    inventory: [createSnapshotSource({ files: [file], mapping })],
    live: false,
    authorize: async () => ({ decision: 'deny', reasons: [], errors: [] }),
  });
}
const run = async (id: string, sources: EvidenceSources) => runControl(CONTROLS_BY_ID.get(id)!, sources, settings);

describe('item 1: the settings decide the environment; a tag only adds production scope', () => {
  const item = (accountId: string, tags: Record<string, string>) => ({ accountId, resourceId: 'r', tags });
  it.each([
    ['prd', 'production'],
    ['live', 'production'],
    ['shared', 'production'],
    ['staging', 'production'],
    ['Production', 'production'],
  ])('in the production account, environment=%s is %s', (value, expected) => {
    expect(environmentOf(item(PROD, { environment: value }), mapping)).toBe(expected);
    expect(environmentOf(item(PROD, { Environment: value }), mapping)).toBe(expected);
  });
  it('a production tag adds scope to a staging or unmapped resource; other tags never remove it', () => {
    expect(environmentOf(item(STAGING, { environment: 'production' }), mapping)).toBe('production');
    expect(environmentOf(item(STAGING, { env: 'prd' }), mapping)).toBe('production');
    expect(environmentOf(item(STAGING, { environment: 'dev' }), mapping)).toBe('staging');
    expect(environmentOf(item('333333333333', { Environment: 'Prod' }), mapping)).toBe('production');
    expect(environmentOf(item('333333333333', { environment: 'QA' }), mapping)).toBe('qa');
    expect(environmentOf(item('333333333333', {}), mapping)).toBeUndefined();
    // A per-resource mapping is the settings too, and wins over the account's.
    expect(environmentOf({ accountId: PROD, resourceId: 'tools', tags: { environment: 'staging' } }, { ...mapping, resources: { tools: 'staging' } })).toBe(
      'staging',
    );
    expect(environmentOf({ accountId: STAGING, resourceId: 'r', tags: {} }, { accounts: { [STAGING]: 'prod' } })).toBe('production');
  });

  it('a production bucket tagged environment=prd with versioning Suspended and a table tagged shared without PITR fail', async () => {
    const sources = await snapshotSources([
      recorder(PROD),
      bucket(PROD, 'orders-archive', 'Suspended', { environment: 'prd' }),
      bucket(PROD, 'exports', 'Enabled', { Environment: 'live' }),
      table(PROD, 'sessions', 'DISABLED', { environment: 'shared' }),
    ]);
    const versioning = await run('storage.s3-versioning', sources);
    expect(versioning.status).toBe('fail');
    expect(versioning.findings.map((f) => f.message)).toEqual(['production bucket orders-archive has versioning Suspended; expected Enabled']);
    const pitr = await run('backup.dynamodb-pitr', sources);
    expect(pitr.status).toBe('fail');
    expect(pitr.findings[0].message).toMatch(/production table sessions has point-in-time recovery DISABLED/);
  });
});

describe('item 3: the recorder under every inventory control', () => {
  it('a healthy recorder passes config.recorder-healthy and lets the inventory controls judge', async () => {
    const sources = await snapshotSources([recorder(PROD), recorder(STAGING), bucket(PROD, 'b', 'Enabled'), bucket(STAGING, 's', 'Suspended')]);
    expect((await run('config.recorder-healthy', sources)).status).toBe('pass');
    expect((await run('storage.s3-versioning', sources)).status).toBe('pass');
  });

  it('a stopped recorder, one without the type, or none at all makes the controls reading the type error', async () => {
    const cases: Array<[string, object[], RegExp]> = [
      ['stopped', [recorder(PROD, undefined, false)], /recorder default is not recording/],
      [
        'inclusion list without S3',
        [recorder(PROD, { AllSupported: false, ResourceTypes: ['AWS::Lambda::Function'], RecordingStrategy: { UseOnly: 'INCLUSION_BY_RESOURCE_TYPES' } })],
        /does not record AWS::S3::Bucket/,
      ],
      [
        'S3 excluded',
        [
          recorder(PROD, {
            AllSupported: false,
            ExclusionByResourceTypes: { ResourceTypes: ['AWS::S3::Bucket'] },
            RecordingStrategy: { UseOnly: 'EXCLUSION_BY_RESOURCE_TYPES' },
          }),
        ],
        /does not record AWS::S3::Bucket/,
      ],
      ['no recorder item', [], /no AWS Config recorder was found for account 111111111111 in ap-south-1/],
    ];
    for (const [name, recorders, message] of cases) {
      const sources = await snapshotSources([...recorders, bucket(PROD, 'b', 'Enabled')]);
      const r = await run('storage.s3-versioning', sources);
      expect(r.status, name).toBe('error');
      expect(r.findings.map((f) => f.message).join('\n'), name).toMatch(message);
      const health = await run('config.recorder-healthy', sources);
      expect(health.status, name).toBe('fail');
    }
  });

  it('a second region with resources but no recorder is a failure there, and a silent recorder is stale', async () => {
    const other = 'eu-west-1';
    const twoRegions = await snapshotSources([recorder(PROD), bucket(PROD, 'b', 'Enabled'), { ...bucket(PROD, 'eu-bucket', 'Enabled'), awsRegion: other }]);
    const health = await run('config.recorder-healthy', twoRegions);
    expect(health.status).toBe('fail');
    expect(health.findings.map((f) => f.message)).toEqual([`account ${PROD} has no AWS Config recorder in ${other}: nothing there is recorded`]);

    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const silent = await snapshotSources([
      { ...recorder(PROD), configurationItemCaptureTime: old },
      { ...bucket(PROD, 'b', 'Enabled'), configurationItemCaptureTime: old },
    ]);
    const stale = await run('config.recorder-healthy', silent);
    expect(stale.status).toBe('fail');
    expect(stale.findings[0].message).toMatch(/newest recording .* is from .*, more than 24 h ago/);
  });

  it('items of deleted resources are dropped from snapshot files, as the live path drops them', async () => {
    const sources = await snapshotSources([
      recorder(PROD),
      bucket(PROD, 'gone', 'Suspended', {}),
      { ...bucket(PROD, 'deleted', 'Suspended'), configurationItemStatus: 'ResourceDeleted' },
      { ...bucket(PROD, 'gone2', 'Off'), configurationItemStatus: 'ResourceDeletedNotRecorded' },
    ]);
    const slice = await sources.inventory(['AWS::S3::Bucket']);
    expect(slice === NOT_APPLICABLE ? [] : slice.items.map((i) => i.resourceId)).toEqual(['gone']);
  });

  it('the recorder must record every type the inventory controls read through AWS Config', async () => {
    const asked = new Set<string>();
    const spy: EvidenceSources = {
      inventory: async (types) => {
        for (const t of types) asked.add(t);
        return { items: [], errors: [] };
      },
      webhookProbes: async () => NOT_APPLICABLE,
      orderProbe: async () => NOT_APPLICABLE,
      unredactedOrders: async () => NOT_APPLICABLE,
      attestations: async () => NOT_APPLICABLE,
      authorize: async () => ({ decision: 'deny', reasons: [], errors: [] }),
      logScan: async () => NOT_APPLICABLE,
      self: async () => NOT_APPLICABLE,
    };
    for (const c of CATALOGUE) await c.collect(spy, settings);
    asked.delete(CONFIG_RECORDER);
    for (const t of asked) expect(RESOURCE_TYPES[t], `${t} is read by a control but unknown to resource-types.ts`).toBeDefined();
    expect([...asked].filter((t) => RESOURCE_TYPES[t].recorded).sort()).toEqual([...CONFIG_RECORDED_TYPES].sort());
  });
});

describe('item 5: what AWS Config does not record never passes by absence', () => {
  it('a snapshot in real Config shape answers not_applicable, with the reason, for routes, log groups, Lambda environment and TTL', async () => {
    const sources = await snapshotSources([
      recorder(PROD),
      ci(PROD, 'AWS::ApiGatewayV2::Api', 'api1', { configuration: { apiId: 'api1', name: 'orders', protocolType: 'HTTP' } }),
      ci(PROD, 'AWS::Lambda::Function', 'whatsapp-inbound', { configuration: { functionName: 'whatsapp-inbound', runtime: 'nodejs20.x' } }),
      table(PROD, 'whatsapp-conversations', 'ENABLED'),
    ]);
    const expected: Record<string, RegExp> = {
      'network.default-route-hardened': /AWS Config records no AWS::ApiGatewayV2::Route/,
      'retention.log-groups': /AWS Config records no AWS::Logs::LogGroup/,
      'secrets.no-legacy-env-credentials': /AWS Config does not record Lambda environment variables/,
      'retention.conversation-ttl': /AWS Config does not record DynamoDB TTL/,
    };
    for (const [id, reason] of Object.entries(expected)) {
      const r = await run(id, sources);
      expect(r.status, id).toBe('not_applicable');
      expect(r.summary, id).toMatch(reason);
    }
    // What Config does record is still judged from the same file.
    expect((await run('backup.dynamodb-pitr', sources)).status).toBe('pass');
  });

  it('a snapshot that carries them (an enriched file, like the demo) is judged on them', async () => {
    const sources = await snapshotSources([
      recorder(PROD),
      ci(PROD, 'AWS::Lambda::Function', 'whatsapp-inbound', {
        configuration: { functionName: 'whatsapp-inbound', environment: { variables: { WHATSAPP_ACCESS_TOKEN: '[redacted]' } } },
      }),
      ci(PROD, 'AWS::Logs::LogGroup', '/aws/lambda/whatsapp-inbound', { configuration: { logGroupName: '/aws/lambda/whatsapp-inbound' } }),
    ]);
    expect((await run('secrets.no-legacy-env-credentials', sources)).status).toBe('fail');
    expect((await run('retention.log-groups', sources)).status).toBe('fail');
  });
});

describe('item 4: PascalCase keys of CloudFormation-registry types read in lower camel case', () => {
  it('converts keys the way AWS spells lower camel case', () => {
    expect(['State', 'ScheduleExpression', 'Arn', 'ARN', 'KMSKeyId', 'RoleARN', 'Id', 'UseOnly', 'alreadyCamel'].map(lowerCamel)).toEqual([
      'state',
      'scheduleExpression',
      'arn',
      'arn',
      'kmsKeyId',
      'roleARN',
      'id',
      'useOnly',
      'alreadyCamel',
    ]);
  });

  it('the API shape (configuration as a JSON string) of a PascalCase type reads the same', () => {
    const api = normaliseConfigurationItem({
      accountId: PROD,
      resourceType: 'AWS::SecretsManager::Secret',
      resourceId: 'arn:aws:secretsmanager:ap-south-1:111111111111:secret:prod/whatsapp-AbCdEf',
      awsRegion: REGION,
      configuration: JSON.stringify({ Name: 'prod/whatsapp', RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 30 } }),
    });
    expect(api.configuration).toEqual({ name: 'prod/whatsapp', rotationEnabled: true, rotationRules: { automaticallyAfterDays: 30 } });
  });
});
