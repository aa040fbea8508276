import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import type { ControlService } from './control-service.ts';

// A control with no evidence source configured here: it runs in milliseconds (not_applicable).
const QUICK = 'storage.s3-versioning';
// The webhook probe, pointed at a local endpoint that answers slowly: a run that lasts as long as the test needs.
const SLOW = 'webhooks.signature-validation';
const HOLD_MS = 700;
const LEASE_MS = 1_000;
const HEARTBEAT_MS = 200;

let t: TestApp;
let service: ControlService;
let endpoint: http.Server;

beforeAll(async () => {
  endpoint = http.createServer((req, res) => {
    req.resume();
    setTimeout(() => res.writeHead(400).end(), HOLD_MS);
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  const port = (endpoint.address() as AddressInfo).port;
  t = await startTestApp({
    controls: {
      settings: {
        runLeaseMs: LEASE_MS,
        runHeartbeatMs: HEARTBEAT_MS,
        probes: { allowedHosts: [`127.0.0.1:${port}`], webhooks: [{ name: 'slow', url: `http://127.0.0.1:${port}/hook`, provider: 'stripe' }] },
      },
      live: true,
    },
  });
  service = t.controls!;
});
afterAll(async () => {
  await t?.close();
  endpoint?.closeAllConnections();
  await new Promise((r) => endpoint?.close(r));
});

const noAbandoned = async () => {};
const row = async (id: string) =>
  (
    await sql<{ status: string; lease_expires_at: Date | null; evidence_seq: string | null; replica: string; summary: string | null }>`
    SELECT status, lease_expires_at, evidence_seq, replica, summary FROM control_runs WHERE id = ${id}`.execute(t.database.db)
  ).rows[0];
/** Makes a run's lease lapse now, as if its replica had died a lease ago. */
const lapse = (id: string) => sql`UPDATE control_runs SET lease_expires_at = now() - interval '1 millisecond' WHERE id = ${id}`.execute(t.database.db);
const tick = (() => {
  let s = Math.floor(Date.now() / 1000);
  return () => new Date(++s * 1000);
})();

describe('control run leases', () => {
  it('a claim holds a lease in the database clock; another replica cannot claim the control while it is live', async () => {
    const id = await service.runs.claim(QUICK, tick(), 'replica-a', LEASE_MS, noAbandoned);
    expect(id).not.toBeNull();
    const claimed = await row(id!);
    const dbNow = (await sql<{ now: Date }>`SELECT now() AS now`.execute(t.database.db)).rows[0].now;
    expect(claimed.status).toBe('running');
    expect(claimed.lease_expires_at!.getTime() - dbNow.getTime()).toBeGreaterThan(0);
    expect(claimed.lease_expires_at!.getTime() - dbNow.getTime()).toBeLessThanOrEqual(LEASE_MS + 50);
    // The next tick, on another replica: the live lease blocks it, and the run is not abandoned.
    expect(await service.runs.claim(QUICK, tick(), 'replica-b', LEASE_MS, noAbandoned)).toBeNull();
    expect((await row(id!)).status).toBe('running');

    // Renewal moves the lease on.
    const before = claimed.lease_expires_at!.getTime();
    await new Promise((r) => setTimeout(r, 50));
    expect(await service.runs.renew(id!, LEASE_MS)).toBe(true);
    expect((await row(id!)).lease_expires_at!.getTime()).toBeGreaterThan(before);
    await lapse(id!); // leave no live run behind for the next test
    await service.abandonLapsed();
  });

  it('a lapsed lease is abandoned, with an evidence record, and the next tick runs the control again', async () => {
    const dead = await service.runs.claim(QUICK, tick(), 'replica-dead', LEASE_MS, noAbandoned);
    expect(dead).not.toBeNull();
    await lapse(dead!);

    const rerun = await service.runScheduled(QUICK, tick());
    expect(rerun).not.toBeNull();
    expect(rerun!.id).not.toBe(dead);
    expect(rerun!.status).toBe('not_applicable');

    const abandoned = await row(dead!);
    expect(abandoned.status).toBe('abandoned');
    expect(abandoned.lease_expires_at).not.toBeNull(); // kept: when the lease lapsed
    expect(abandoned.summary).toContain('replica-dead');
    const record = await service.evidence.get(Number(abandoned.evidence_seq));
    expect(record).toMatchObject({ controlId: QUICK, source: 'tenet', payload: { runId: dead, status: 'abandoned', replica: 'replica-dead' } });
    // The abandonment is recorded before the re-run's result, and the chain stays valid.
    expect(Number(abandoned.evidence_seq)).toBeLessThan(rerun!.evidenceSeq!);
    expect(await service.evidence.verify()).toMatchObject({ ok: true });

    // An abandoned run is not a verdict: the control's latest run is the re-run.
    expect((await service.runs.latest()).get(QUICK)?.id).toBe(rerun!.id);
    const listed = await t.call(`/v1/controls/${QUICK}/runs?limit=5`, { role: 'auditor' });
    expect(listed.status).toBe(200);
    expect(listed.body.runs.find((r: { id: string }) => r.id === dead)).toMatchObject({ status: 'abandoned', evidenceSeq: Number(abandoned.evidence_seq) });

    // A late heartbeat from the dead run changes nothing: neither its abandonment nor the new run.
    const rerunRow = await row(rerun!.id);
    expect(await service.runs.renew(dead!, LEASE_MS)).toBe(false);
    expect(await row(dead!)).toEqual(abandoned);
    expect(await row(rerun!.id)).toEqual(rerunRow);
  });

  it('the sweep abandons a lapsed run without waiting for its control to tick, once', async () => {
    const dead = await service.runs.claim(QUICK, tick(), 'replica-dead-2', LEASE_MS, noAbandoned);
    await lapse(dead!);
    const [first, second] = await Promise.all([service.abandonLapsed(), service.abandonLapsed()]);
    expect([...first, ...second].map((r) => r.id)).toEqual([dead]);
    const records = await service.evidence.list({ controlId: QUICK });
    expect(records.filter((r) => (r.payload as { runId?: string }).runId === dead)).toHaveLength(1);
  });

  it('the running replica renews its lease while the run is in progress', async () => {
    const run = service.runScheduled(SLOW, tick());
    await new Promise((r) => setTimeout(r, 100));
    const { id } = (await sql<{ id: string }>`SELECT id FROM control_runs WHERE control_id = ${SLOW} AND status = 'running'`.execute(t.database.db)).rows[0];
    const first = (await row(id)).lease_expires_at!.getTime();
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 3));
    expect((await row(id)).lease_expires_at!.getTime()).toBeGreaterThan(first);
    const done = await run;
    expect(done).toMatchObject({ id, status: expect.stringMatching(/^(pass|fail)$/) });
    expect((await row(id)).lease_expires_at).toBeNull(); // a finished run holds no lease
  }, 20_000);

  it('a run abandoned while it was still going records nothing when it finishes; its abandonment stands', async () => {
    const run = service.runScheduled(SLOW, tick());
    await new Promise((r) => setTimeout(r, 100));
    const { id } = (await sql<{ id: string }>`SELECT id FROM control_runs WHERE control_id = ${SLOW} AND status = 'running'`.execute(t.database.db)).rows[0];
    // Its replica was cut off from the database for longer than a lease: another replica abandons the run.
    await lapse(id);
    expect((await service.abandonLapsed()).map((r) => r.id)).toEqual([id]);
    const abandoned = await row(id);

    const finished = await run;
    expect(finished).toMatchObject({ id, status: 'abandoned' });
    expect(await row(id)).toEqual(abandoned);
    const records = await service.evidence.list({ controlId: SLOW });
    expect(records.filter((r) => (r.payload as { runId?: string }).runId === id).map((r) => (r.payload as { status: string }).status)).toEqual(['abandoned']);
    expect(await service.evidence.verify()).toMatchObject({ ok: true });
  }, 20_000);
});
