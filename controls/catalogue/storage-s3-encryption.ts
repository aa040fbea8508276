import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, ofType, verdict } from './inventory-evidence.ts';

const ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);

export default defineControl({
  id: 'storage.s3-encryption',
  title: 'S3 buckets are encrypted at rest',
  commitment: 'S3 public access block, encryption, versioning, and lifecycle verified (Addendum §28); encryption at rest (§21).',
  severity: 'high',
  schedule: '5 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory(['AWS::S3::Bucket']),
  evaluate(e) {
    const buckets = ofType(e, 'AWS::S3::Bucket');
    const findings: Finding[] = [];
    for (const b of buckets) {
      const rules = get(b.supplementaryConfiguration, 'ServerSideEncryptionConfiguration.rules');
      const algos = Array.isArray(rules) ? rules.map((r) => get(r, 'applyServerSideEncryptionByDefault.sseAlgorithm')) : [];
      if (!algos.some((a) => typeof a === 'string' && ALGORITHMS.has(a))) {
        findings.push(finding(b, `bucket ${label(b)} has no default server-side encryption (${algos.length ? `found ${algos.join(', ')}` : 'no rule'})`));
      }
    }
    return verdict(e, { inScope: buckets.length, findings, what: 'buckets' });
  },
  remediation:
    'aws s3api put-bucket-encryption --bucket NAME --server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}\'',
});
