/**
 * Builders of AWS Config configuration items in the shapes AWS Config delivers them, for the crafted estates.
 * Field names are the published schema's (awslabs/aws-config-resource-schema,
 * config/properties/resource-types/<type>.properties.json): `configuration.*` as recorded (PascalCase for
 * CloudFormation-registry types such as AWS::Events::Rule, AWS::SecretsManager::Secret, AWS::Cognito::UserPool,
 * AWS::Config::ConfigurationRecorder), `supplementaryConfiguration.*` for S3 and DynamoDB.
 *
 * `snapshotShape` is a snapshot file's item (delivery version 1.3: `awsAccountId`, `ARN`, tags as a map,
 * configuration and supplementary values as objects); `apiShape` is the same item as BatchGetResourceConfig
 * answers it (`accountId`, `arn`, `configuration` a JSON string, each supplementary value a JSON string, tags as
 * SelectResourceConfig's `[{key, value}]`).
 */
export const PROD = '111111111111';
export const STAGING = '222222222222';
export const REGION = 'ap-south-1';

export type RawItem = Record<string, unknown>;

const captured = () => new Date(Date.now() - 3_600_000).toISOString();

export function ci(
  resourceType: string,
  name: string,
  configuration: Record<string, unknown> | null,
  opts: { account?: string; id?: string; arn?: string; supplementary?: Record<string, unknown>; tags?: Record<string, string>; status?: string } = {},
): RawItem {
  const account = opts.account ?? PROD;
  return {
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: captured(),
    configurationStateId: 1732690000000,
    awsAccountId: account,
    configurationItemStatus: opts.status ?? 'OK',
    resourceType,
    resourceId: opts.id ?? name,
    resourceName: name,
    ARN: opts.arn ?? `arn:aws:${resourceType.split('::')[1].toLowerCase()}:${REGION}:${account}:${name}`,
    awsRegion: REGION,
    availabilityZone: 'Not Applicable',
    tags: opts.tags ?? {},
    relationships: [],
    configuration,
    supplementaryConfiguration: opts.supplementary ?? {},
  };
}

/** The item as the Config API answers it (BatchGetResourceConfig + SelectResourceConfig tags). */
export function apiShape(item: RawItem): RawItem {
  const { awsAccountId, ARN, tags, configuration, supplementaryConfiguration, ...rest } = item as Record<string, unknown>;
  return {
    ...rest,
    accountId: awsAccountId,
    arn: ARN,
    tags: Object.entries((tags ?? {}) as Record<string, string>).map(([key, value]) => ({ key, value })),
    configuration: configuration === null ? null : JSON.stringify(configuration),
    supplementaryConfiguration: Object.fromEntries(
      Object.entries((supplementaryConfiguration ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  };
}

/** Each read account's recorder, recording everything (AWS::Config::ConfigurationRecorder, PascalCase as recorded). */
export const recorder = (account = PROD) =>
  ci(
    'AWS::Config::ConfigurationRecorder',
    'default',
    {
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
    { account, arn: `arn:aws:config:${REGION}:${account}:config-recorder/default/x${account.slice(0, 4)}` },
  );

// ---- S3 ------------------------------------------------------------------------------------------------------
export const FLAGS = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
export const accountBlock = (flags: Record<string, boolean> = FLAGS, account = PROD) =>
  ci('AWS::S3::AccountPublicAccessBlock', account, flags, { account, arn: `arn:aws:s3::${account}:account` });

/** A lifecycle rule as Config records it: -1 for an action the rule does not take; the scope under filter.predicate. */
export const lifecycleRule = (r: {
  id?: string;
  status?: string;
  expirationInDays?: number;
  noncurrentVersionExpirationInDays?: number;
  predicate?: Record<string, unknown> | null;
  prefix?: string;
  abortDays?: number;
}) => ({
  id: r.id ?? 'rule',
  status: r.status ?? 'Enabled',
  expirationInDays: r.expirationInDays ?? -1,
  noncurrentVersionExpirationInDays: r.noncurrentVersionExpirationInDays ?? -1,
  expiredObjectDeleteMarker: false,
  ...(r.abortDays ? { abortIncompleteMultipartUpload: { daysAfterInitiation: r.abortDays } } : {}),
  ...(r.prefix !== undefined ? { prefix: r.prefix } : {}),
  ...(r.predicate === null ? {} : { filter: { predicate: r.predicate ?? { type: 'LifecyclePrefixPredicate', prefix: '' } } }),
});

export function bucket(
  name: string,
  s: {
    account?: string;
    tags?: Record<string, string>;
    versioning?: string | null;
    sse?: string | null;
    rules?: unknown[] | null;
    block?: Record<string, boolean> | null;
  } = {},
): RawItem {
  return ci(
    'AWS::S3::Bucket',
    name,
    { name, owner: { id: 'c0ffee' }, creationDate: '2025-01-10T08:00:00.000Z' },
    {
      account: s.account,
      arn: `arn:aws:s3:::${name}`,
      tags: s.tags,
      supplementary: {
        ...(s.block ? { PublicAccessBlockConfiguration: s.block } : {}),
        ...(s.sse === null
          ? {}
          : {
              ServerSideEncryptionConfiguration: {
                rules: [
                  {
                    applyServerSideEncryptionByDefault: { sseAlgorithm: s.sse ?? 'aws:kms', kmsMasterKeyID: 'arn:aws:kms:ap-south-1:111111111111:key/k' },
                    bucketKeyEnabled: true,
                  },
                ],
              },
            }),
        ...(s.versioning === null ? {} : { BucketVersioningConfiguration: { status: s.versioning ?? 'Enabled', isMfaDeleteEnabled: null } }),
        ...(s.rules === null
          ? {}
          : { BucketLifecycleConfiguration: { rules: s.rules ?? [lifecycleRule({ expirationInDays: 365, noncurrentVersionExpirationInDays: 30 })] } }),
        IsRequesterPaysEnabled: false,
      },
    },
  );
}

// ---- identity, network, logging ------------------------------------------------------------------------------
export const userPool = (name: string, c: Record<string, unknown>, account = PROD) =>
  ci(
    'AWS::Cognito::UserPool',
    name,
    { UserPoolName: name, Id: `${REGION}_${name.replace(/\W/g, '')}`, ...c },
    { account, id: `${REGION}_${name.replace(/\W/g, '')}` },
  );

export const httpApi = (id: string, name: string, c: Record<string, unknown> = {}, account = PROD) =>
  ci(
    'AWS::ApiGatewayV2::Api',
    name,
    { apiId: id, name, protocolType: 'HTTP', apiEndpoint: `https://${id}.execute-api.${REGION}.amazonaws.com`, ...c },
    { account, id, arn: `arn:aws:apigateway:${REGION}::/apis/${id}` },
  );

/** An AWS::ApiGatewayV2::Stage as Config records it: no apiId in the configuration; the API is in the ARN. */
export const stage = (
  apiId: string,
  stageName: string,
  accessLogSettings: Record<string, unknown> | undefined,
  account = PROD,
  type = 'AWS::ApiGatewayV2::Stage',
) =>
  ci(
    type,
    `${apiId}/${stageName}`,
    { stageName, deploymentId: 'd1', ...(accessLogSettings ? { accessLogSettings } : {}) },
    {
      account,
      id: `${apiId}/${stageName}`,
      arn: `arn:aws:apigateway:${REGION}::/${type === 'AWS::ApiGateway::Stage' ? 'restapis' : 'apis'}/${apiId}/stages/${stageName}`,
    },
  );

/** Routes are not recorded by AWS Config: the item the AWS collector builds from GetRoutes (an enriched snapshot carries it). */
export const route = (apiId: string, routeId: string, routeKey: string, authorizationType: string | undefined, account = PROD) =>
  ci(
    'AWS::ApiGatewayV2::Route',
    routeKey,
    { apiId, routeKey, ...(authorizationType ? { authorizationType } : {}) },
    { account, id: routeId, arn: `arn:aws:apigateway:${REGION}::/apis/${apiId}/routes/${routeId}` },
  );

/** Log groups are not recorded by AWS Config: the item the AWS collector builds from DescribeLogGroups. */
export const logGroup = (name: string, retentionInDays?: number, account = PROD, tags?: Record<string, string>) =>
  ci(
    'AWS::Logs::LogGroup',
    name,
    { logGroupName: name, ...(retentionInDays !== undefined ? { retentionInDays } : {}) },
    { account, arn: `arn:aws:logs:${REGION}:${account}:log-group:${name}`, tags },
  );

export const lambda = (name: string, variables: Record<string, unknown> | undefined, account = PROD) =>
  ci(
    'AWS::Lambda::Function',
    name,
    { functionName: name, runtime: 'nodejs20.x', handler: 'index.handler', ...(variables ? { environment: { variables } } : {}) },
    { account, arn: `arn:aws:lambda:${REGION}:${account}:function:${name}` },
  );

export const table = (name: string, supplementary: Record<string, unknown>, account = PROD) =>
  ci(
    'AWS::DynamoDB::Table',
    name,
    { tableName: name, tableStatus: 'ACTIVE', billingModeSummary: { billingMode: 'PAY_PER_REQUEST' } },
    { account, arn: `arn:aws:dynamodb:${REGION}:${account}:table/${name}`, supplementary },
  );

export const eventRule = (name: string, c: { State?: string; ScheduleExpression?: string; Targets?: unknown[] }, account = PROD) =>
  ci(
    'AWS::Events::Rule',
    name,
    { Arn: `arn:aws:events:${REGION}:${account}:rule/${name}`, Name: name, EventBusName: 'default', ...c },
    { account, arn: `arn:aws:events:${REGION}:${account}:rule/${name}` },
  );

export const secret = (name: string, c: Record<string, unknown>, account = PROD) =>
  ci(
    'AWS::SecretsManager::Secret',
    name,
    { Id: `arn:aws:secretsmanager:${REGION}:${account}:secret:${name}-AbCdEf`, Name: name, ...c },
    { account, arn: `arn:aws:secretsmanager:${REGION}:${account}:secret:${name}-AbCdEf` },
  );
