import { ApiGatewayV2Client, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import { redactEnvironment } from './env-values.ts';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetBucketLocationCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  SelectResourceConfigCommand,
  type ConfigServiceClientConfig,
  type ResourceKey,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import { DescribeContinuousBackupsCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { InventoryItem, InventorySlice } from '../define-control.ts';
import { environmentOf, normaliseConfigurationItem, type EnvironmentMapping } from '../inventory/config-item.ts';
import { CONFIG_RECORDER } from '../inventory/resource-types.ts';
import type { InventorySource } from './inventory-source.ts';
import { ExponentialRetryStrategy, mapLimit } from './aws-common.ts';

/**
 * Reads configuration items from AWS: AWS Config first (`SelectResourceConfig` for the keys and tags,
 * `BatchGetResourceConfig` for the items), then the service APIs for what AWS Config does not record
 * (Lambda environment variable names, DynamoDB TTL and point-in-time recovery, log-group retention,
 * API Gateway v2 routes). Every account × region is read on its own: a failing call becomes an entry in
 * `errors` naming `aws:<account>:<region>:<Service>.<Operation>`, and the rest is still read.
 *
 * Every enabled region is read (EC2 DescribeRegions, plus the listed ones), not only the listed ones;
 * what AWS Config does not record is read from the services for every resource (log groups: DescribeLogGroups,
 * routes: GetRoutes, Lambda environment: GetFunctionConfiguration); the recorder of each region is read
 * (DescribeConfigurationRecorders + ...Status) so a type it does not record is an error, not an absence; and the
 * buckets S3 ListBuckets (global) lists are cross-checked with the ones AWS Config reported: a bucket Config does
 * not report is an error naming its region (GetBucketLocation), never silently absent.
 */

type CredentialsOption = NonNullable<ConfigServiceClientConfig['credentials']>;
type Identity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };

export interface AwsAccountTarget {
  accountId: string;
  /** Regions read whatever DescribeRegions says; the first is the account's home (STS, EC2, S3 ListBuckets). */
  regions?: string[];
  /** Role to assume in this account (STS AssumeRole with the base credentials); without it the base credentials are used. */
  roleArn?: string;
  externalId?: string;
}

export interface AwsInventoryLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface AwsInventoryOptions {
  accounts: AwsAccountTarget[];
  mapping?: EnvironmentMapping;
  /** Endpoint for every client, STS included (tests: the loopback's URL). Default: AWS's own endpoints. */
  endpoint?: string;
  /** Base credentials. Default: the SDK's default provider chain. */
  credentials?: CredentialsOption;
  /** Per request (socket idle) timeout; default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Connection timeout; default min(requestTimeoutMs, 5 000) ms. */
  connectionTimeoutMs?: number;
  /** Attempts per call, first included; default 5. Throttling, 5xx and timeouts are retried with backoff. */
  maxAttempts?: number;
  /**
   * Base of the exponential backoff between attempts (and between rounds of unprocessed BatchGet keys).
   * Default: the SDK's standard retry strategy. Tests set a few milliseconds.
   */
  retryDelayMs?: number;
  /** Account × region pairs read at once; default 4. */
  concurrency?: number;
  /** Read every enabled region (EC2 DescribeRegions) besides the listed ones; default true. */
  discoverRegions?: boolean;
  logger?: AwsInventoryLogger;
}

const ROUTE = 'AWS::ApiGatewayV2::Route';
const API = 'AWS::ApiGatewayV2::Api';
const LAMBDA = 'AWS::Lambda::Function';
const TABLE = 'AWS::DynamoDB::Table';
const LOG_GROUP = 'AWS::Logs::LogGroup';
const BUCKET = 'AWS::S3::Bucket';
const MAX_PAGES = 1000;
const BATCH_SIZE = 100;
const BATCH_ROUNDS = 5;
const CALLS_AT_ONCE = 4;
const SELECT_FIELDS = 'resourceId, resourceType, resourceName, arn, awsRegion, accountId, tags';

export function createAwsInventorySource(options: AwsInventoryOptions): InventorySource {
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const connectionTimeout = options.connectionTimeoutMs ?? Math.min(requestTimeout, 5_000);
  const maxAttempts = options.maxAttempts ?? 5;
  const log = options.logger;
  // One credential provider for the base identity, shared so the default chain is resolved once.
  const baseCredentials: CredentialsOption = options.credentials ?? fromNodeProviderChain();
  // Assumed-role credentials are cached per account across reads, until shortly before they expire.
  const roleCredentials = new Map<string, () => Promise<Identity>>();

  const clientConfig = (region: string) => ({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts,
    ...(options.retryDelayMs !== undefined ? { retryStrategy: new ExponentialRetryStrategy(maxAttempts, options.retryDelayMs) } : {}),
    // Without throwOnRequestTimeout the handler only warns when requestTimeout passes, and waits on.
    requestHandler: { requestTimeout, connectionTimeout, throwOnRequestTimeout: true },
  });

  function credentialsFor(account: AwsAccountTarget): CredentialsOption {
    if (!account.roleArn) return baseCredentials;
    let provider = roleCredentials.get(account.accountId);
    if (!provider) {
      provider = memoiseCredentials(
        fromTemporaryCredentials({
          params: {
            RoleArn: account.roleArn,
            RoleSessionName: 'tenet-controls',
            ...(account.externalId ? { ExternalId: account.externalId } : {}),
          },
          masterCredentials: baseCredentials,
          // STS in the account's first region: one AssumeRole per account, not per region.
          clientConfig: clientConfig(homeRegion(account)),
        }) as () => Promise<Identity>,
      );
      roleCredentials.set(account.accountId, provider);
    }
    return provider;
  }

  return {
    name: 'aws',
    async read(types, readOptions = {}) {
      const plan = planFor(types);
      const errors: InventorySlice['errors'] = [];
      // 1. The regions of each account: the listed ones and every enabled one.
      const perAccount = await mapLimit(options.accounts, options.concurrency ?? 4, async (account) => ({
        account,
        regions: await regionsOf(account, credentialsFor(account), errors, readOptions.signal),
      }));
      const targets = perAccount.flatMap(({ account, regions }) => regions.map((region) => ({ account, region })));
      const slices = await mapLimit(targets, options.concurrency ?? 4, ({ account, region }) =>
        readRegion({
          account,
          region,
          plan,
          credentials: credentialsFor(account),
          clientConfig: clientConfig(region),
          mapping: options.mapping ?? {},
          retryDelayMs: options.retryDelayMs ?? 200,
          signal: readOptions.signal,
          log,
        }),
      );
      const slice: InventorySlice = {
        items: slices.flatMap((s) => s.items),
        errors: [...errors, ...slices.flatMap((s) => s.errors)],
        regions: targets.map(({ account, region }) => ({ accountId: account.accountId, region })),
      };
      // 2. S3 is global: every bucket ListBuckets names must have come from AWS Config, in its real region.
      if (plan.wanted.has(BUCKET)) {
        await mapLimit(perAccount, options.concurrency ?? 4, ({ account, regions }) =>
          crossCheckBuckets({
            account,
            regions,
            credentials: credentialsFor(account),
            clientConfig: clientConfig(homeRegion(account)),
            slice,
            signal: readOptions.signal,
            log,
          }),
        );
      }
      log?.debug({ types, items: slice.items.length, errors: slice.errors.length }, 'aws inventory read');
      return slice;
    },
  };

  /** The listed regions, plus every enabled one (EC2 DescribeRegions); a failed discovery is an error, the listed ones are still read. */
  async function regionsOf(
    account: AwsAccountTarget,
    credentials: CredentialsOption,
    errors: InventorySlice['errors'],
    signal?: AbortSignal,
  ): Promise<string[]> {
    const listed = account.regions ?? [];
    if (options.discoverRegions === false) return listed.length ? listed : [homeRegion(account)];
    const home = homeRegion(account);
    const ec2 = new EC2Client({ ...clientConfig(home), credentials });
    try {
      const res = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }), { abortSignal: signal });
      const enabled = (res.Regions ?? [])
        .filter((r) => r.RegionName && (r.OptInStatus === undefined || r.OptInStatus === 'opt-in-not-required' || r.OptInStatus === 'opted-in'))
        .map((r) => r.RegionName!);
      if (enabled.length === 0) throw new Error('DescribeRegions answered no enabled region');
      const unknown = listed.filter((r) => !enabled.includes(r));
      // A listed region the account has not enabled cannot be read: say so rather than report it empty.
      for (const r of unknown)
        errors.push({
          source: `aws:${account.accountId}:${r}:EC2.DescribeRegions`,
          message: `region ${r} is listed in the settings but not enabled in the account`,
        });
      return [...new Set([...listed.filter((r) => enabled.includes(r)), ...enabled])];
    } catch (err) {
      const message = describeError(err);
      errors.push({
        source: `aws:${account.accountId}:${home}:EC2.DescribeRegions`,
        message: `enabled regions unknown, only the listed ones were read: ${message}`,
      });
      log?.warn({ source: `aws:${account.accountId}:${home}:EC2.DescribeRegions`, error: message }, 'aws inventory call failed');
      return listed.length ? listed : [home];
    } finally {
      ec2.destroy();
    }
  }
}

const homeRegion = (account: AwsAccountTarget) => account.regions?.[0] ?? 'us-east-1';

/**
 * Buckets S3 lists for the account that AWS Config did not report are errors of the S3 controls (naming the
 * bucket's region), and a reported bucket without a region gets the one S3 gives.
 */
async function crossCheckBuckets(props: {
  account: AwsAccountTarget;
  regions: string[];
  credentials: CredentialsOption;
  clientConfig: Record<string, unknown>;
  slice: InventorySlice;
  signal?: AbortSignal;
  log?: AwsInventoryLogger;
}): Promise<void> {
  const { account, slice } = props;
  const home = homeRegion(account);
  const fail = (operation: string, region: string, message: string) => {
    slice.errors.push({ source: `aws:${account.accountId}:${region}:${operation}`, message });
    props.log?.warn({ source: `aws:${account.accountId}:${region}:${operation}`, error: message }, 'aws inventory call failed');
  };
  // Path-style addressing: bucket names never become host names (and a test endpoint works).
  const s3 = new S3Client({ ...props.clientConfig, credentials: props.credentials, forcePathStyle: true });
  try {
    const listed: Array<{ name: string; region?: string }> = [];
    try {
      await paginate(async (token) => {
        const page = await s3.send(new ListBucketsCommand({ ContinuationToken: token, MaxBuckets: 1000 }), { abortSignal: props.signal });
        for (const b of page.Buckets ?? []) if (b.Name) listed.push({ name: b.Name, region: b.BucketRegion || undefined });
        return page.ContinuationToken;
      });
    } catch (err) {
      fail('S3.ListBuckets', home, `cannot tell whether AWS Config reported every bucket: ${describeError(err)}`);
      return;
    }
    const reported = new Map(
      slice.items
        .filter((i) => i.resourceType === BUCKET && i.accountId === account.accountId)
        .map((i) => [String(i.configuration.name ?? i.resourceName ?? i.resourceId), i]),
    );
    await mapLimit(listed, CALLS_AT_ONCE, async (b) => {
      const item = reported.get(b.name);
      if (item && item.awsRegion !== 'global') return;
      let region = b.region;
      if (!region) {
        try {
          const loc = await s3.send(new GetBucketLocationCommand({ Bucket: b.name }), { abortSignal: props.signal });
          // S3 answers no constraint for us-east-1 and the legacy "EU" for eu-west-1.
          region = !loc.LocationConstraint ? 'us-east-1' : loc.LocationConstraint === 'EU' ? 'eu-west-1' : loc.LocationConstraint;
        } catch (err) {
          fail('S3.GetBucketLocation', home, `bucket ${b.name}: ${describeError(err)}`);
          return;
        }
      }
      if (item) {
        item.awsRegion = region;
        return;
      }
      const configFailed = slice.errors.some(
        (e) => e.source.startsWith(`aws:${account.accountId}:${region}:ConfigService.`) || e.source.startsWith(`aws:${account.accountId}:${region}:STS.`),
      );
      const why = !props.regions.includes(region)
        ? `region ${region} was not read`
        : configFailed
          ? 'AWS Config could not be read completely there'
          : 'AWS Config did not report it (is the recorder recording AWS::S3::Bucket there?)';
      fail('S3.ListBuckets', region, `bucket ${b.name} exists (S3 ListBuckets) in ${region} but ${why}`);
    });
  } finally {
    s3.destroy();
  }
}

interface Plan {
  /** types asked for: only these leave the collector */
  wanted: Set<string>;
  /** types selected from AWS Config (routes, log groups and recorders are not: they are read from their APIs) */
  select: string[];
}

/** Read from their own APIs: AWS Config records no route and no log group; the recorder is described, not recorded. */
const FROM_SERVICE_APIS = new Set([ROUTE, LOG_GROUP, CONFIG_RECORDER]);

function planFor(types: string[]): Plan {
  const wanted = new Set(types);
  const select = new Set([...wanted].filter((t) => !FROM_SERVICE_APIS.has(t)));
  if (wanted.has(ROUTE)) select.add(API);
  return { wanted, select: [...select] };
}

interface RegionContext {
  account: AwsAccountTarget;
  region: string;
  plan: Plan;
  credentials: CredentialsOption;
  clientConfig: Record<string, unknown>;
  mapping: EnvironmentMapping;
  retryDelayMs: number;
  signal?: AbortSignal;
  log?: AwsInventoryLogger;
}

type Errors = InventorySlice['errors'];

async function readRegion(ctx: RegionContext): Promise<InventorySlice> {
  const { account, region, plan, signal } = ctx;
  const errors: Errors = [];
  const source = (operation: string) => `aws:${account.accountId}:${region}:${operation}`;
  const fail = (operation: string, err: unknown, about?: string) => {
    const message = (about ? `${about}: ` : '') + describeError(err);
    errors.push({ source: source(operation), message });
    ctx.log?.warn({ source: source(operation), error: message }, 'aws inventory call failed');
  };
  if (plan.wanted.size === 0) return { items: [], errors };
  if (signal?.aborted) {
    fail('ConfigService.SelectResourceConfig', new Error('read aborted'));
    return { items: [], errors };
  }

  // Resolve assumed-role credentials up front, so a refused AssumeRole is reported as such (once per region).
  if (account.roleArn && typeof ctx.credentials === 'function') {
    try {
      await (ctx.credentials as () => Promise<Identity>)();
    } catch (err) {
      fail('STS.AssumeRole', err);
      return { items: [], errors };
    }
  }

  const config = { ...ctx.clientConfig, credentials: ctx.credentials };
  const clients = new Clients(config);
  const send = { abortSignal: signal };
  try {
    // 0. The recorder, and what the services hold that AWS Config does not record.
    const described: InventoryItem[] = [];
    await Promise.all([
      plan.wanted.has(CONFIG_RECORDER) ? readRecorders(clients, ctx, send, fail).then((r) => described.push(...r)) : undefined,
      plan.wanted.has(LOG_GROUP) ? readLogGroups(clients, ctx, send, fail).then((g) => described.push(...g)) : undefined,
    ]);
    if (plan.select.length === 0) return { items: described, errors };

    // 1. Keys and tags of the resources of the selected types.
    let keys: Array<{ key: ResourceKey; tags: unknown }>;
    try {
      keys = await selectKeys(clients.config(), plan.select, send);
    } catch (err) {
      fail('ConfigService.SelectResourceConfig', err);
      return { items: described, errors };
    }

    // 2. Full items, 100 keys at a time, retrying unprocessed keys.
    const tagsByKey = new Map(keys.map((k) => [keyOf(k.key), k.tags]));
    const items: InventoryItem[] = [];
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      const chunk = keys.slice(i, i + BATCH_SIZE).map((k) => k.key);
      let raws: Array<Record<string, unknown>>;
      try {
        raws = await batchGet(clients.config(), chunk, ctx.retryDelayMs, send);
      } catch (err) {
        fail('ConfigService.BatchGetResourceConfig', err);
        continue;
      }
      for (const raw of raws) {
        if (raw.configurationItemStatus === 'ResourceDeleted' || raw.configurationItemStatus === 'ResourceDeletedNotRecorded') continue;
        try {
          const tags = tagsByKey.get(keyOf({ resourceType: raw.resourceType as ResourceType, resourceId: String(raw.resourceId) }));
          items.push(normaliseConfigurationItem({ ...raw, tags }, ctx.mapping));
        } catch (err) {
          fail('ConfigService.BatchGetResourceConfig', err);
        }
      }
    }

    // 3. What AWS Config does not record, read from the services: only where the item lacks it.
    const routes: InventoryItem[] = [];
    await Promise.all([
      fillLambdaEnvironment(
        clients,
        items.filter((i) => i.resourceType === LAMBDA && plan.wanted.has(LAMBDA)),
        send,
        fail,
      ),
      fillDynamoDb(
        clients,
        items.filter((i) => i.resourceType === TABLE && plan.wanted.has(TABLE)),
        send,
        fail,
      ),
      plan.wanted.has(ROUTE)
        ? readRoutes(
            clients,
            items.filter((i) => i.resourceType === API),
            send,
            fail,
          ).then((r) => routes.push(...r))
        : undefined,
    ]);

    // Lambda environment values are secrets: whatever the source, only the names and what the secret detectors found
    // in each value (masked, fingerprinted) leave the collector.
    for (const item of items) if (item.resourceType === LAMBDA) redactLambdaEnvironment(item);

    return { items: [...described, ...items.filter((i) => plan.wanted.has(i.resourceType)), ...routes], errors };
  } finally {
    clients.destroy();
  }
}

/** The service clients of one account × region, created on first use. */
class Clients {
  private readonly made: Array<{ destroy(): void }> = [];
  private cache = new Map<string, unknown>();
  constructor(private readonly cfg: Record<string, unknown>) {}
  private get<T extends { destroy(): void }>(name: string, make: () => T): T {
    let c = this.cache.get(name) as T | undefined;
    if (!c) {
      c = make();
      this.cache.set(name, c);
      this.made.push(c);
    }
    return c;
  }
  config = () => this.get('config', () => new ConfigServiceClient(this.cfg));
  logs = () => this.get('logs', () => new CloudWatchLogsClient(this.cfg));
  dynamodb = () => this.get('dynamodb', () => new DynamoDBClient(this.cfg));
  lambda = () => this.get('lambda', () => new LambdaClient(this.cfg));
  apigateway = () => this.get('apigateway', () => new ApiGatewayV2Client(this.cfg));
  destroy() {
    for (const c of this.made) c.destroy();
  }
}

type SendOptions = { abortSignal?: AbortSignal };
type Fail = (operation: string, err: unknown, about?: string) => void;

async function selectKeys(client: ConfigServiceClient, types: string[], send: SendOptions): Promise<Array<{ key: ResourceKey; tags: unknown }>> {
  for (const t of types) if (!/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(t)) throw new Error(`"${t}" is not a resource type`);
  const expression = `SELECT ${SELECT_FIELDS} WHERE resourceType IN (${types.map((t) => `'${t}'`).join(', ')})`;
  const out = new Map<string, { key: ResourceKey; tags: unknown }>();
  await paginate(async (token) => {
    const page = await client.send(new SelectResourceConfigCommand({ Expression: expression, Limit: 100, NextToken: token }), send);
    for (const text of page.Results ?? []) {
      const row = JSON.parse(text) as Record<string, unknown>;
      if (typeof row.resourceType !== 'string' || typeof row.resourceId !== 'string')
        throw new Error('SelectResourceConfig result lacks resourceType or resourceId');
      const key = { resourceType: row.resourceType as ResourceType, resourceId: row.resourceId };
      out.set(keyOf(key), { key, tags: row.tags });
    }
    return page.NextToken;
  });
  return [...out.values()];
}

async function batchGet(client: ConfigServiceClient, keys: ResourceKey[], retryDelayMs: number, send: SendOptions): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let pending = keys;
  for (let round = 1; pending.length > 0; round++) {
    if (round > BATCH_ROUNDS) throw new Error(`${pending.length} resource key(s) still unprocessed after ${BATCH_ROUNDS} attempts`);
    if (round > 1) await sleep(retryDelayMs * 2 ** (round - 2), send.abortSignal);
    const res = await client.send(new BatchGetResourceConfigCommand({ resourceKeys: pending }), send);
    items.push(...((res.baseConfigurationItems ?? []) as Array<Record<string, unknown>>));
    pending = res.unprocessedResourceKeys ?? [];
  }
  return items;
}

/** Lambda: `configuration.environment.variables` (names only) when AWS Config did not record them. */
async function fillLambdaEnvironment(clients: Clients, functions: InventoryItem[], send: SendOptions, fail: Fail): Promise<void> {
  const missing = functions.filter((f) => !isObject(get(f.configuration, 'environment.variables')));
  await mapLimit(missing, CALLS_AT_ONCE, async (fn) => {
    const name = nameOf(fn, 'functionName');
    try {
      const res = await clients.lambda().send(new GetFunctionConfigurationCommand({ FunctionName: name }), send);
      const env = isObject(fn.configuration.environment) ? fn.configuration.environment : {};
      fn.configuration.environment = { ...env, variables: redactEnvironment(res.Environment?.Variables ?? {}) };
    } catch (err) {
      fail('Lambda.GetFunctionConfiguration', err, `function ${name}`);
    }
  });
}

/** DynamoDB: TTL and point-in-time recovery status, in the lower-camel spelling of AWS Config's supplementary fields. */
async function fillDynamoDb(clients: Clients, tables: InventoryItem[], send: SendOptions, fail: Fail): Promise<void> {
  const jobs: Array<() => Promise<void>> = [];
  for (const table of tables) {
    const name = nameOf(table, 'tableName');
    const supp = table.supplementaryConfiguration;
    if (get(supp, 'TimeToLiveDescription.timeToLiveStatus') === undefined) {
      jobs.push(async () => {
        try {
          const res = await clients.dynamodb().send(new DescribeTimeToLiveCommand({ TableName: name }), send);
          const d = res.TimeToLiveDescription;
          supp.TimeToLiveDescription = {
            ...(isObject(supp.TimeToLiveDescription) ? supp.TimeToLiveDescription : {}),
            timeToLiveStatus: d?.TimeToLiveStatus ?? 'DISABLED',
            ...(d?.AttributeName ? { attributeName: d.AttributeName } : {}),
          };
        } catch (err) {
          fail('DynamoDB.DescribeTimeToLive', err, `table ${name}`);
        }
      });
    }
    if (get(supp, 'ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus') === undefined) {
      jobs.push(async () => {
        try {
          const res = await clients.dynamodb().send(new DescribeContinuousBackupsCommand({ TableName: name }), send);
          const d = res.ContinuousBackupsDescription;
          const prior = isObject(supp.ContinuousBackupsDescription) ? supp.ContinuousBackupsDescription : {};
          supp.ContinuousBackupsDescription = {
            ...prior,
            ...(d?.ContinuousBackupsStatus ? { continuousBackupsStatus: d.ContinuousBackupsStatus } : {}),
            pointInTimeRecoveryDescription: {
              ...(isObject(prior.pointInTimeRecoveryDescription) ? prior.pointInTimeRecoveryDescription : {}),
              pointInTimeRecoveryStatus: d?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus ?? 'DISABLED',
            },
          };
        } catch (err) {
          fail('DynamoDB.DescribeContinuousBackups', err, `table ${name}`);
        }
      });
    }
  }
  await mapLimit(jobs, CALLS_AT_ONCE, (job) => job());
}

/**
 * Log groups, which AWS Config does not record: every group of the region from DescribeLogGroups, as an item whose
 * `configuration` holds the API's fields (`retentionInDays` absent: never expires). The environment comes from
 * the settings' mapping; where that is not already production, the group's tags (ListTagsForResource) may add
 * production scope — in a production account no tag can change anything, so none is asked for.
 */
async function readLogGroups(clients: Clients, ctx: RegionContext, send: SendOptions, fail: Fail): Promise<InventoryItem[]> {
  const out: InventoryItem[] = [];
  const capturedAt = new Date().toISOString();
  try {
    await paginate(async (token) => {
      const page = await clients.logs().send(new DescribeLogGroupsCommand({ nextToken: token, limit: 50 }), send);
      for (const g of page.logGroups ?? []) {
        if (!g.logGroupName) continue;
        const arn = g.logGroupArn ?? `arn:aws:logs:${ctx.region}:${ctx.account.accountId}:log-group:${g.logGroupName}`;
        const item: InventoryItem = {
          resourceType: LOG_GROUP,
          resourceId: g.logGroupName,
          resourceName: g.logGroupName,
          awsRegion: ctx.region,
          accountId: ctx.account.accountId,
          arn,
          tags: {},
          configuration: {
            logGroupName: g.logGroupName,
            ...(typeof g.retentionInDays === 'number' ? { retentionInDays: g.retentionInDays } : {}),
            ...(typeof g.storedBytes === 'number' ? { storedBytes: g.storedBytes } : {}),
          },
          supplementaryConfiguration: {},
          configurationItemCaptureTime: capturedAt,
        };
        out.push(item);
      }
      return page.nextToken;
    });
  } catch (err) {
    fail('CloudWatchLogs.DescribeLogGroups', err);
    return [];
  }
  await mapLimit(out, CALLS_AT_ONCE, async (item) => {
    if (environmentOf(item, ctx.mapping) !== 'production') {
      try {
        const res = await clients.logs().send(new ListTagsForResourceCommand({ resourceArn: item.arn!.replace(/:\*$/, '') }), send);
        item.tags = { ...(res.tags ?? {}) };
      } catch (err) {
        fail('CloudWatchLogs.ListTagsForResource', err, `log group ${item.resourceId}`);
      }
    }
    const environment = environmentOf(item, ctx.mapping);
    if (environment) item.environment = environment;
  });
  return out;
}

/**
 * The region's AWS Config recorders (DescribeConfigurationRecorders) as `AWS::Config::ConfigurationRecorder` items,
 * their status (DescribeConfigurationRecorderStatus) in `supplementaryConfiguration.ConfigurationRecorderStatus`.
 * No recorder → no item: the region is still in the slice's `regions`, so its types count as not recorded.
 */
async function readRecorders(clients: Clients, ctx: RegionContext, send: SendOptions, fail: Fail): Promise<InventoryItem[]> {
  try {
    const [recorders, statuses] = await Promise.all([
      clients.config().send(new DescribeConfigurationRecordersCommand({}), send),
      clients.config().send(new DescribeConfigurationRecorderStatusCommand({}), send),
    ]);
    const capturedAt = new Date().toISOString();
    return (recorders.ConfigurationRecorders ?? []).map((r) => {
      const name = r.name ?? 'default';
      const status = (statuses.ConfigurationRecordersStatus ?? []).find((x) => x.name === name);
      return {
        resourceType: CONFIG_RECORDER,
        resourceId: name,
        resourceName: name,
        awsRegion: ctx.region,
        accountId: ctx.account.accountId,
        arn: r.arn,
        tags: {},
        configuration: JSON.parse(JSON.stringify({ name, roleARN: r.roleARN, recordingGroup: r.recordingGroup ?? {}, recordingMode: r.recordingMode })),
        supplementaryConfiguration: status
          ? {
              ConfigurationRecorderStatus: JSON.parse(
                JSON.stringify({
                  recording: status.recording,
                  lastStatus: status.lastStatus,
                  lastStatusChangeTime: status.lastStatusChangeTime?.toISOString(),
                  lastStartTime: status.lastStartTime?.toISOString(),
                  lastStopTime: status.lastStopTime?.toISOString(),
                  lastErrorCode: status.lastErrorCode,
                }),
              ),
            }
          : {},
        configurationItemCaptureTime: capturedAt,
      };
    });
  } catch (err) {
    fail('ConfigService.DescribeConfigurationRecorders', err);
    return [];
  }
}

/** API Gateway v2 routes are not recorded by AWS Config: one item per route, tagged and placed like its API. */
async function readRoutes(clients: Clients, apis: InventoryItem[], send: SendOptions, fail: Fail): Promise<InventoryItem[]> {
  const out: InventoryItem[] = [];
  const capturedAt = new Date().toISOString();
  await mapLimit(apis, CALLS_AT_ONCE, async (api) => {
    const routes: InventoryItem[] = [];
    try {
      await paginate(async (token) => {
        const page = await clients.apigateway().send(new GetRoutesCommand({ ApiId: api.resourceId, NextToken: token, MaxResults: '100' }), send);
        for (const r of page.Items ?? []) {
          if (!r.RouteId) continue;
          const route: InventoryItem = {
            resourceType: ROUTE,
            resourceId: r.RouteId,
            resourceName: r.RouteKey,
            awsRegion: api.awsRegion,
            accountId: api.accountId,
            arn: `arn:aws:apigateway:${api.awsRegion}::/apis/${api.resourceId}/routes/${r.RouteId}`,
            tags: { ...api.tags },
            configuration: {
              apiId: api.resourceId,
              routeKey: r.RouteKey,
              authorizationType: r.AuthorizationType ?? 'NONE',
              ...(r.Target ? { target: r.Target } : {}),
            },
            supplementaryConfiguration: {},
            configurationItemCaptureTime: capturedAt,
          };
          if (api.environment) route.environment = api.environment;
          routes.push(route);
        }
        return page.NextToken;
      });
      out.push(...routes);
    } catch (err) {
      fail('ApiGatewayV2.GetRoutes', err, `api ${api.resourceName ?? api.resourceId}`);
    }
  });
  return out;
}

function redactLambdaEnvironment(item: InventoryItem): void {
  for (const [envKey, varsKey] of [
    ['environment', 'variables'],
    ['Environment', 'Variables'],
  ] as const) {
    const env = item.configuration[envKey];
    if (isObject(env) && isObject(env[varsKey])) env[varsKey] = redactEnvironment(env[varsKey] as Record<string, unknown>);
  }
}

/** Pages through a token-paged API. A token seen before, or too many pages, means the pagination never ends. */
async function paginate(fetchPage: (token: string | undefined) => Promise<string | undefined>): Promise<void> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    if (pages > MAX_PAGES) throw new Error(`pagination did not end after ${MAX_PAGES} pages`);
    const next = await fetchPage(token);
    if (!next) return;
    if (seen.has(next)) throw new Error('pagination did not end: the service repeated a page token');
    seen.add(next);
    token = next;
  }
}

/** A short message naming the error: never a credential, never a long dump of the response. */
export function describeError(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number; attempts?: number } } | undefined;
  const name = typeof e?.name === 'string' && e.name !== 'Error' ? e.name : '';
  let message = (typeof e?.message === 'string' ? e.message : String(err)).replace(/^@smithy\/[\w-]+ - \[\w+\] /, '');
  // Deserialisation failures: the SDK's message points at a hidden field; say what happened instead.
  if (/Deserialization error|Unexpected token|Unexpected end of JSON|is not valid JSON/i.test(message) || name === 'SyntaxError') {
    message = 'the service answered a body that does not parse';
  }
  const status = e?.$metadata?.httpStatusCode;
  const attempts = e?.$metadata?.attempts;
  const suffix = [status ? `HTTP ${status}` : '', attempts && attempts > 1 ? `${attempts} attempts` : ''].filter(Boolean).join(', ');
  const text = `${name ? `${name}: ` : ''}${message}${suffix ? ` (${suffix})` : ''}`
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{8,}\b/g, '[access key]')
    .replace(/(Credential|Signature|SessionToken|X-Amz-Security-Token)=[^\s,&]+/gi, '$1=[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Shares one pending credential fetch between callers; fetches anew after a failure or near expiry. */
function memoiseCredentials(provider: () => Promise<Identity>): () => Promise<Identity> {
  let current: { promise: Promise<Identity>; settled: boolean; failed: boolean; value?: Identity } | undefined;
  const stale = () =>
    !current || (current.settled && (current.failed || (!!current.value?.expiration && current.value.expiration.getTime() - Date.now() < 5 * 60_000)));
  return () => {
    if (stale()) {
      const entry: NonNullable<typeof current> = { promise: provider(), settled: false, failed: false };
      entry.promise.then(
        (v) => Object.assign(entry, { settled: true, value: v }),
        () => Object.assign(entry, { settled: true, failed: true }),
      );
      current = entry;
    }
    return current!.promise;
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('read aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new Error('read aborted'));
      },
      { once: true },
    );
  });
}

const keyOf = (k: ResourceKey) => `${k.resourceType}|${k.resourceId}`;
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const nameOf = (item: InventoryItem, field: string) => {
  const v = item.configuration[field];
  return typeof v === 'string' && v ? v : (item.resourceName ?? item.resourceId);
};
function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}
