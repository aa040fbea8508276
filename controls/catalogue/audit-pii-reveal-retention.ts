import { z } from 'zod';
import { defineControl, type Finding } from '../define-control.ts';

const evidence = z.object({ configuredDays: z.number().int(), oldestRowAgeDays: z.number().nullable(), updateRefused: z.boolean() });
const PROMISED = 365;

export default defineControl({
  id: 'audit.pii-reveal-retention',
  title: "Tenet's buyer-PII reveal audit is kept 365 days",
  commitment: 'Reveal events are logged and kept for 365 days (Addendum §13.2).',
  severity: 'high',
  schedule: '55 * * * *',
  freshFor: '26h',
  evidence,
  collect: (sources) => sources.self('pii_reveal_retention'),
  evaluate(s) {
    const findings: Finding[] = [];
    if (s.configuredDays < PROMISED)
      findings.push({ resourceId: 'tenet:pii_reveals', message: `reveal audit retention is ${s.configuredDays} days; promised ${PROMISED}` });
    if (!s.updateRefused) findings.push({ resourceId: 'tenet:pii_reveals', message: 'the reveal audit table accepts updates; it must be append-only' });
    return {
      status: findings.length ? 'fail' : 'pass',
      findings,
      summary: `retention ${s.configuredDays} days; oldest record ${s.oldestRowAgeDays === null ? 'none yet' : `${Math.floor(s.oldestRowAgeDays)} days old`}`,
    };
  },
  remediation: 'Set TENET_PII_REVEAL_RETENTION_DAYS to at least 365 and run tenet migrate so the append-only trigger is in place.',
});
