import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const FN = 'AWS::Lambda::Function';

export default defineControl({
  id: 'secrets.no-legacy-env-credentials',
  title: 'No WhatsApp credentials in Lambda environment variables',
  commitment: 'Legacy WhatsApp credential environment variables removed (Addendum §28).',
  frameworks: ['ADDENDUM:28.2', 'SPAPI-DPP:4.1'],
  severity: 'critical',
  schedule: '35 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([FN], { [FN]: ['configuration.environment'] }),
  evaluate(e, settings) {
    const patterns = settings.requirements.legacyEnvPatterns.map((p) => new RegExp(p, 'i'));
    const fns = production(e, FN);
    const findings: Finding[] = [];
    for (const f of fns) {
      const vars = get(f.configuration, 'environment.variables');
      const names = vars && typeof vars === 'object' ? Object.keys(vars) : [];
      const legacy = names.filter((n) => patterns.some((p) => p.test(n)));
      if (legacy.length) findings.push(finding(f, `production function ${label(f)} still has credential variable(s) ${legacy.join(', ')}`));
    }
    return verdict(e, { inScope: fns.length, findings, what: 'production functions' });
  },
  remediation: 'Remove the listed variables (aws lambda update-function-configuration --environment ...) after the function reads the credentials from Secrets Manager; rotate the credentials that were exposed.',
});
