import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { IncidentRegister } from './incident-register.ts';
import { DEFAULT_INCIDENT_SETTINGS, type IncidentSettings } from './incident-settings.ts';
import { IncidentWebhooks, signatureHeader } from './incident-webhooks.ts';

const SECRET = 'whsec-test-0123456789abcdef';
const HOUR = 3_600_000;

/** A receiver that checks the signature as a customer's endpoint would; `failNext` answers 503 that many times. */
function receiver() {
  const received: Array<{ event: string; delivery: string; body: Record<string, unknown>; valid: boolean }> = [];
  let failNext = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['tenet-signature']));
      const expected = m ? createHmac('sha256', SECRET).update(`${m[1]}.${raw}`).digest() : Buffer.alloc(0);
      const valid = Boolean(m) && timingSafeEqual(expected, Buffer.from(m![2], 'hex')) && Math.abs(Date.now() / 1000 - Number(m![1])) < 300;
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      received.push({ event: String(req.headers['tenet-event']), delivery: String(req.headers['tenet-delivery']), body: JSON.parse(raw), valid });
      res.writeHead(valid ? 204 : 401).end();
    });
  });
  return {
    received,
    fail: (n: number) => (failNext = n),
    async start() {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tenet`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let h: DatabaseHandle;
const rx = receiver();
let settings: IncidentSettings;

beforeAll(async () => {
  h = await createTestDatabase();
  const url = await rx.start();
  settings = { ...DEFAULT_INCIDENT_SETTINGS, webhook: { url, secretEnv: 'TEST_INCIDENT_HOOK_SECRET', maxAttempts: 3, retryBaseMs: 50 } };
});
afterAll(async () => {
  await rx.close();
  await h?.close();
});

const env = { TEST_INCIDENT_HOOK_SECRET: SECRET };

describe('incident webhooks', () => {
  it('signs t.body with HMAC-SHA256', () => {
    expect(signatureHeader('k', '{}', 1700000000)).toBe(`t=1700000000,v1=${createHmac('sha256', 'k').update('1700000000.{}').digest('hex')}`);
  });

  it('sends one signed "opened" notice, even with two replicas ticking at once', async () => {
    const a = new IncidentWebhooks({ db: h.db, settings, env });
    const b = new IncidentWebhooks({ db: h.db, settings, env });
    const register = new IncidentRegister({ db: h.db, settings, evidence: new EvidenceStore(h.db), notifier: a });
    const i = await register.open(
      { title: 'Suspicious LWA token use', severity: 'critical', detectedAt: new Date().toISOString(), integrations: ['amazon_spapi'] },
      'officer',
    );
    await Promise.all([a.deliverDue(), b.deliverDue(), a.tick(), b.tick()]);
    const opened = rx.received.filter((r) => r.body.type === 'incident.opened' && (r.body.incident as { id: string }).id === i.id);
    expect(opened).toHaveLength(1);
    expect(opened[0].valid).toBe(true);
    expect(opened[0].event).toBe('opened');
    const n = (await register.get(i.id)).notifications;
    expect(n).toEqual([expect.objectContaining({ event: 'opened', attempts: 1, lastStatus: 204, lastError: null })]);
    expect(n[0].sentAt).not.toBeNull();
    // A replica that starts afterwards (a restart) finds the notice sent and sends nothing.
    const restarted = new IncidentWebhooks({ db: h.db, settings, env });
    expect(await restarted.tick()).toEqual({ enqueued: 0, sent: 0 });
    expect(rx.received.filter((r) => (r.body.incident as { id: string }).id === i.id)).toHaveLength(1);
    restarted.close();
    a.close();
    b.close();
  });

  it('warns once when a clock has two hours left, and retries a failed delivery with backoff, recording attempts', async () => {
    const slow = { ...settings, webhook: { ...settings.webhook!, retryBaseMs: 400 } };
    const hooks = new IncidentWebhooks({ db: h.db, settings: slow, env });
    const register = new IncidentRegister({ db: h.db, settings, evidence: new EvidenceStore(h.db) });
    // Detected 22.5 hours ago: the Amazon clock has 1.5 hours left.
    const i = await register.open(
      {
        title: 'Order export bucket briefly public',
        severity: 'high',
        detectedAt: new Date(Date.now() - 22.5 * HOUR).toISOString(),
        dataCategories: ['amazon-orders'],
      },
      'officer',
    );
    rx.fail(1);
    const first = await hooks.tick();
    expect(first).toEqual({ enqueued: 1, sent: 0 });
    let row = (await register.get(i.id)).notifications[0];
    expect(row).toMatchObject({ event: 'clock_due:amazon', attempts: 1, lastStatus: 503, lastError: 'answered 503', sentAt: null });
    // A second tick before the backoff has passed neither enqueues nor sends again.
    expect(await hooks.tick()).toEqual({ enqueued: 0, sent: 0 });
    // The retry comes by itself once the backoff has passed (a timer; the next tick would catch it too).
    for (let k = 0; k < 50 && !row.sentAt; k++) {
      await new Promise((r) => setTimeout(r, 100));
      row = (await register.get(i.id)).notifications[0];
    }
    expect(row).toMatchObject({ attempts: 2, lastStatus: 204, lastError: null });
    const due = rx.received.filter((r) => r.body.type === 'incident.clock_due' && (r.body.incident as { id: string }).id === i.id);
    expect(due).toHaveLength(1);
    expect(due[0].valid).toBe(true);
    expect(due[0].body.clock).toMatchObject({ party: 'amazon', hours: 24 });
    // Once Amazon is notified, no further warning is made for it.
    await register.recordNotification(i.id, 'amazon', { reference: 'AMZ-1' }, 'officer');
    expect((await hooks.tick()).enqueued).toBe(0);
    hooks.close();
  });

  it('a fresh notice is due on the clock of the process that claims it, even one behind the database', async () => {
    // Two seconds behind the database stands for the sub-millisecond gap between the database's now() and the
    // process's millisecond clock, which made a notice enqueued in a tick wait for the next one.
    const hooks = new IncidentWebhooks({ db: h.db, settings, env, now: () => Date.now() - 2000 });
    const register = new IncidentRegister({ db: h.db, settings, evidence: new EvidenceStore(h.db) });
    const i = await register.open(
      { title: 'Clock skew', severity: 'high', detectedAt: new Date(Date.now() - 23 * HOUR).toISOString(), dataCategories: ['amazon-orders'] },
      'officer',
    );
    expect(await hooks.tick()).toEqual({ enqueued: 1, sent: 1 });
    expect((await register.get(i.id)).notifications[0]).toMatchObject({ event: 'clock_due:amazon', attempts: 1, lastStatus: 204 });
    await register.recordNotification(i.id, 'amazon', { reference: 'AMZ-2' }, 'officer');
    hooks.close();
  });

  it('gives up after maxAttempts and never puts the secret in what it records', async () => {
    // A port nothing listens on: take one, then close it.
    const probe = http.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const hooks = new IncidentWebhooks({ db: h.db, settings: { ...settings, webhook: { ...settings.webhook!, url: `http://127.0.0.1:${port}/closed` } }, env });
    const register = new IncidentRegister({ db: h.db, settings, evidence: new EvidenceStore(h.db), notifier: hooks });
    const i = await register.open({ title: 'Closed port', severity: 'low', detectedAt: new Date().toISOString() }, 'officer');
    for (let k = 0; k < 3; k++) {
      await hooks.deliverDue();
      await new Promise((r) => setTimeout(r, 250));
    }
    const row = (await register.get(i.id)).notifications[0];
    expect(row.attempts).toBe(3);
    expect(row.gaveUpAt).not.toBeNull();
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    const all = JSON.stringify(await h.db.selectFrom('incident_notifications').selectAll().execute());
    expect(all).not.toContain(SECRET);
    hooks.close();
  });

  it('records a missing secret as the reason, naming the variable only', async () => {
    const hooks = new IncidentWebhooks({ db: h.db, settings, env: {} });
    const register = new IncidentRegister({ db: h.db, settings, evidence: new EvidenceStore(h.db), notifier: hooks });
    const i = await register.open({ title: 'No secret', severity: 'low', detectedAt: new Date().toISOString() }, 'officer');
    await hooks.deliverDue();
    expect((await register.get(i.id)).notifications[0].lastError).toBe('the environment variable TEST_INCIDENT_HOOK_SECRET (the webhook secret) is not set');
    hooks.close();
  });
});
