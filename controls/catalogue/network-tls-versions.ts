import { z } from 'zod';
import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';

const version = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);

const evidence = z.array(
  z.object({
    name: z.string(),
    host: z.string(),
    port: z.number().int(),
    servername: z.string(),
    versions: z.array(z.object({ version, result: z.enum(['accepted', 'refused', 'not_tested', 'error']), detail: z.string().optional() })),
    certificate: z
      .object({
        subjectCN: z.string().optional(),
        sans: z.array(z.string()),
        issuer: z.string().optional(),
        validFrom: z.string(),
        validTo: z.string(),
        daysToExpiry: z.number(),
        fingerprint256: z.string(),
        authorized: z.boolean(),
        authorizationError: z.string().optional(),
      })
      .optional(),
    error: z.string().optional(),
  }),
);

const LEGACY = new Set(['TLSv1', 'TLSv1.1']);

export default defineControl({
  id: 'network.tls-versions',
  title: 'Endpoints accept only TLS 1.2 or newer, with a valid certificate',
  commitment:
    'Data in transit is encrypted with TLS 1.2 or newer: every public endpoint refuses older protocol versions and presents a certificate that verifies and is not about to expire.',
  severity: 'high',
  schedule: '15 */6 * * *',
  freshFor: '13h',
  evidence,
  collect: async (sources) => (sources.tlsProbes ? sources.tlsProbes() : NOT_APPLICABLE),
  evaluate(endpoints, settings) {
    if (endpoints.length === 0) return { status: 'not_applicable', findings: [], summary: 'no TLS endpoints configured (probes.tls)' };
    const minDays = settings.requirements.tlsMinDaysToExpiry;
    const findings: Finding[] = [];
    const errors: Finding[] = [];
    const untested = new Set<string>();
    for (const e of endpoints) {
      const where = `${e.host}:${e.port}`;
      if (e.error) {
        errors.push({ resourceId: where, message: `${e.name}: not probed: ${e.error}` });
        continue;
      }
      const accepted = e.versions.filter((v) => v.result === 'accepted').map((v) => v.version);
      if (accepted.length === 0) {
        const why = e.versions.map((v) => `${v.version} ${v.result}${v.detail ? ` (${v.detail})` : ''}`).join(', ');
        errors.push({ resourceId: where, message: `${e.name}: no TLS handshake succeeded: ${why}` });
        continue;
      }
      const legacy = accepted.filter((v) => LEGACY.has(v));
      if (legacy.length) findings.push({ resourceId: where, message: `${e.name} accepts ${legacy.join(' and ')} (older than TLS 1.2)` });
      for (const v of e.versions) {
        if (v.result === 'error')
          errors.push({ resourceId: where, message: `${e.name}: ${v.version} handshake got no answer: ${v.detail ?? 'unknown error'}` });
        if (v.result === 'not_tested') {
          untested.add(v.version);
          findings.push({
            resourceId: where,
            message: `${e.name}: ${v.version} not tested: this client cannot offer it (${v.detail ?? 'no detail'})`,
            severity: 'info',
          });
        }
      }
      const c = e.certificate;
      if (!c) {
        errors.push({ resourceId: where, message: `${e.name}: no certificate was read` });
        continue;
      }
      const cn = c.subjectCN ?? c.sans[0] ?? 'certificate';
      if (c.daysToExpiry < 0) findings.push({ resourceId: where, message: `${e.name}: certificate ${cn} expired on ${c.validTo.slice(0, 10)}` });
      else if (c.daysToExpiry < minDays)
        findings.push({ resourceId: where, message: `${e.name}: certificate ${cn} expires on ${c.validTo.slice(0, 10)}, within ${minDays} days` });
      if (!c.authorized)
        findings.push({ resourceId: where, message: `${e.name}: certificate ${cn} does not verify: ${c.authorizationError ?? 'not trusted'}` });
    }
    const failures = findings.filter((f) => f.severity !== 'info');
    const note = untested.size ? `; ${[...untested].join(', ')} not tested (this client cannot offer them)` : '';
    // A failure seen is a failure, even when another endpoint (or version) could not be judged.
    if (failures.length)
      return { status: 'fail', findings: [...findings, ...errors], summary: `${failures.length} finding(s) across ${endpoints.length} endpoint(s)${note}` };
    if (errors.length)
      return { status: 'error', findings: [...errors, ...findings], summary: `${errors.length} endpoint(s) or version(s) could not be judged` };
    return {
      status: 'pass',
      findings,
      summary: `${endpoints.length} endpoint(s) accept only TLS 1.2 or newer, with certificates that verify and run ${minDays}+ days${note}`,
    };
  },
  remediation:
    'Set the minimum protocol to TLS 1.2 on the load balancer, CDN or API gateway in front of each endpoint (e.g. an ELBSecurityPolicy-TLS13-1-2 policy, CloudFront TLSv1.2_2021, API Gateway TLS_1_2), renew certificates before they expire (ACM renews the ones it issued when validation still works), and serve the full chain to a CA clients trust.',
});
