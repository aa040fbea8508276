import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const RULE = 'AWS::Events::Rule';
const DAY_MS = 86_400_000;

/** The longest gap between runs of an EventBridge schedule expression, in ms; undefined when unknown. */
function scheduleInterval(expression: unknown): number | undefined {
  if (typeof expression !== 'string') return undefined;
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) return Number(rate[1]) * (rate[2].startsWith('minute') ? 60_000 : rate[2].startsWith('hour') ? 3_600_000 : DAY_MS);
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const f = cron[1].trim().split(/\s+/);
    if (f.length !== 6) return undefined;
    const [, , dayOfMonth, month, dayOfWeek] = f;
    const every = (x: string) => x === '*' || x === '?';
    if (every(dayOfMonth) && every(month) && every(dayOfWeek)) return DAY_MS; // at least once a day
    return 7 * DAY_MS; // restricted days: less often than daily
  }
  return undefined;
}

const targetsFunction = (arn: unknown, fn: string) =>
  typeof arn === 'string' && (arn === fn || arn.endsWith(`:function:${fn}`) || arn.includes(`:function:${fn}:`));

export default defineControl({
  id: 'pii.redaction-scheduler',
  title: 'Buyer PII redaction runs at least daily',
  commitment: 'Buyer PII redaction scheduler deployed (Addendum §28); marketplace buyer PII field-level redacted after 30 days (§22).',
  severity: 'critical',
  schedule: '20 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([RULE]),
  evaluate(e, settings) {
    const fn = settings.requirements.redactionFunction;
    const targeting = production(e, RULE).filter((r) => {
      const targets = get(r.configuration, 'targets');
      return Array.isArray(targets) && targets.some((t) => targetsFunction(get(t, 'arn') ?? get(t, 'Arn'), fn));
    });
    const problems: Finding[] = [];
    let good = 0;
    for (const r of targeting) {
      const interval = scheduleInterval(r.configuration.scheduleExpression);
      if (r.configuration.state !== 'ENABLED')
        problems.push(finding(r, `rule ${label(r)} targets ${fn} but is ${String(r.configuration.state ?? 'in no state')}`));
      else if (interval === undefined || interval > DAY_MS)
        problems.push(
          finding(r, `rule ${label(r)} targets ${fn} but runs ${String(r.configuration.scheduleExpression ?? 'on no schedule')}, less often than daily`),
        );
      else good++;
    }
    if (targeting.length === 0)
      problems.push({ resourceId: fn, resourceType: 'AWS::Lambda::Function', message: `no enabled production rule targets the redaction function ${fn}` });
    // One good schedule is enough; the others are then notes, not failures.
    const findings = good ? problems.map((f) => ({ ...f, severity: 'info' as const })) : problems;
    return verdict(e, { inScope: Math.max(1, targeting.length), findings, what: 'redaction schedules' });
  },
  remediation: 'Create an enabled EventBridge rule with rate(1 day) (or more often) whose target is the buyer-PII redaction function.',
});
