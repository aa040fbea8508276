import { z } from 'zod';
import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';

const evidence = z.object({
  asOf: z.string(),
  days: z.number().int(),
  incidents: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      severity: z.string(),
      status: z.enum(['open', 'contained', 'closed']),
      detectedAt: z.string(),
      closedAt: z.string().nullable(),
      reviewed: z.boolean(),
      clocks: z.array(z.object({ party: z.string(), dueAt: z.string(), notifiedAt: z.string().nullable() })),
    }),
  ),
});

const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10} h`;

export default defineControl({
  id: 'incident.notification-on-time',
  title: 'Incidents are notified within their clocks and closed only after a post-incident review',
  commitment:
    'For incidents involving Amazon Information, notify the Amazon-designated security contact within 24 hours of detection; conduct a post-incident review (Addendum §13.4, §25).',
  severity: 'high',
  schedule: '*/15 * * * *',
  freshFor: '2h',
  evidence,
  async collect(sources, settings) {
    if (!sources.incidents) return NOT_APPLICABLE;
    return sources.incidents(settings.incidents.lookbackDays);
  },
  evaluate(e) {
    const now = Date.parse(e.asOf);
    const findings: Finding[] = [];
    let met = 0;
    let running = 0;
    for (const i of e.incidents) {
      for (const c of i.clocks) {
        const due = Date.parse(c.dueAt);
        if (c.notifiedAt) {
          const late = Date.parse(c.notifiedAt) - due;
          if (late > 0)
            findings.push({
              resourceId: i.id,
              resourceType: 'incident',
              message: `${i.id}: ${c.party} was notified ${hours(late)} after the deadline (${c.dueAt})`,
            });
          else met++;
        } else if (now > due) {
          findings.push({
            resourceId: i.id,
            resourceType: 'incident',
            message: `${i.id}: ${c.party} not notified; the deadline passed ${hours(now - due)} ago (${c.dueAt})`,
          });
        } else {
          running++;
          findings.push({
            resourceId: i.id,
            resourceType: 'incident',
            severity: 'info',
            message: `${i.id}: ${c.party} to be notified within ${hours(due - now)} (by ${c.dueAt})`,
          });
        }
      }
      if (i.status === 'closed' && !i.reviewed)
        findings.push({ resourceId: i.id, resourceType: 'incident', message: `${i.id}: closed without a post-incident review` });
    }
    const failing = findings.filter((f) => f.severity !== 'info');
    if (e.incidents.length === 0) return { status: 'pass', findings: [], summary: `no incidents in the last ${e.days} days` };
    return {
      status: failing.length ? 'fail' : 'pass',
      findings,
      summary: `${e.incidents.length} incident(s) in the last ${e.days} days or still open: ${met} notice(s) on time, ${running} clock(s) running, ${failing.length} problem(s)`,
    };
  },
  remediation:
    'Record each notice on the incident (POST /v1/incidents/{id}/notifications/{party}, or the Incidents page) as soon as it is sent; write the post-incident review before closing. A missed clock stays in the look-back window (incidents.lookbackDays).',
});
