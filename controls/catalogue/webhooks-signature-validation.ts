import { z } from 'zod';
import { defineControl, type Finding } from '../define-control.ts';

const evidence = z.array(
  z.object({
    name: z.string(),
    provider: z.string(),
    url: z.string(),
    case: z.enum(['unsigned', 'bad-signature', 'signed', 'replayed']),
    status: z.number().int().optional(),
    error: z.string().optional(),
    skipped: z.string().optional(),
    reject: z.array(z.number().int()).optional(),
  }),
);
type Probe = z.infer<typeof evidence>[number];

const WHAT: Record<Probe['case'], string> = {
  unsigned: 'an unsigned request',
  'bad-signature': 'a wrongly signed request',
  signed: 'a request correctly signed with the test secret',
  replayed: 'a correctly signed request with a timestamp an hour old (a replay)',
};

export default defineControl({
  id: 'webhooks.signature-validation',
  title: 'Webhook endpoints reject unsigned, wrongly signed and replayed requests',
  commitment: 'Webhook provider signature validation verified (Addendum §28); Stripe webhooks are signature verified before processing (§11).',
  severity: 'critical',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence,
  collect: (sources) => sources.webhookProbes(),
  evaluate(probes) {
    if (probes.length === 0) return { status: 'not_applicable', findings: [], summary: 'no webhook endpoints configured' };
    const errors = probes.filter((p) => !p.skipped && (p.error !== undefined || p.status === undefined));
    if (errors.length) {
      return {
        status: 'error',
        findings: errors.map((p) => ({ resourceId: p.url, message: `${p.name} (${p.case} request): ${p.error ?? 'no answer'}` })),
        summary: `${errors.length} probe(s) got no answer; not judged`,
      };
    }
    const findings: Finding[] = [];
    let unproven = 0;
    for (const name of new Set(probes.map((p) => p.name))) {
      const mine = probes.filter((p) => p.name === name);
      const { provider, url } = mine[0];
      const reject = mine[0].reject ?? [401, 403];
      const signed = mine.find((p) => p.case === 'signed');
      for (const p of mine) {
        if (p.skipped) {
          // Without the signed probe, a refusal may come from an authorizer or WAF that never reaches the handler.
          if (p.case === 'signed') {
            unproven++;
            findings.push({ resourceId: url, message: `${provider} webhook ${name}: cannot show the handler checks signatures: ${p.skipped}` });
          } else findings.push({ resourceId: url, message: `${provider} webhook ${name}: replay not tested: ${p.skipped}`, severity: 'info' });
          continue;
        }
        if (p.case === 'signed') {
          if (p.status! < 200 || p.status! > 299) {
            findings.push({
              resourceId: url,
              message: `${provider} webhook ${name} answered ${p.status} to ${WHAT.signed}: the refusals may come from something in front of the handler (an authorizer or WAF), not from its signature check`,
            });
          }
        } else if (!reject.includes(p.status!)) {
          findings.push({ resourceId: url, message: `${provider} webhook ${name} answered ${p.status} to ${WHAT[p.case]}; expected ${reject.join(', ')}` });
        }
      }
      if (!signed) {
        unproven++;
        findings.push({
          resourceId: url,
          message: `${provider} webhook ${name}: no correctly signed probe was sent; cannot show the handler checks signatures`,
        });
      }
    }
    const failures = findings.filter((f) => f.severity !== 'info');
    const endpoints = new Set(probes.map((p) => p.name)).size;
    return {
      status: failures.length ? 'fail' : 'pass',
      findings,
      summary: failures.length
        ? `${failures.length} finding(s) across ${endpoints} endpoint(s)${unproven ? `; ${unproven} without a signed probe` : ''}`
        : `${endpoints} endpoint(s) accepted a correctly signed request and refused unsigned, wrongly signed and replayed ones`,
    };
  },
  remediation:
    'Verify the provider signature (Stripe-Signature with its timestamp tolerance, X-Hub-Signature-256, ...) over the raw body in the handler before any processing, and refuse a missing, wrong or stale one (Stripe: 400). Give the probe a test signing secret the handler accepts (probes.webhooks[].secretEnv) so Tenet can tell the handler from an authorizer or WAF in front of it.',
});
