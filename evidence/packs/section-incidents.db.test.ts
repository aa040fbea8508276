import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../../engine/db/database.ts';
import { IncidentRegister } from '../../engine/incidents/incident-register.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../engine/incidents/incident-settings.ts';
import { EvidenceStore } from '../ledger/evidence-store.ts';
import { incidentSection } from './section-incidents.ts';

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

const HOUR = 3_600_000;

it('lists the incidents of the period with clocks met or missed, steps, evidence hashes and the review', async () => {
  const from = new Date(Date.now() - 48 * HOUR);
  expect((await incidentSection({ db: h.db, settings: DEFAULT_INCIDENT_SETTINGS, profile: 'sp-api', from, to: new Date() })).paragraphs).toEqual([
    'No incidents were recorded in the period.',
  ]);
  const register = new IncidentRegister({ db: h.db, settings: DEFAULT_INCIDENT_SETTINGS, evidence: new EvidenceStore(h.db) });
  const late = await register.open(
    { title: 'Buyer export left public', severity: 'critical', detectedAt: new Date(Date.now() - 30 * HOUR).toISOString(), integrations: ['amazon_spapi'] },
    'officer',
  );
  const ok = await register.open(
    { title: 'Stripe key in a log', severity: 'medium', detectedAt: new Date(Date.now() - HOUR).toISOString(), integrations: ['stripe'] },
    'officer',
  );
  await register.review(ok.id, { summary: 'Key rotated', lessons: 'Scan logs' }, 'officer');
  await register.close(ok.id, 'officer');
  const section = await incidentSection({ db: h.db, settings: DEFAULT_INCIDENT_SETTINGS, profile: 'sp-api', from, to: new Date() });
  expect(section.id).toBe('incidents');
  const rows = section.table!.rows;
  expect(rows).toHaveLength(2);
  const lateRow = rows.find((r) => r[0].startsWith(late.id))!;
  expect(lateRow[4]).toMatch(/^amazon 24 h: MISSED \(not notified\)/);
  expect(lateRow[5]).toBe('1 of 10 (open: 2, 3, 4, 5, 6, 7, 8, 9, 10)');
  expect(lateRow[6]).toContain(`sha256 ${late.evidence[0].sha256} (record ${late.evidence[0].evidenceSeq}`);
  expect(lateRow[7]).toBe('not yet reviewed');
  const okRow = rows.find((r) => r[0].startsWith(ok.id))!;
  expect(okRow[3]).toMatch(/^closed /);
  expect(okRow[7]).toMatch(/officer, .*: Key rotated Lessons: Scan logs/);
  expect(section.paragraphs![0]).toBe(`2 incident(s); clocks missed: ${late.id} amazon.`);
  expect(section.intro).toContain('notice to Amazon within 24 hours');
  // A Google pack names no Amazon duty.
  const google = await incidentSection({ db: h.db, settings: DEFAULT_INCIDENT_SETTINGS, profile: 'google', from, to: new Date() });
  expect(google.intro).not.toMatch(/Amazon/);
  // An incident closed before the period is not in it.
  expect(
    (
      await incidentSection({
        db: h.db,
        settings: DEFAULT_INCIDENT_SETTINGS,
        profile: 'sp-api',
        from: new Date(Date.now() + 1000),
        to: new Date(Date.now() + 2000),
      })
    ).table!.rows,
  ).toHaveLength(1);
});
