import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { InventorySlice } from '../../define-control.ts';
import type { EnvironmentMapping } from '../../inventory/config-item.ts';
import type { InventorySource } from '../inventory-source.ts';
import { ExponentialRetryStrategy, mapLimit } from './aws-common.ts';
import { homeRegion, type AwsAccountTarget } from './aws-account-target.ts';
import { memoiseCredentials, type CredentialsOption, type Identity } from './aws-credentials.ts';
import { describeError } from './aws-error-message.ts';
import type { AwsInventoryLogger } from './aws-region-context.ts';
import { readRegion } from './aws-region-read.ts';
import { BUCKET, planFor } from './inventory-plan.ts';
import { crossCheckBuckets } from './s3-bucket-check.ts';

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
 *
 * This module is the source itself (regions, credentials, fan-out); each region is read by aws-region-read.ts, with
 * one module per service it asks (config-service-read, config-recorders, log-group-inventory, lambda-environment,
 * dynamodb-settings, api-gateway-routes), and S3's global bucket list is checked by s3-bucket-check.ts.
 */

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
