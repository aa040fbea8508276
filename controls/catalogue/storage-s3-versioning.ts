import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

export default defineControl({
  id: 'storage.s3-versioning',
  title: 'Production S3 buckets are versioned',
  commitment: 'S3 public access block, encryption, versioning, and lifecycle verified (Addendum §28).',
  severity: 'medium',
  schedule: '10 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory(['AWS::S3::Bucket']),
  evaluate(e) {
    const buckets = production(e, 'AWS::S3::Bucket');
    const findings: Finding[] = [];
    for (const b of buckets) {
      const status = get(b.supplementaryConfiguration, 'BucketVersioningConfiguration.status');
      if (status !== 'Enabled')
        findings.push(finding(b, `production bucket ${label(b)} has versioning ${typeof status === 'string' ? status : 'never enabled'}; expected Enabled`));
    }
    return verdict(e, { inScope: buckets.length, findings, what: 'production buckets' });
  },
  remediation: 'aws s3api put-bucket-versioning --bucket NAME --versioning-configuration Status=Enabled',
});
