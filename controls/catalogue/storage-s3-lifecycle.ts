import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, ofType, isProduction, verdict } from './inventory-evidence.ts';

export default defineControl({
  id: 'storage.s3-lifecycle',
  title: 'S3 lifecycle rules enforce retention',
  commitment:
    'S3 … lifecycle verified (Addendum §28); temporary chat attachments, shipping labels and generated files kept 14 days where stored under the configured temporary location (§22).',
  frameworks: ['ADDENDUM:28.9', 'ADDENDUM:22', 'SPAPI-DPP:8.1', 'GOOGLE:CASA-8.3'],
  severity: 'medium',
  schedule: '15 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory(['AWS::S3::Bucket']),
  evaluate(e, settings) {
    const max = settings.requirements.temporaryMaxExpireDays;
    const buckets = ofType(e, 'AWS::S3::Bucket');
    const inScope = buckets.filter((b) => isProduction(b) || b.tags['data-class'] === 'temporary');
    const findings: Finding[] = [];
    for (const b of inScope) {
      const rules = get(b.supplementaryConfiguration, 'BucketLifecycleConfiguration.rules');
      const enabled = (Array.isArray(rules) ? rules : []).filter((r) => get(r, 'status') === 'Enabled');
      if (isProduction(b) && enabled.length === 0) {
        findings.push(finding(b, `production bucket ${label(b)} has no enabled lifecycle rule`));
        continue;
      }
      if (b.tags['data-class'] === 'temporary') {
        const days = enabled.map((r) => get(r, 'expirationInDays')).filter((d): d is number => typeof d === 'number');
        if (!days.some((d) => d <= max)) {
          findings.push(finding(b, `bucket ${label(b)} is tagged data-class=temporary but no enabled rule expires objects within ${max} days (${days.length ? `shortest ${Math.min(...days)}` : 'no expiration'})`));
        }
      }
    }
    return verdict(e, { inScope: inScope.length, findings, what: 'production or temporary buckets' });
  },
  remediation:
    'Add an enabled lifecycle rule to each production bucket (aws s3api put-bucket-lifecycle-configuration); buckets tagged data-class=temporary need an expiration of at most 14 days (§22).',
});
