import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import { canonicalJson } from '../../evidence/ledger/canonical-json.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import { sha256 } from './evidence-snapshot.ts';
import { clocksFor, incidentFacts, IncidentRegister } from './incident-register.ts';
import { DEFAULT_INCIDENT_SETTINGS } from './incident-settings.ts';

let h: DatabaseHandle;
let register: IncidentRegister;
let evidence: EvidenceStore;
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await createTestDatabase();
  evidence = new EvidenceStore(h.db);
  register = new IncidentRegister({ db: h.db, settings: DEFAULT_INCIDENT_SETTINGS, evidence });
  // A decision and a PII reveal by a person named by e-mail, an hour before detection: the snapshot counts them,
  // and masks the e-mail address.
  const at = new Date(Date.now() - 2 * HOUR);
  await h.db
    .insertInto('decisions')
    .values({
      id: 'd-incident-1',
      at,
      principal_type: 'User',
      principal_id: 'priya.sharma@example.com',
      action: 'reveal_buyer_pii',
      resource_type: 'Order',
      resource_id: 'o-1',
      decision: 'allow',
      reasons: '[]',
      errors: '[]',
      policy_hash: 'h',
      entity_version: '1',
      latency_us: 1,
      context_keys: '[]',
      request_id: null,
      caller: null,
    })
    .execute();
  await h.db
    .insertInto('pii_reveals')
    .values({
      decision_id: 'd-incident-1',
      at,
      principal_type: 'User',
      principal_id: 'priya.sharma@example.com',
      resource_type: 'Order',
      resource_id: 'o-1',
      agency_id: 'ag-1',
      client_id: 'cl-1',
      decision: 'allow',
      reasons: '[]',
      purpose: null,
      caller: null,
    })
    .execute();
});
afterAll(async () => h?.close());

const open = (over: Record<string, unknown> = {}) =>
  register.open(
    {
      title: 'Leaked SP-API refresh token',
      severity: 'high',
      detectedAt: new Date(Date.now() - HOUR).toISOString(),
      integrations: ['amazon_spapi'],
      dataCategories: ['amazon-buyer-pii'],
      tenants: [{ type: 'Agency', id: 'ag-1' }],
      credentials: ['LWA refresh token (ag-1)'],
      ...over,
    },
    'officer (key k1)',
  );

describe('clocks', () => {
  it('gives Amazon 24 hours when Amazon Information is involved, customers and Google as configured', () => {
    expect(clocksFor({ integrations: ['amazon_spapi'], dataCategories: [], tenants: [] }, DEFAULT_INCIDENT_SETTINGS)).toEqual([{ party: 'amazon', hours: 24 }]);
    expect(clocksFor({ integrations: [], dataCategories: ['Amazon order data'], tenants: [{}] }, DEFAULT_INCIDENT_SETTINGS)).toEqual([
      { party: 'amazon', hours: 24 },
      { party: 'customers', hours: 72 },
    ]);
    expect(clocksFor({ integrations: ['google_ads'], dataCategories: [], tenants: [] }, DEFAULT_INCIDENT_SETTINGS)).toEqual([{ party: 'google', hours: 24 }]);
    expect(clocksFor({ integrations: ['stripe'], dataCategories: [], tenants: [] }, { ...DEFAULT_INCIDENT_SETTINGS, clocks: { regulator: 72 } })).toEqual([
      { party: 'regulator', hours: 72 },
    ]);
  });
});

describe('the register', () => {
  it('opens an incident with the ten steps, the clocks, rotation tasks and an evidence snapshot in the chain', async () => {
    const i = await open({ title: 'Token leaked by buyer +91 98765 43210' });
    expect(i.id).toMatch(/^INC-\d{8}-[0-9A-F]{6}$/);
    expect(i.title).not.toMatch(/98765/);
    expect(i.steps).toHaveLength(10);
    expect(i.steps[0].doneBy).toBe('officer (key k1)');
    expect(i.steps.slice(1).every((s) => s.doneAt === null)).toBe(true);
    const amazon = i.clocks.find((c) => c.party === 'amazon')!;
    expect(new Date(amazon.dueAt).getTime() - new Date(i.detectedAt).getTime()).toBe(24 * HOUR);
    expect(amazon.state).toBe('running');
    expect(i.clocks.map((c) => c.party).sort()).toEqual(['amazon', 'customers']);
    expect(i.rotations.map((r) => r.credential)).toEqual(['LWA refresh token (ag-1)']);
    expect(i.evidence).toHaveLength(1);
    const e = i.evidence[0];
    expect(e.reason).toBe('open');
    expect(e.counts).toEqual({ decisions: 1, piiReveals: 1, controlRuns: 0 });
    // The chain record carries the snapshot's hash, and the stored snapshot hashes to it; no raw e-mail anywhere.
    const record = await evidence.get(e.evidenceSeq);
    expect(record!.hash).toBe(e.evidenceHash);
    expect((record!.payload as { sha256: string }).sha256).toBe(e.sha256);
    const row = await h.db.selectFrom('incident_evidence').select('snapshot').where('id', '=', e.id).executeTakeFirstOrThrow();
    expect(sha256(canonicalJson(row.snapshot))).toBe(e.sha256);
    expect(JSON.stringify(row.snapshot)).not.toContain('priya.sharma@example.com');
    expect(JSON.stringify(row.snapshot)).toContain('d-incident-1');
    expect((await evidence.verify()).ok).toBe(true);
  });

  it('refuses a detection time in the future and unknown incidents', async () => {
    await expect(open({ detectedAt: new Date(Date.now() + 2 * HOUR).toISOString() })).rejects.toThrow(/future/);
    await expect(register.get('INC-20260101-000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('works the checklist: rotation before step 4, notices before step 7, review before close', async () => {
    const i = await open();
    await expect(register.completeStep(i.id, 4, {}, 'o')).rejects.toThrow(/not rotated yet: LWA refresh token/);
    await register.completeRotation(i.id, i.rotations[0].id, 'o');
    expect((await register.completeStep(i.id, 4, { note: 'rotated' }, 'o')).steps[3].doneBy).toBe('o');
    await expect(register.completeStep(i.id, 4, {}, 'o')).rejects.toBeInstanceOf(ConflictError);
    const contained = await register.completeStep(i.id, 3, { note: 'revoked the app client' }, 'o');
    expect(contained.status).toBe('contained');
    await expect(register.completeStep(i.id, 7, {}, 'o')).rejects.toThrow(/no notification recorded for amazon, customers/);
    await register.recordNotification(i.id, 'amazon', { reference: 'AMZ-SEC-1234' }, 'o');
    await expect(register.recordNotification(i.id, 'amazon', { reference: 'again' }, 'o')).rejects.toBeInstanceOf(ConflictError);
    await expect(register.recordNotification(i.id, 'google', { reference: 'x' }, 'o')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      register.recordNotification(i.id, 'customers', { reference: 'x', notifiedAt: new Date(Date.now() - 5 * HOUR).toISOString() }, 'o'),
    ).rejects.toThrow(/before the incident was detected/);
    const notified = await register.recordNotification(i.id, 'customers', { reference: 'mail to agency ag-1' }, 'o');
    expect(notified.clocks.every((c) => c.state === 'met')).toBe(true);
    await register.completeStep(i.id, 7, {}, 'o');
    await expect(register.close(i.id, 'o')).rejects.toThrow(/without a post-incident review/);
    const again = await register.preserveEvidence(i.id, 'o');
    expect(again.evidence.map((e) => e.reason)).toEqual(['open', 'request']);
    const reviewed = await register.review(i.id, { summary: 'Token in a CI log', lessons: 'Mask CI output' }, 'o');
    expect(reviewed.steps[9].doneAt).not.toBeNull();
    const closed = await register.close(i.id, 'o');
    expect(closed.status).toBe('closed');
    await expect(register.completeStep(i.id, 8, {}, 'o')).rejects.toThrow(/is closed/);
    // The database refuses a closed incident without a review, whatever the code does.
    await expect(sql`UPDATE incidents SET reviewed_at = NULL WHERE id = ${i.id}`.execute(h.db)).rejects.toThrow(/check constraint/);
  });

  it('shows a clock overdue when nobody was notified in time, and late when notified after the deadline', async () => {
    const old = await open({ detectedAt: new Date(Date.now() - 30 * HOUR).toISOString(), tenants: [] });
    expect(old.clocks.map((c) => [c.party, c.state])).toEqual([['amazon', 'overdue']]);
    const late = await register.recordNotification(old.id, 'amazon', { reference: 'AMZ-late' }, 'o');
    expect(late.clocks[0].state).toBe('late');
    const facts = await incidentFacts(h.db, { days: 90 });
    expect(facts.incidents.find((x) => x.id === old.id)?.clocks[0].notifiedAt).not.toBeNull();
  });
});
