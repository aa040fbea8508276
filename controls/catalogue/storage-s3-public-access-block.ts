import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, get, inventoryEvidence, label, ofType, verdict } from './inventory-evidence.ts';

const FLAGS = ['blockPublicAcls', 'ignorePublicAcls', 'blockPublicPolicy', 'restrictPublicBuckets'] as const;
const missing = (cfg: unknown) => FLAGS.filter((f) => get(cfg, f) !== true);

export default defineControl({
  id: 'storage.s3-public-access-block',
  title: 'S3 public access is blocked',
  commitment: 'S3 public access block, encryption, versioning, and lifecycle verified (Addendum §28).',
  severity: 'critical',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence: inventoryEvidence,
  collect: collectInventory(['AWS::S3::AccountPublicAccessBlock', 'AWS::S3::Bucket']),
  evaluate(e) {
    const findings: Finding[] = [];
    // An account-level block with all four flags covers every bucket of that account.
    const coveredAccounts = new Set(
      ofType(e, 'AWS::S3::AccountPublicAccessBlock')
        .filter((a) => missing(a.configuration).length === 0)
        .map((a) => a.accountId),
    );
    const buckets = ofType(e, 'AWS::S3::Bucket');
    for (const b of buckets) {
      if (coveredAccounts.has(b.accountId)) continue;
      const gaps = missing(b.supplementaryConfiguration.PublicAccessBlockConfiguration);
      if (gaps.length) {
        findings.push({
          resourceId: b.arn ?? b.resourceId,
          resourceType: b.resourceType,
          message: `bucket ${label(b)} (account ${b.accountId}) has no account-level block and its own block lacks ${gaps.join(', ')}`,
        });
      }
    }
    return verdict(e, { inScope: buckets.length, findings, what: 'buckets' });
  },
  remediation:
    'Turn on all four S3 Block Public Access settings at the account level (aws s3control put-public-access-block --account-id ID --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true), or on each listed bucket.',
});
