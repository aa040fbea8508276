import { describe, expect, it } from 'vitest';
import { CONTROLS_BY_ID } from '../catalogue/index.ts';
import { NOT_APPLICABLE, type EvidenceSources, type InventoryItem } from '../define-control.ts';
import { runControl } from '../runner.ts';
import { parseControlSettings } from '../settings.ts';
import { normaliseConfigurationItem } from './config-item.ts';

/**
 * Each resource type read in the spelling AWS Config publishes for it. The property names below are
 * copied from awslabs/aws-config-resource-schema (config/properties/resource-types/<type>.properties.json; arrays
 * are flattened there, marked `[]` here). Each item is built only from those names, normalised as a snapshot file
 * would be, and judged by the control that reads the type: a compliant value passes, a violating one fails.
 */
const SCHEMA: Record<string, string[]> = {
  'AWS::Events::Rule': [
    'configuration.Arn',
    'configuration.Name',
    'configuration.State',
    'configuration.ScheduleExpression',
    'configuration.EventBusName',
    'configuration.Targets.Arn',
    'configuration.Targets.Id',
  ],
  'AWS::SecretsManager::Secret': [
    'configuration.ARN',
    'configuration.Name',
    'configuration.RotationEnabled',
    'configuration.RotationRules.AutomaticallyAfterDays',
  ],
  'AWS::Config::ConfigurationRecorder': [
    'configuration.Name',
    'configuration.Recording',
    'configuration.RoleARN',
    'configuration.RecordingGroup.AllSupported',
    'configuration.RecordingGroup.ResourceTypes',
    'configuration.RecordingGroup.RecordingStrategy.UseOnly',
    'configuration.RecordingGroup.ExclusionByResourceTypes.ResourceTypes',
  ],
  'AWS::S3::Bucket': [
    'configuration.name',
    'supplementaryConfiguration.BucketVersioningConfiguration.status',
    'supplementaryConfiguration.ServerSideEncryptionConfiguration.rules.applyServerSideEncryptionByDefault.sseAlgorithm',
  ],
  'AWS::S3::AccountPublicAccessBlock': [
    'configuration.blockPublicAcls',
    'configuration.blockPublicPolicy',
    'configuration.ignorePublicAcls',
    'configuration.restrictPublicBuckets',
  ],
  'AWS::DynamoDB::Table': [
    'configuration.tableName',
    'supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus',
  ],
  'AWS::ApiGatewayV2::Stage': ['configuration.stageName', 'configuration.accessLogSettings.destinationArn', 'configuration.accessLogSettings.format'],
};

const PROD = '111111111111';
const settings = parseControlSettings({ environments: { accounts: { [PROD]: 'production' } }, requirements: { redactionFunction: 'buyer-pii-redaction' } });
let n = 0;

/** A snapshot item of `type` whose fields are set by schema path (`a.b[].c`: b is a list of one object per value). */
function fromSchema(type: string, values: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    awsAccountId: PROD,
    awsRegion: 'ap-south-1',
    resourceType: type,
    resourceId: `${type}-${++n}`,
    configurationItemCaptureTime: new Date().toISOString(),
    tags: {},
  };
  for (const [path, value] of Object.entries(values)) {
    expect(SCHEMA[type], `${type} has no schema fixture`).toContain(path.replace(/\[\]/g, ''));
    const parts = path.split('.');
    let cur: Record<string, unknown> = raw;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (part.endsWith('[]')) {
        const key = part.slice(0, -2);
        const list = (cur[key] ??= [{}]) as Array<Record<string, unknown>>;
        cur = list[0];
      } else if (last) cur[part] = value;
      else cur = (cur[part] ??= {}) as Record<string, unknown>;
    });
  }
  return raw;
}

function sources(raws: Array<Record<string, unknown>>): EvidenceSources {
  const items: InventoryItem[] = raws.map((r) => normaliseConfigurationItem(r, settings.environments));
  // A healthy recorder unless the estate brings its own.
  if (!items.some((i) => i.resourceType === 'AWS::Config::ConfigurationRecorder')) {
    items.push(
      normaliseConfigurationItem(
        fromSchema('AWS::Config::ConfigurationRecorder', {
          'configuration.Name': 'default',
          'configuration.Recording': true,
          'configuration.RecordingGroup.AllSupported': true,
        }),
      ),
    );
  }
  return {
    inventory: async (types) => ({ items: items.filter((i) => types.includes(i.resourceType)), errors: [] }),
    webhookProbes: async () => NOT_APPLICABLE,
    orderProbe: async () => NOT_APPLICABLE,
    unredactedOrders: async () => NOT_APPLICABLE,
    attestations: async () => NOT_APPLICABLE,
    authorize: async () => ({ decision: 'deny', reasons: [], errors: [] }),
    logScan: async () => NOT_APPLICABLE,
    self: async () => NOT_APPLICABLE,
  };
}
const judge = async (control: string, raws: Array<Record<string, unknown>>) => (await runControl(CONTROLS_BY_ID.get(control)!, sources(raws), settings)).status;

const rule = (state: string, schedule: string) =>
  fromSchema('AWS::Events::Rule', {
    'configuration.Name': 'redaction',
    'configuration.State': state,
    'configuration.ScheduleExpression': schedule,
    'configuration.EventBusName': 'default',
    'configuration.Targets[].Id': 'redact',
    'configuration.Targets[].Arn': `arn:aws:lambda:ap-south-1:${PROD}:function:buyer-pii-redaction`,
  });
const secret = (rotation: boolean) =>
  fromSchema('AWS::SecretsManager::Secret', { 'configuration.Name': 'prod/whatsapp/api', 'configuration.RotationEnabled': rotation });
const bucket = (versioning: string, sse: string) =>
  fromSchema('AWS::S3::Bucket', {
    'configuration.name': 'b',
    'supplementaryConfiguration.BucketVersioningConfiguration.status': versioning,
    'supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[].applyServerSideEncryptionByDefault.sseAlgorithm': sse,
  });
const block = (restrict: boolean) =>
  fromSchema('AWS::S3::AccountPublicAccessBlock', {
    'configuration.blockPublicAcls': true,
    'configuration.blockPublicPolicy': true,
    'configuration.ignorePublicAcls': true,
    'configuration.restrictPublicBuckets': restrict,
  });
const recorder = (group: Record<string, unknown>) =>
  fromSchema('AWS::Config::ConfigurationRecorder', { 'configuration.Name': 'default', 'configuration.Recording': true, ...group });

describe('each type in the spelling of the published AWS Config schema', () => {
  it('AWS::Events::Rule (PascalCase): pii.redaction-scheduler', async () => {
    expect(await judge('pii.redaction-scheduler', [rule('ENABLED', 'rate(1 day)')])).toBe('pass');
    expect(await judge('pii.redaction-scheduler', [rule('DISABLED', 'rate(1 day)')])).toBe('fail');
    expect(await judge('pii.redaction-scheduler', [rule('ENABLED', 'cron(0 3 ? * MON *)')])).toBe('fail');
  });

  it('AWS::SecretsManager::Secret (PascalCase): secrets.whatsapp-in-secrets-manager finds it by Name', async () => {
    expect(await judge('secrets.whatsapp-in-secrets-manager', [secret(true)])).toBe('pass');
    expect(await judge('secrets.whatsapp-in-secrets-manager', [])).toBe('fail');
    const r = await runControl(CONTROLS_BY_ID.get('secrets.whatsapp-in-secrets-manager')!, sources([secret(false)]), settings);
    expect(r.findings.map((f) => f.message)).toEqual([expect.stringMatching(/rotation is not enabled/)]);
  });

  it('AWS::Config::ConfigurationRecorder (PascalCase): config.recorder-healthy', async () => {
    expect(await judge('config.recorder-healthy', [recorder({ 'configuration.RecordingGroup.AllSupported': true })])).toBe('pass');
    expect(
      await judge('config.recorder-healthy', [
        recorder({
          'configuration.RecordingGroup.RecordingStrategy.UseOnly': 'EXCLUSION_BY_RESOURCE_TYPES',
          'configuration.RecordingGroup.ExclusionByResourceTypes.ResourceTypes': ['AWS::Events::Rule'],
        }),
      ]),
    ).toBe('fail');
  });

  it('AWS::S3::Bucket (supplementary, lower camel case): versioning and encryption', async () => {
    expect(await judge('storage.s3-versioning', [bucket('Enabled', 'aws:kms')])).toBe('pass');
    expect(await judge('storage.s3-versioning', [bucket('Suspended', 'aws:kms')])).toBe('fail');
    expect(await judge('storage.s3-encryption', [bucket('Enabled', 'AES256')])).toBe('pass');
    expect(await judge('storage.s3-encryption', [bucket('Enabled', 'none')])).toBe('fail');
  });

  it('AWS::S3::AccountPublicAccessBlock: storage.s3-public-access-block', async () => {
    expect(await judge('storage.s3-public-access-block', [block(true), bucket('Enabled', 'aws:kms')])).toBe('pass');
    expect(await judge('storage.s3-public-access-block', [block(false), bucket('Enabled', 'aws:kms')])).toBe('fail');
  });

  it('AWS::DynamoDB::Table: backup.dynamodb-pitr', async () => {
    const table = (s: string) =>
      fromSchema('AWS::DynamoDB::Table', {
        'configuration.tableName': 'orders',
        'supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus': s,
      });
    expect(await judge('backup.dynamodb-pitr', [table('ENABLED')])).toBe('pass');
    expect(await judge('backup.dynamodb-pitr', [table('DISABLED')])).toBe('fail');
  });

  it('AWS::ApiGatewayV2::Stage: logging.api-access-logs', async () => {
    const stage = (dest: string | undefined) =>
      fromSchema('AWS::ApiGatewayV2::Stage', {
        'configuration.stageName': 'prod',
        ...(dest
          ? {
              'configuration.accessLogSettings.destinationArn': dest,
              'configuration.accessLogSettings.format': JSON.stringify({ requestId: '$context.requestId', status: '$context.status' }),
            }
          : {}),
      });
    expect(await judge('logging.api-access-logs', [stage(`arn:aws:logs:ap-south-1:${PROD}:log-group:api`)])).toBe('pass');
    expect(await judge('logging.api-access-logs', [stage(undefined)])).toBe('fail');
  });
});
