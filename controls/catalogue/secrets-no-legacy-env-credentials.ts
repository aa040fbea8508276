import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';
import { redactEnvironment } from '../collectors/env-values.ts';
import { collectInventory, finding, get, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const FN = 'AWS::Lambda::Function';
const collectFunctions = collectInventory([FN], { [FN]: ['configuration.environment'] });

export default defineControl({
  id: 'secrets.no-legacy-env-credentials',
  title: 'No WhatsApp credentials in Lambda environment variables',
  commitment: 'Legacy WhatsApp credential environment variables removed (Addendum §28); credentials live in AWS Secrets Manager (§16).',
  severity: 'critical',
  schedule: '35 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  /**
   * The values are scanned here and dropped: whatever a source handed over (a snapshot file may carry them), the
   * evidence keeps, per variable, only the secret detectors' masked findings and keyed fingerprints.
   */
  async collect(sources) {
    const slice = await collectFunctions(sources);
    if (slice === NOT_APPLICABLE) return slice;
    return {
      ...slice,
      items: slice.items.map((i) => {
        if (i.resourceType !== FN) return i;
        const env = get(i.configuration, 'environment');
        const vars = get(env, 'variables');
        if (!vars || typeof vars !== 'object' || Array.isArray(vars)) return i;
        return {
          ...i,
          configuration: { ...i.configuration, environment: { ...(env as object), variables: redactEnvironment(vars as Record<string, unknown>) } },
        };
      }),
    };
  },
  evaluate(e, settings) {
    const patterns = settings.requirements.legacyEnvPatterns.map((p) => new RegExp(p, 'i'));
    const fns = production(e, FN);
    const findings: Finding[] = [];
    let unseen = 0;
    for (const f of fns) {
      const vars = get(f.configuration, 'environment.variables');
      const entries = vars && typeof vars === 'object' ? Object.entries(vars as Record<string, unknown>) : [];
      const legacy = entries.map(([n]) => n).filter((n) => patterns.some((p) => p.test(n)));
      if (legacy.length) findings.push(finding(f, `production function ${label(f)} still has credential variable(s) ${legacy.join(', ')}`));
      for (const [name, v] of entries) {
        if (v === '[redacted]' || typeof v === 'string') {
          unseen++;
          continue;
        }
        const detectors = (get(v, 'detectors') as Array<{ detector: string; masked: string; fingerprint: string }> | undefined) ?? [];
        if (detectors.length && !legacy.includes(name)) {
          findings.push(
            finding(
              f,
              `production function ${label(f)} variable ${name} holds a value the secret detectors flag: ${detectors.map((d) => `${d.detector} ${d.masked} (fingerprint ${d.fingerprint.slice(0, 12)})`).join(', ')}`,
            ),
          );
        }
      }
    }
    if (unseen)
      findings.push({
        resourceId: FN,
        resourceType: FN,
        message: `${unseen} variable value(s) were redacted by the evidence source before Tenet saw them: judged by name only`,
        severity: 'info',
      });
    return verdict(e, { inScope: fns.length, findings, what: 'production functions' });
  },
  remediation:
    'Remove the listed variables (aws lambda update-function-configuration --environment ...) after the function reads the credentials from Secrets Manager; rotate the credentials that were exposed (the fingerprint tells whether two functions held the same one).',
});
