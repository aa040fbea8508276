/**
 * What AWS Config records of the resource types Tenet reads, checked against the schema AWS Config publishes
 * (awslabs/aws-config-resource-schema, config/properties/resource-types/<type>.properties.json).
 *
 * - `recorded: false`: AWS Config has no such resource type (no schema file): the AWS collector reads it from the
 *   service API; a snapshot file cannot hold it, so a control needing it is `not_applicable` from a snapshot.
 * - `unrecordedFields`: paths AWS Config does not record for a recorded type (not in the schema): read from the
 *   service API live; from a snapshot, a control that declares it needs them is `not_applicable`.
 * - `camelCase`: AWS Config records CloudFormation-registry types in PascalCase (`AWS::Events::Rule`: `State`,
 *   `ScheduleExpression`, `Targets[].Arn`); Tenet reads these in lower camel case, like the older types
 *   (`configuration.tableName`). `normaliseConfigurationItem` converts their configuration keys, so a file in
 *   either spelling reads the same. `AWS::Cognito::UserPool` is read as recorded (`MfaConfiguration`).
 */
export interface ResourceTypeFacts {
  recorded: boolean;
  /** why it is not visible from AWS Config (recorded: false) */
  reason?: string;
  unrecordedFields?: Array<{ path: string; reason: string }>;
  camelCase?: boolean;
}

export const CONFIG_RECORDER = 'AWS::Config::ConfigurationRecorder';

export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeFacts>> = {
  'AWS::S3::Bucket': { recorded: true },
  'AWS::S3::AccountPublicAccessBlock': { recorded: true },
  'AWS::Cognito::UserPool': { recorded: true },
  'AWS::ApiGatewayV2::Api': { recorded: true },
  'AWS::ApiGatewayV2::Stage': { recorded: true },
  'AWS::ApiGateway::Stage': { recorded: true },
  'AWS::ApiGatewayV2::Route': { recorded: false, reason: 'AWS Config records no AWS::ApiGatewayV2::Route (routes are read with ApiGatewayV2 GetRoutes)' },
  'AWS::Logs::LogGroup': { recorded: false, reason: 'AWS Config records no AWS::Logs::LogGroup (log groups are read with CloudWatch Logs DescribeLogGroups)' },
  'AWS::Lambda::Function': {
    recorded: true,
    unrecordedFields: [
      { path: 'configuration.environment', reason: 'AWS Config does not record Lambda environment variables (read with Lambda GetFunctionConfiguration)' },
    ],
  },
  'AWS::DynamoDB::Table': {
    recorded: true,
    unrecordedFields: [
      { path: 'supplementaryConfiguration.TimeToLiveDescription', reason: 'AWS Config does not record DynamoDB TTL (read with DynamoDB DescribeTimeToLive)' },
    ],
  },
  'AWS::Events::Rule': { recorded: true, camelCase: true },
  'AWS::SecretsManager::Secret': { recorded: true, camelCase: true },
  [CONFIG_RECORDER]: { recorded: true, camelCase: true },
};

/** Types an inventory control may read through AWS Config: what the recorder must record. */
export const CONFIG_RECORDED_TYPES: readonly string[] = Object.entries(RESOURCE_TYPES)
  .filter(([t, f]) => f.recorded && t !== CONFIG_RECORDER)
  .map(([t]) => t);

export const isConfigRecorded = (type: string): boolean => RESOURCE_TYPES[type]?.recorded !== false;

/**
 * PascalCase key → lower camel case, the way AWS's own lower-camel APIs spell it: `State` → `state`,
 * `ARN` → `arn`, `KMSKeyId` → `kmsKeyId`, `RoleARN` → `roleARN`. Keys already in lower camel case stay.
 */
export function lowerCamel(key: string): string {
  const lead = /^[A-Z]+/.exec(key)?.[0];
  if (!lead) return key;
  if (lead.length === key.length) return key.toLowerCase();
  // A run of capitals before a lowercase letter: the last capital starts the next word (KMSKeyId → kms|KeyId).
  const cut = lead.length > 1 && /[a-z]/.test(key[lead.length]) ? lead.length - 1 : lead.length;
  return key.slice(0, cut).toLowerCase() + key.slice(cut);
}

/** Deep copy with every object key in lower camel case (arrays kept; string values untouched). */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [lowerCamel(k), camelKeys(v)]));
}
