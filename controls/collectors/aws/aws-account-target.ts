/** One AWS account the inventory reads, and how. */
export interface AwsAccountTarget {
  accountId: string;
  /** Regions read whatever DescribeRegions says; the first is the account's home (STS, EC2, S3 ListBuckets). */
  regions?: string[];
  /** Role to assume in this account (STS AssumeRole with the base credentials); without it the base credentials are used. */
  roleArn?: string;
  externalId?: string;
}

/** The account's home region: its first listed one (STS, EC2 DescribeRegions, S3 ListBuckets are called there). */
export const homeRegion = (account: AwsAccountTarget) => account.regions?.[0] ?? 'us-east-1';
