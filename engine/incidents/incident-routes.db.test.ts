import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import { setupIncidents } from '../main/setup-incidents.ts';
import { parseControlSettings } from '../../controls/settings.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ controls: {} });
});
afterAll(async () => app?.close());

const HOUR = 3_600_000;

describe('incident routes', () => {
  it('lets a security officer run an incident from open to close, and an auditor only read it', async () => {
    const opened = await app.call('/v1/incidents', {
      role: 'security_officer',
      body: {
        title: 'SP-API refresh token in a build log',
        severity: 'high',
        detectedAt: new Date(Date.now() - HOUR).toISOString(),
        integrations: ['amazon_spapi'],
        tenants: [{ type: 'Agency', id: 'agency-1' }],
        credentials: ['LWA client secret'],
      },
    });
    expect(opened.status).toBe(201);
    const id = opened.body.id as string;
    expect(opened.body.clocks.map((c: { party: string }) => c.party).sort()).toEqual(['amazon', 'customers']);
    expect(opened.body.evidence).toHaveLength(1);

    expect((await app.call(`/v1/incidents/${id}`, { role: 'auditor' })).status).toBe(200);
    expect((await app.call('/v1/incidents', { role: 'auditor' })).body.incidents.map((i: { id: string }) => i.id)).toContain(id);
    expect((await app.call(`/v1/incidents/${id}/review`, { role: 'auditor', body: { summary: 's', lessons: 'l' } })).status).toBe(403);
    expect((await app.call(`/v1/incidents/${id}`, { role: 'service' })).status).toBe(403);

    const so = (path: string, body?: unknown) => app.call(`/v1/incidents/${id}${path}`, { role: 'security_officer', method: 'POST', body });
    expect((await so('/steps/3', { note: 'app client revoked' })).body.status).toBe('contained');
    expect((await so('/steps/11', {})).status).toBe(400);
    expect((await so('/notifications/amazon', {})).status).toBe(400);
    const amazon = await so('/notifications/amazon', { reference: 'AMZ-SEC-77' });
    expect(amazon.body.clocks.find((c: { party: string }) => c.party === 'amazon')).toMatchObject({ state: 'met', reference: 'AMZ-SEC-77' });
    const rotation = opened.body.rotations[0].id as string;
    expect((await so(`/rotations/${rotation}/done`)).body.rotations[0].doneAt).not.toBeNull();
    expect((await so('/rotations', { credential: 'LWA client secret' })).status).toBe(409);
    expect((await so('/evidence')).status).toBe(201);
    const refused = await so('/close');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/without a post-incident review/);
    expect((await so('/review', { summary: 'A CI step echoed the secret', lessons: 'Mask secrets in CI' })).status).toBe(200);
    const closed = await so('/close');
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect((await app.call('/v1/incidents/INC-1', { role: 'auditor' })).status).toBe(400);
    expect((await app.call('/v1/incidents/INC-20260101-ABCDEF', { role: 'auditor' })).status).toBe(404);
  });

  it('feeds incident.notification-on-time through the control service: an overdue Amazon clock fails it', async () => {
    const before = await app.controls!.runNow(['incident.notification-on-time'], { trigger: 'manual' });
    expect(before[0].status).toBe('pass');
    const late = await app.call('/v1/incidents', {
      role: 'security_officer',
      body: {
        title: 'Order export left public',
        severity: 'critical',
        detectedAt: new Date(Date.now() - 30 * HOUR).toISOString(),
        integrations: ['amazon_spapi'],
      },
    });
    expect(late.status).toBe(201);
    const [run] = await app.controls!.runNow(['incident.notification-on-time'], { trigger: 'manual' });
    expect(run.status).toBe('fail');
    expect(run.findings.map((f) => f.message).join('\n')).toContain(`${late.body.id}: amazon not notified; the deadline passed 6 h ago`);
  });

  it('refuses bad input with a clear 400', async () => {
    const r = await app.call('/v1/incidents', { role: 'admin', body: { title: 'x', severity: 'urgent', detectedAt: 'yesterday' } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.error)).toMatch(/severity|detectedAt/);
  });

  it('refuses to start with a webhook whose secret variable is not set, naming the variable', () => {
    const settings = parseControlSettings({ incidents: { webhook: { url: 'https://hooks.example/tenet', secretEnv: 'TENET_TEST_UNSET_HOOK_SECRET' } } });
    expect(() => setupIncidents({ db: app.database.db, settings: settings.incidents, env: {} })).toThrow(
      "incidents.webhook.secretEnv: the environment variable TENET_TEST_UNSET_HOOK_SECRET (the webhook's signing secret) is not set",
    );
    expect(setupIncidents({ db: app.database.db, settings: settings.incidents, env: { TENET_TEST_UNSET_HOOK_SECRET: 'x' } }).routes.webhookConfigured).toBe(
      true,
    );
  });
});
