import { z } from 'zod';
import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';

const evidence = z.object({
  asOf: z.string(),
  required: z.array(z.string()),
  attestations: z.array(
    z.object({
      documentId: z.string(),
      title: z.string(),
      attestedBy: z.string(),
      attestedAt: z.string(),
      expiresAt: z.string(),
      digest: z.string(),
      kid: z.string(),
    }),
  ),
});

const DAY = 86_400_000;

export default defineControl({
  id: 'governance.runbooks',
  title: 'Secrets-rotation and data deletion/export runbooks are attested',
  commitment: 'Secrets rotation and data deletion/export runbooks documented (Addendum §28).',
  severity: 'medium',
  schedule: '0 6 * * *',
  freshFor: '26h',
  evidence,
  async collect(sources, settings) {
    const required = settings.requirements.runbooks;
    const attestations = await sources.attestations(required);
    if (attestations === NOT_APPLICABLE) return NOT_APPLICABLE;
    return { asOf: new Date().toISOString(), required, attestations };
  },
  evaluate(e, settings) {
    const now = Date.parse(e.asOf);
    const maxAge = settings.requirements.runbookMaxAgeDays;
    const findings: Finding[] = [];
    for (const doc of e.required) {
      const a = e.attestations.filter((x) => x.documentId === doc).sort((x, y) => y.attestedAt.localeCompare(x.attestedAt))[0];
      if (!a) findings.push({ resourceId: doc, message: `runbook ${doc} has no signed attestation` });
      else if (Date.parse(a.expiresAt) <= now)
        findings.push({ resourceId: doc, message: `attestation of ${doc} by ${a.attestedBy} expired on ${a.expiresAt.slice(0, 10)}` });
      else if (now - Date.parse(a.attestedAt) > maxAge * DAY)
        findings.push({ resourceId: doc, message: `runbook ${doc} was last attested ${a.attestedAt.slice(0, 10)}, over ${maxAge} days ago` });
    }
    return {
      status: findings.length ? 'fail' : 'pass',
      findings,
      summary: `${e.required.length - findings.length} of ${e.required.length} runbooks attested within ${maxAge} days`,
    };
  },
  remediation: 'Review each runbook and record a signed attestation (tenet attest --document ID --file RUNBOOK --key KEY, or POST /v1/attestations).',
});
