import type { Db } from '../../engine/db/database.ts';
import { IncidentRegister, type Incident } from '../../engine/incidents/incident-register.ts';
import type { IncidentSettings } from '../../engine/incidents/incident-settings.ts';
import { EvidenceStore } from '../ledger/evidence-store.ts';
import type { PackModel } from './pack-model.ts';
import { utc } from './pack-time.ts';

type PackSection = PackModel['sections'][number];

const day = (iso: string | null) => utc(iso, '—');

/** Whom the register's clocks answer to, in the words of the pack's reviewer (a Google pack names no Amazon duty). */
const NOTICE: Record<PackModel['profile'], string> = {
  'sp-api': 'notice to Amazon within 24 hours of detection when Amazon Information is involved (§13.4), other parties within their configured clocks',
  google: 'notice to Google and to customers within their configured clocks',
};

function clocks(i: Incident): string {
  if (!i.clocks.length) return 'none required';
  return i.clocks
    .map((c) => {
      const how = { met: 'met', late: 'MISSED (notified late)', overdue: 'MISSED (not notified)', running: 'running' }[c.state];
      return `${c.party} ${c.hours} h: ${how}${c.notifiedAt ? `, notified ${day(c.notifiedAt)}${c.reference ? ` (ref ${c.reference})` : ''}` : `, due ${day(c.dueAt)}`}`;
    })
    .join('; ');
}

/**
 * "Incident register" (every pack): the incidents active in the period with severity, each notification clock met or
 * missed (as of the period end), the §25 steps done, the evidence snapshots' SHA-256 and chain records, and the
 * post-incident review. An empty register says so.
 */
export async function incidentSection(props: {
  db: Db;
  settings: IncidentSettings;
  profile: PackModel['profile'];
  from: Date;
  to: Date;
}): Promise<PackSection> {
  const register = new IncidentRegister({ db: props.db, settings: props.settings, evidence: new EvidenceStore(props.db), now: () => props.to.getTime() });
  const incidents = await register.list({ from: props.from, to: props.to });
  const intro =
    `Incidents handled under the incident response process (Addendum §25): ${NOTICE[props.profile]}; ` +
    'evidence preserved as snapshots whose SHA-256 is recorded in the evidence chain; closed only after a post-incident review.';
  if (!incidents.length) {
    return { id: 'incidents', title: 'Incident register', intro, paragraphs: ['No incidents were recorded in the period.'] };
  }
  const missed = incidents.flatMap((i) => i.clocks.filter((c) => c.state === 'late' || c.state === 'overdue').map((c) => `${i.id} ${c.party}`));
  return {
    id: 'incidents',
    title: 'Incident register',
    intro,
    table: {
      columns: ['incident', 'severity', 'detected', 'status', 'notification clocks', 'steps done', 'evidence snapshots', 'post-incident review'],
      rows: incidents.map((i) => [
        `${i.id}: ${i.title}`,
        i.severity,
        day(i.detectedAt),
        i.status + (i.closedAt ? ` ${day(i.closedAt)}` : ''),
        clocks(i),
        `${i.steps.filter((s) => s.doneAt).length} of 10${
          i.steps.some((s) => !s.doneAt)
            ? ` (open: ${i.steps
                .filter((s) => !s.doneAt)
                .map((s) => s.step)
                .join(', ')})`
            : ''
        }`,
        i.evidence.map((e) => `sha256 ${e.sha256} (record ${e.evidenceSeq}, ${day(e.createdAt)})`).join('; ') || 'none',
        i.review ? `${i.review.by}, ${day(i.review.at)}: ${i.review.summary} Lessons: ${i.review.lessons}` : 'not yet reviewed',
      ]),
    },
    paragraphs: [`${incidents.length} incident(s); ${missed.length ? `clocks missed: ${missed.join(', ')}` : 'every clock due by the period end was met'}.`],
  };
}
