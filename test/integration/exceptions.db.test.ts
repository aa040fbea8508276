import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();

let t: TestApp;
/** a second security officer's key: another person for the four-eyes rule */
let officer2: string;

beforeAll(async () => {
  t = await startTestApp({
    controls: { settings: { integrations: { amazon_spapi: { controls: ['storage.s3-versioning', 'pii.redaction-backfill'] } } } },
  });
  const made = await t.call('/v1/api-keys', { role: 'admin', body: { name: 'second officer', role: 'security_officer' } });
  expect(made.status).toBe(201);
  officer2 = made.body.key;
});
afterAll(async () => {
  await t?.close();
});

const body = (over: object = {}) => ({
  controlId: 'storage.s3-versioning',
  integrationId: 'amazon_spapi',
  reason: 'Versioning migration CHG-42 is in progress this sprint.',
  ticket: 'CHG-42',
  expiresAt: inDays(10),
  ...over,
});
const versioning = async () =>
  (await t.call('/v1/integrations', { role: 'auditor' })).body.integrations[0].controls.find(
    (c: { controlId: string }) => c.controlId === 'storage.s3-versioning',
  );

describe('exception routes', () => {
  it('refuses a request without a ticket, with a malformed ticket, or longer than the control severity allows, naming the limit', async () => {
    const { ticket: _omitted, ...noTicket } = body();
    const missing = await t.call('/v1/exceptions', { role: 'security_officer', body: noTicket });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/ticket/);
    expect((await t.call('/v1/exceptions', { role: 'security_officer', body: body({ ticket: 'ask Priya' }) })).status).toBe(400);

    const tooLong = await t.call('/v1/exceptions', { role: 'security_officer', body: body({ expiresAt: inDays(91) }) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/medium control lasts at most 90 days \(requirements\.exceptionMaxDays\.medium\)/);
    const critical = await t.call('/v1/exceptions', { role: 'security_officer', body: body({ controlId: 'pii.redaction-backfill', expiresAt: inDays(15) }) });
    expect(critical.status).toBe(400);
    expect(critical.body.error.message).toMatch(/at most 14 days/);
    expect((await t.call('/v1/exceptions', { role: 'security_officer', body: body({ controlId: 'storage.nothing' }) })).status).toBe(404);
  });

  it('one officer requests, the same officer cannot approve, a second officer approves and readiness counts it', async () => {
    const requested = await t.call('/v1/exceptions', { role: 'security_officer', body: body() });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ state: 'requested', active: false, ticket: 'CHG-42', requestedBy: expect.stringMatching(/test security_officer/) });
    const id = requested.body.id;
    expect(await versioning()).toMatchObject({ satisfied: false });

    // Auditors read the register but neither request nor decide.
    expect((await t.call('/v1/exceptions?all=true', { role: 'auditor' })).body.exceptions.map((e: { id: string }) => e.id)).toContain(id);
    expect((await t.call('/v1/exceptions', { role: 'auditor', body: body() })).status).toBe(403);
    expect((await t.call(`/v1/exceptions/${id}/approve`, { method: 'POST', role: 'auditor' })).status).toBe(403);
    expect((await t.call(`/v1/exceptions/${id}/approve`, { method: 'POST' })).status).toBe(401);

    const self = await t.call(`/v1/exceptions/${id}/approve`, { method: 'POST', role: 'security_officer' });
    expect(self.status).toBe(403);
    expect(self.body.error).toMatchObject({ code: 'four_eyes', message: expect.stringMatching(/You requested exception .*another person must approve it/) });
    const selfReject = await t.call(`/v1/exceptions/${id}/reject`, { role: 'security_officer', body: { reason: 'not needed after all' } });
    expect(selfReject.status).toBe(403);
    expect(await versioning()).toMatchObject({ satisfied: false });

    const approved = await t.call(`/v1/exceptions/${id}/approve`, { method: 'POST', key: officer2 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', active: true, approvedBy: expect.stringMatching(/second officer/), expiresSoon: false });
    expect(approved.body.approvedById).not.toBe(approved.body.requestedById);
    expect(await versioning()).toMatchObject({ satisfied: true, exception: { id } });
    expect((await t.call(`/v1/exceptions/${id}/approve`, { method: 'POST', role: 'admin' })).status).toBe(409);

    // Only exceptions in force without all=true.
    expect((await t.call('/v1/exceptions', { role: 'auditor' })).body.exceptions.map((e: { id: string }) => e.id)).toEqual([id]);

    expect((await t.call(`/v1/exceptions/${id}`, { method: 'DELETE', key: officer2 })).status).toBe(200);
    expect(await versioning()).toMatchObject({ satisfied: false });
    const all = (await t.call('/v1/exceptions?all=true', { role: 'auditor' })).body.exceptions;
    expect(all.find((e: { id: string }) => e.id === id)).toMatchObject({ state: 'revoked', active: false, revokedBy: expect.stringMatching(/second officer/) });
  });

  it('a second officer rejects with a reason; a rejected request never counts', async () => {
    const requested = await t.call('/v1/exceptions', { key: officer2, body: body() });
    const id = requested.body.id;
    expect((await t.call(`/v1/exceptions/${id}/reject`, { role: 'security_officer', body: { reason: 'short' } })).status).toBe(400);
    const rejected = await t.call(`/v1/exceptions/${id}/reject`, { role: 'security_officer', body: { reason: 'Turn versioning back on: it takes a minute.' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      state: 'rejected',
      rejectedBy: expect.stringMatching(/test security_officer/),
      rejectionReason: /versioning back on/,
    });
    expect((await t.call(`/v1/exceptions/${id}/approve`, { method: 'POST', role: 'admin' })).status).toBe(409);
    expect(await versioning()).toMatchObject({ satisfied: false });
  });

  it('flags an approved exception that expires within the warning window', async () => {
    const id = (await t.call('/v1/exceptions', { role: 'security_officer', body: body({ expiresAt: inDays(3) }) })).body.id;
    expect((await t.call(`/v1/exceptions/${id}/approve`, { method: 'POST', key: officer2 })).body).toMatchObject({ state: 'approved', expiresSoon: true });
    const listed = (await t.call('/v1/exceptions', { role: 'auditor' })).body.exceptions;
    expect(listed.find((e: { id: string }) => e.id === id)).toMatchObject({ expiresSoon: true });
  });
});
