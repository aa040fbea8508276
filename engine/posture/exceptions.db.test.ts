import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { parseControlSettings } from '../../controls/settings.ts';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { migrateToLatest } from '../db/database.ts';
import { migrationProvider } from '../db/migrations/index.ts';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../kernel/errors.ts';
import { ControlExceptions, type ExceptionPerson } from './exceptions.ts';
import { ReadinessService } from './readiness.ts';
import { startControlScheduler } from './scheduler.ts';

const DAY = 86_400_000;
const sam: ExceptionPerson = { id: 'user:sam', name: 'Sam Security (user sam)' };
const ada: ExceptionPerson = { id: 'user:ada', name: 'Ada Admin (user ada)' };
// Two API keys with the same name are two identities; one key is one identity, whatever name it shows.
const samKey: ExceptionPerson = { id: 'key:0d5c', name: 'Sam Security (user sam)' };

const settings = parseControlSettings({ integrations: { amazon_spapi: { controls: ['pii.redaction-backfill', 'storage.s3-lifecycle'] } } });
let database: DatabaseHandle;
let exceptions: ControlExceptions;
let changes = 0;
const readiness = () =>
  new ReadinessService({
    // No control has run: only an exception can satisfy one.
    runs: { latest: async () => new Map() },
    exceptions,
    catalogue: CONTROLS_BY_ID,
    integrations: settings.integrations,
    entities: { all: () => [], upsert: async () => {}, get: () => undefined } as never,
    logger: { info: () => {} } as never,
  }).compute();

const ask = (over: Partial<Parameters<ControlExceptions['request']>[0]> = {}) =>
  exceptions.request({
    controlId: 'storage.s3-lifecycle',
    integrationId: 'amazon_spapi',
    reason: 'Lifecycle rule ships with release 42 next week.',
    ticket: 'SEC-42',
    expiresAt: new Date(Date.now() + 10 * DAY),
    requestedBy: sam,
    ...over,
  });

beforeAll(async () => {
  // Migrate to just before exception governance, record an exception the old way, then migrate the rest.
  database = await createTestDatabase({ migrate: false });
  const migrator = new Migrator({ db: database.db, provider: migrationProvider });
  const before = await migrator.migrateTo('0012_control_runs_latest');
  expect(before.error).toBeUndefined();
  await database.db
    .insertInto('control_exceptions')
    .values({
      id: 'legacy-1',
      control_id: 'pii.redaction-backfill',
      integration_id: 'amazon_spapi',
      reason: 'recorded and approved in one step, before requests existed',
      approved_by: 'Old Officer (key k1)',
      expires_at: new Date(Date.now() + 5 * DAY),
    } as never)
    .execute();
  await migrateToLatest(database.db);
  exceptions = new ControlExceptions({
    db: database.db,
    control: (id) => {
      const c = CONTROLS_BY_ID.get(id);
      if (!c) throw new NotFoundError(`no control ${id}`);
      return c;
    },
    integrations: settings.integrations,
    limits: { maxDays: settings.requirements.exceptionMaxDays, warnDays: settings.requirements.exceptionWarnDays },
    onChange: async () => void changes++,
  });
});
afterAll(async () => {
  await database?.close();
});

describe('control exceptions', () => {
  it('keeps an exception recorded before the migration: approved by its recorded approver, requester and ticket unknown', async () => {
    expect(await exceptions.get('legacy-1')).toMatchObject({
      state: 'approved',
      active: true,
      approvedBy: 'Old Officer (key k1)',
      approvedById: null,
      requestedBy: null,
      requestedById: null,
      ticket: null,
      // it expires in 5 days: within the 7-day warning
      expiresSoon: true,
    });
    const amazon = (await readiness()).find((r) => r.integrationId === 'amazon_spapi')!;
    expect(amazon.controls.find((c) => c.controlId === 'pii.redaction-backfill')).toMatchObject({
      satisfied: true,
      exception: { id: 'legacy-1', approvedBy: 'Old Officer (key k1)' },
    });
  });

  it('a request counts for nothing until another person approves it; its requester cannot approve or reject it', async () => {
    const before = changes;
    const e = await ask();
    expect(e).toMatchObject({ state: 'requested', active: false, requestedBy: sam.name, requestedById: 'user:sam', ticket: 'SEC-42', approvedBy: null });
    const lifecycle = async () =>
      (await readiness()).find((r) => r.integrationId === 'amazon_spapi')!.controls.find((c) => c.controlId === 'storage.s3-lifecycle');
    expect(await lifecycle()).toMatchObject({ satisfied: false });
    expect((await exceptions.list({ includeInactive: false })).map((x) => x.id)).not.toContain(e.id);
    expect((await exceptions.list()).map((x) => x.id)).toContain(e.id);

    await expect(exceptions.approve(e.id, sam)).rejects.toThrow(NotAllowedError);
    await expect(exceptions.approve(e.id, { id: 'user:sam', name: 'Someone Else' })).rejects.toThrow(/another person must approve/);
    await expect(exceptions.reject(e.id, sam, 'changed my mind entirely')).rejects.toThrow(NotAllowedError);
    expect((await exceptions.get(e.id)).state).toBe('requested');
    expect(changes).toBe(before);

    // The same display name through another identity (an API key) is another identity: the rule is by identity.
    const approved = await exceptions.approve(e.id, ada);
    expect(approved).toMatchObject({ state: 'approved', active: true, approvedBy: ada.name, approvedById: 'user:ada', requestedById: 'user:sam' });
    expect(approved.approvedAt).not.toBeNull();
    expect(changes).toBe(before + 1);
    expect(await lifecycle()).toMatchObject({ satisfied: true, exception: { id: e.id, approvedBy: ada.name } });
    await expect(exceptions.approve(e.id, samKey)).rejects.toThrow(ConflictError);

    await exceptions.revoke(e.id, ada.name);
    expect((await exceptions.get(e.id)).state).toBe('revoked');
    expect(await lifecycle()).toMatchObject({ satisfied: false });
  });

  it('the database refuses an approval by the requester even past the service', async () => {
    const e = await ask();
    await expect(
      database.db
        .updateTable('control_exceptions')
        .set({ state: 'approved', approved_by: 'x', approved_by_id: 'user:sam', approved_at: new Date() })
        .where('id', '=', e.id)
        .execute(),
    ).rejects.toThrow(/four_eyes/);
  });

  it('a rejected request never counts and cannot be approved later', async () => {
    const e = await ask();
    const rejected = await exceptions.reject(e.id, ada, 'Fix the rule instead: it is a one-line change.');
    expect(rejected).toMatchObject({
      state: 'rejected',
      rejectedBy: ada.name,
      rejectionReason: 'Fix the rule instead: it is a one-line change.',
      active: false,
    });
    await expect(exceptions.approve(e.id, samKey)).rejects.toThrow(/is rejected/);
    await expect(exceptions.revoke(e.id, ada.name)).rejects.toThrow(NotFoundError);
  });

  it('refuses a request without a ticket, with a malformed one, or longer than its control severity allows', async () => {
    await expect(ask({ ticket: '' })).rejects.toThrow(/ticket/);
    await expect(ask({ ticket: 'see the chat with Priya' })).rejects.toThrow(InputError);
    await expect(ask({ ticket: 'javascript:alert(1)' })).rejects.toThrow(InputError);
    for (const ticket of ['SEC-1', '#482', 'https://tickets.example/browse/SEC-1']) expect((await ask({ ticket })).ticket).toBe(ticket);

    // critical: 14 days
    await expect(ask({ controlId: 'pii.redaction-backfill', expiresAt: new Date(Date.now() + 15 * DAY) })).rejects.toThrow(
      /critical control lasts at most 14 days \(requirements\.exceptionMaxDays\.critical\)/,
    );
    expect((await ask({ controlId: 'pii.redaction-backfill', expiresAt: new Date(Date.now() + 13 * DAY) })).state).toBe('requested');
    // medium: 90 days
    await expect(ask({ expiresAt: new Date(Date.now() + 91 * DAY) })).rejects.toThrow(/at most 90 days/);
    expect((await ask({ expiresAt: new Date(Date.now() + 89 * DAY) })).state).toBe('requested');
    await expect(ask({ expiresAt: new Date(Date.now() - 1000) })).rejects.toThrow(/future/);
    await expect(ask({ integrationId: 'nowhere' })).rejects.toThrow(/not a configured integration/);
    await expect(ask({ controlId: 'storage.nothing' })).rejects.toThrow(NotFoundError);
  });

  it('flags and logs, once a day, the approved exceptions expiring within the warning window', async () => {
    const far = await exceptions.approve((await ask({ expiresAt: new Date(Date.now() + 30 * DAY) })).id, ada);
    const near = await exceptions.approve((await ask({ expiresAt: new Date(Date.now() + 2 * DAY) })).id, ada);
    const pendingNear = await ask({ expiresAt: new Date(Date.now() + 2 * DAY) });
    expect(far.expiresSoon).toBe(false);
    expect(near.expiresSoon).toBe(true);
    expect(pendingNear.expiresSoon).toBe(false);
    const soon = (await exceptions.expiringSoon()).map((e) => e.id);
    expect(soon).toEqual(expect.arrayContaining([near.id, 'legacy-1']));
    expect(soon).not.toContain(far.id);
    expect(soon).not.toContain(pendingNear.id);

    const logged: Array<{ obj: { exceptions: Array<Record<string, unknown>> }; msg: string }> = [];
    const logger = { warn: (obj: never, msg: string) => void logged.push({ obj, msg }) };
    const today = new Date();
    expect(await exceptions.warnExpiring(logger as never, today)).toBe(soon.length);
    expect(await exceptions.warnExpiring(logger as never, new Date(today.getTime() + 60_000))).toBe(0);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toMatch(/expire within 7 days/);
    const entry = logged[0]!.obj.exceptions.find((e) => e.id === near.id)!;
    expect(entry).toMatchObject({ controlId: 'storage.s3-lifecycle', integrationId: 'amazon_spapi', daysLeft: 2 });
    // Free text (the reason) and people's names stay out of the log.
    expect(JSON.stringify(logged)).not.toMatch(/release 42|Sam Security|Ada Admin/);
    // The next day it is logged again.
    expect(await exceptions.warnExpiring(logger as never, new Date(today.getTime() + DAY))).toBeGreaterThan(0);
  });

  it('the scheduler logs the expiry warning when it starts, and not again the same day', async () => {
    const fresh = new ControlExceptions({
      db: database.db,
      control: (id) => CONTROLS_BY_ID.get(id)!,
      integrations: settings.integrations,
      limits: { maxDays: settings.requirements.exceptionMaxDays, warnDays: settings.requirements.exceptionWarnDays },
      onChange: async () => {},
    });
    const warnings: string[] = [];
    const logger = { warn: (_: unknown, msg: string) => void warnings.push(msg), info: () => {}, error: () => {} };
    // No control to schedule: only the readiness tick runs (every 20 ms here).
    const service = { catalogue: new Map(), applyReadiness: async () => [], abandonLapsed: async () => [] };
    const scheduler = startControlScheduler({ service: service as never, logger: logger as never, readinessEveryMs: 20, exceptions: fresh });
    try {
      await expect.poll(() => warnings.length).toBe(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/control exception\(s\) expire within 7 days/);
    } finally {
      await scheduler.stop();
    }
  });
});
