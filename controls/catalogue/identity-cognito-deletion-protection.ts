import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const POOL = 'AWS::Cognito::UserPool';

export default defineControl({
  id: 'identity.cognito-deletion-protection',
  title: 'Production user pools have deletion protection',
  commitment: 'Cognito deletion protection enabled (Addendum §28).',
  severity: 'high',
  schedule: '0 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([POOL]),
  evaluate(e) {
    const pools = production(e, POOL);
    const findings: Finding[] = pools
      .filter((p) => p.configuration.DeletionProtection !== 'ACTIVE')
      .map((p) => finding(p, `user pool ${label(p)} has deletion protection ${String(p.configuration.DeletionProtection ?? 'not set')}; expected ACTIVE`));
    return verdict(e, { inScope: pools.length, findings, what: 'production user pools' });
  },
  remediation: "aws cognito-idp update-user-pool --user-pool-id ID --deletion-protection ACTIVE (keep the pool's other settings in the same call).",
});
