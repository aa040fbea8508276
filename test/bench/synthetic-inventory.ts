/**
 * A synthetic AWS Config snapshot of `count` resources across two accounts and four regions, in the mix a
 * mid-size platform has (buckets, functions, log groups, tables, user pools, APIs with stages and routes,
 * secrets, rules). Half the items carry supplementaryConfiguration as JSON strings (as the API returns them),
 * half as objects (as snapshot files do). Deterministic for a given count.
 */
export function syntheticSnapshot(count: number): { fileVersion: string; configSnapshotId: string; configurationItems: unknown[] } {
  const mix: Array<[string, number]> = [
    ['AWS::S3::Bucket', 0.3],
    ['AWS::Lambda::Function', 0.15],
    ['AWS::Logs::LogGroup', 0.15],
    ['AWS::DynamoDB::Table', 0.1],
    ['AWS::ApiGatewayV2::Api', 0.05],
    ['AWS::ApiGatewayV2::Stage', 0.08],
    ['AWS::ApiGatewayV2::Route', 0.07],
    ['AWS::Cognito::UserPool', 0.04],
    ['AWS::SecretsManager::Secret', 0.03],
    ['AWS::Events::Rule', 0.03],
  ];
  const regions = ['ap-south-1', 'ap-southeast-1', 'eu-west-1', 'us-east-1'];
  const items: unknown[] = [];
  let i = 0;
  const supp = (o: Record<string, unknown>) => (i % 2 ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)])) : o);
  for (const [type, share] of mix) {
    const n = type === mix[mix.length - 1][0] ? count - items.length : Math.round(count * share);
    for (let k = 0; k < n; k++, i++) {
      const prod = i % 3 !== 0;
      const account = prod ? '111111111111' : '222222222222';
      const region = regions[i % regions.length];
      const name = `${type.split('::')[2].toLowerCase()}-${i}`;
      let configuration: Record<string, unknown> = {};
      let supplementaryConfiguration: Record<string, unknown> = {};
      switch (type) {
        case 'AWS::S3::Bucket':
          supplementaryConfiguration = supp({
            PublicAccessBlockConfiguration: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: i % 97 !== 0 },
            ServerSideEncryptionConfiguration: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: i % 89 ? 'aws:kms' : 'NONE' } }] },
            BucketVersioningConfiguration: { status: i % 83 ? 'Enabled' : 'Suspended' },
            BucketLifecycleConfiguration: { rules: [{ id: 'r', status: 'Enabled', expirationInDays: i % 5 ? 365 : 7, filter: { prefix: '' } }] },
          });
          break;
        case 'AWS::Lambda::Function':
          configuration = {
            functionName: name,
            runtime: 'nodejs20.x',
            environment: { variables: { TABLE: '[redacted]', LOG_LEVEL: '[redacted]', ...(i % 211 ? {} : { WHATSAPP_ACCESS_TOKEN: '[redacted]' }) } },
          };
          break;
        case 'AWS::Logs::LogGroup':
          configuration = { logGroupName: `/aws/lambda/${name}`, ...(i % 101 ? { retentionInDays: 180 } : {}) };
          break;
        case 'AWS::DynamoDB::Table':
          configuration = { tableName: i % 4 ? name : `conversation-${i}` };
          supplementaryConfiguration = supp({
            ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'ENABLED' } },
            TimeToLiveDescription: { timeToLiveStatus: 'ENABLED' },
          });
          break;
        case 'AWS::ApiGatewayV2::Api':
          configuration = {
            apiId: `api${i}`,
            name,
            corsConfiguration: { allowOrigins: prod ? [`https://app${i}.astrix.example`] : [`https://staging${i}.astrix.example`] },
          };
          break;
        case 'AWS::ApiGatewayV2::Stage':
          configuration = {
            apiId: `api${i}`,
            stageName: 'prod',
            accessLogSettings: {
              destinationArn: `arn:aws:logs:${region}:${account}:log-group:/api/${i}`,
              format: '{"requestId":"$context.requestId","status":"$context.status","sub":"$context.authorizer.claims.sub"}',
            },
          };
          break;
        case 'AWS::ApiGatewayV2::Route':
          configuration = { apiId: `api${i}`, routeKey: i % 2 ? '$default' : 'GET /orders', authorizationType: 'JWT' };
          break;
        case 'AWS::Cognito::UserPool':
          configuration = { MfaConfiguration: i % 7 ? 'ON' : 'OPTIONAL', DeletionProtection: 'ACTIVE' };
          break;
        case 'AWS::SecretsManager::Secret':
          configuration = { name: i % 10 ? `prod/app/${name}` : `prod/whatsapp/${name}`, rotationEnabled: true };
          break;
        case 'AWS::Events::Rule':
          configuration = {
            name,
            state: 'ENABLED',
            scheduleExpression: 'rate(1 day)',
            targets: [{ arn: `arn:aws:lambda:${region}:${account}:function:${i % 10 ? name : 'buyer-pii-redaction'}` }],
          };
          break;
      }
      items.push({
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: '2026-11-22T00:00:00.000Z',
        awsAccountId: account,
        resourceType: type,
        resourceId: name,
        resourceName: name,
        ARN: `arn:aws:${type.split('::')[1].toLowerCase()}:${region}:${account}:${name}`,
        awsRegion: region,
        tags: { environment: prod ? 'production' : 'staging', team: `t${i % 13}`, 'cost-center': `cc-${i % 31}` },
        configuration,
        supplementaryConfiguration,
      });
    }
  }
  return { fileVersion: '1.0', configSnapshotId: `synthetic-${count}`, configurationItems: items };
}
