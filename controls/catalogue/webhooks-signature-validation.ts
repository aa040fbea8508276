import { z } from 'zod';
import { defineControl, type Finding } from '../define-control.ts';

const evidence = z.array(
  z.object({
    name: z.string(),
    provider: z.string(),
    url: z.string(),
    case: z.enum(['unsigned', 'bad-signature']),
    status: z.number().int().optional(),
    error: z.string().optional(),
  }),
);

export default defineControl({
  id: 'webhooks.signature-validation',
  title: 'Webhook endpoints reject unsigned and wrongly signed requests',
  commitment: 'Webhook provider signature validation verified (Addendum §28).',
  frameworks: ['ADDENDUM:28.10', 'SPAPI-DPP:1.1'],
  severity: 'critical',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence,
  collect: (sources) => sources.webhookProbes(),
  evaluate(probes) {
    if (probes.length === 0) return { status: 'not_applicable', findings: [], summary: 'no webhook endpoints configured' };
    const errors = probes.filter((p) => p.error !== undefined || p.status === undefined);
    if (errors.length) {
      return {
        status: 'error',
        findings: errors.map((p) => ({ resourceId: p.url, message: `${p.name} (${p.case} request): ${p.error ?? 'no answer'}` })),
        summary: `${errors.length} probe(s) got no answer; not judged`,
      };
    }
    const findings: Finding[] = probes
      .filter((p) => p.status !== 401 && p.status !== 403)
      .map((p) => ({ resourceId: p.url, message: `${p.provider} webhook ${p.name} answered ${p.status} to an ${p.case === 'unsigned' ? 'unsigned' : 'wrongly signed'} request; expected 401 or 403` }));
    const endpoints = new Set(probes.map((p) => p.name)).size;
    return { status: findings.length ? 'fail' : 'pass', findings, summary: findings.length ? `${findings.length} probe(s) accepted` : `${endpoints} endpoint(s) rejected both probes` };
  },
  remediation:
    'Verify the provider signature (Stripe-Signature, X-Hub-Signature-256, ...) over the raw body before any processing, and answer 401 when it is missing or wrong.',
});
