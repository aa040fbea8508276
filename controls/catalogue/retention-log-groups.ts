import { defineControl, type Finding } from '../define-control.ts';
import type { Requirements } from '../settings.ts';
import { collectInventory, finding, inventoryEvidence, label, production, verdict, type Item } from './inventory-evidence.ts';

const GROUP = 'AWS::Logs::LogGroup';
const OPERATIONAL = 'operational';

/**
 * The §22 class of a log group and the days the schedule gives it: the `retention-class` tag names a class, else
 * the first class whose pattern matches the group name, else operational logs (`logRetentionDays`, 180).
 */
function retentionTarget(
  g: Pick<Item, 'tags' | 'configuration' | 'resourceName' | 'resourceId'>,
  r: Pick<Requirements, 'logRetentionClasses' | 'logRetentionDays'>,
): { class: string; days: number } {
  const tagged = g.tags['retention-class'];
  const byTag = tagged ? r.logRetentionClasses.find((c) => c.class === tagged) : undefined;
  if (byTag) return { class: byTag.class, days: byTag.days };
  const name = String(g.configuration.logGroupName ?? g.resourceName ?? g.resourceId);
  const byName = r.logRetentionClasses.find((c) => new RegExp(c.pattern, 'i').test(name));
  return byName ? { class: byName.class, days: byName.days } : { class: OPERATIONAL, days: r.logRetentionDays };
}

export default defineControl({
  id: 'retention.log-groups',
  title: 'Production log groups keep logs for the period the retention schedule gives their class',
  commitment: 'CloudWatch operational Lambda logs: 180 days; PII reveal audit events: 365 days (Addendum §22, §23).',
  severity: 'medium',
  schedule: '40 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([GROUP]),
  evaluate(e, settings) {
    const groups = production(e, GROUP);
    const findings: Finding[] = [];
    for (const g of groups) {
      const target = retentionTarget(g, settings.requirements);
      const r = g.configuration.retentionInDays;
      const name = String(g.configuration.logGroupName ?? label(g));
      const cls = `${target.class} logs keep ${target.days} days`;
      if (r === undefined || r === null || r === 0) findings.push(finding(g, `log group ${name} never expires; ${cls}`));
      else if (r !== target.days) findings.push(finding(g, `log group ${name} keeps logs ${String(r)} days; ${cls}`));
    }
    return verdict(e, { inScope: groups.length, findings, what: 'production log groups' });
  },
  remediation:
    "aws logs put-retention-policy --log-group-name NAME --retention-in-days DAYS with the days the §22 schedule gives the group's class: 180 for operational Lambda logs (requirements.logRetentionDays), 365 for the PII reveal audit (requirements.logRetentionClasses; tag a group retention-class=NAME to place it).",
});
