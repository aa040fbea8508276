import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const GROUP = 'AWS::Logs::LogGroup';

export default defineControl({
  id: 'retention.log-groups',
  title: 'Production log groups keep logs for the promised period',
  commitment: 'CloudWatch operational Lambda logs: 180 days (Addendum §22).',
  frameworks: ['ADDENDUM:22', 'SPAPI-DPP:7.1', 'GOOGLE:CASA-8.3'],
  severity: 'medium',
  schedule: '40 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([GROUP]),
  evaluate(e, settings) {
    const days = settings.requirements.logRetentionDays;
    const groups = production(e, GROUP);
    const findings: Finding[] = [];
    for (const g of groups) {
      const r = g.configuration.retentionInDays;
      const name = String(g.configuration.logGroupName ?? label(g));
      if (r === undefined || r === null || r === 0) findings.push(finding(g, `log group ${name} never expires; expected ${days} days`));
      else if (r !== days) findings.push(finding(g, `log group ${name} keeps logs ${String(r)} days; expected ${days}`));
    }
    return verdict(e, { inScope: groups.length, findings, what: 'production log groups' });
  },
  remediation: 'aws logs put-retention-policy --log-group-name NAME --retention-in-days 180 (or the configured retention).',
});
