import { GetBucketLocationCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { InventorySlice } from '../../define-control.ts';
import { homeRegion, type AwsAccountTarget } from './aws-account-target.ts';
import type { CredentialsOption } from './aws-credentials.ts';
import { describeError } from './aws-error-message.ts';
import { paginate } from './aws-pagination.ts';
import { CALLS_AT_ONCE, type AwsInventoryLogger } from './aws-region-context.ts';
import { mapLimit } from './aws-common.ts';
import { BUCKET } from './inventory-plan.ts';

/**
 * Buckets S3 lists for the account that AWS Config did not report are errors of the S3 controls (naming the
 * bucket's region), and a reported bucket without a region gets the one S3 gives.
 */
export async function crossCheckBuckets(props: {
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
