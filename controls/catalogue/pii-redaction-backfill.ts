import { z } from 'zod';
import { defineControl } from '../define-control.ts';

const evidence = z.object({ count: z.number().int().min(0), sample: z.array(z.string()), olderThanDays: z.number().int() });

export default defineControl({
  id: 'pii.redaction-backfill',
  title: 'No unredacted buyer PII on old orders',
  commitment: 'Historical buyer PII redaction backfill completed where required (Addendum §28); buyer PII redacted after 30 days (§22).',
  severity: 'critical',
  schedule: '30 2 * * *',
  freshFor: '26h',
  evidence,
  collect: (sources) => sources.unredactedOrders(),
  evaluate(r) {
    if (r.count === 0) return { status: 'pass', findings: [], summary: `no order delivered over ${r.olderThanDays} days ago holds buyer PII` };
    return {
      status: 'fail',
      findings: r.sample.map((id) => ({
        resourceId: `order:${id}`,
        message: `order ${id} was delivered over ${r.olderThanDays} days ago and still holds buyer PII`,
      })),
      summary: `${r.count} order(s) delivered over ${r.olderThanDays} days ago still hold buyer PII`,
    };
  },
  remediation:
    'Run the redaction backfill over orders delivered more than 30 days ago (null the buyer name, address, phone and email; set pii_redacted), then re-run this check.',
});
