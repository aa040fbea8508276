import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { parseControlSettings, type ControlSettings } from '../../controls/settings.ts';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { Entity } from '../authz/entity.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { ReadinessService } from './readiness.ts';
import { SettingsVersions } from './settings-versions.ts';

// Two replicas' settings for one integration: the first needs a control that passes, the second also one that
// never ran. Their readiness differs; the replicas share the database and (through the change feed) the stored
// Integration entities, modelled here by one map.
const passing = 'storage.s3-lifecycle';
const neverRun = 'pii.redaction-backfill';
const lax = parseControlSettings({ integrations: { amazon_spapi: { controls: [passing], restricted: true } } });
const strict = parseControlSettings({ integrations: { amazon_spapi: { controls: [passing, neverRun], restricted: true } } });
const uid = { type: 'Integration', id: 'amazon_spapi' };

let database: DatabaseHandle;
const stored = new Map<string, Entity>();
const entities = {
  all: () => [...stored.values()],
  get: (u: { id: string }) => stored.get(u.id),
  upsert: async (es: Entity[]) => {
    for (const e of es) stored.set(e.uid.id, replicaOf.get(e)?.enforce(e, { previous: stored.get(e.uid.id), privileged: false }) ?? e);
  },
};
const replicaOf = new Map<Entity, ReadinessService>();
const warnings: string[] = [];

function replica(settings: ControlSettings) {
  const versions = new SettingsVersions({ db: database.db, settings });
  const readiness = new ReadinessService({
    runs: { latest: async () => new Map([[passing, { status: 'pass', finishedAt: new Date().toISOString() }]]) as never },
    exceptions: { list: async () => [] },
    catalogue: CONTROLS_BY_ID,
    integrations: settings.integrations,
    entities: {
      ...entities,
      upsert: async (es: Entity[]) => {
        for (const e of es) replicaOf.set(e, readiness);
        await entities.upsert(es);
      },
    } as never,
    logger: { info: () => {}, warn: (_: unknown, m: string) => warnings.push(m) } as never,
    versions,
  });
  return { versions, readiness };
}
const ready = () => stored.get('amazon_spapi')?.attrs.ready;

beforeAll(async () => {
  database = await createTestDatabase();
  stored.set('amazon_spapi', { uid, attrs: { status: 'active' }, parents: [] });
});
afterAll(async () => {
  await database?.close();
});

describe('replicas with other control settings (a rollout)', () => {
  it('the settings started last decide readiness; the others follow what is stored, on their writes too', async () => {
    const old = replica(lax);
    await old.versions.register();
    await old.readiness.apply();
    expect(ready()).toBe(true);

    const fresh = replica(strict);
    await fresh.versions.register();
    await fresh.readiness.apply();
    expect(ready()).toBe(false);

    // the old replica recomputes (its interval, a notification): it does not write its own view back
    await old.readiness.apply();
    expect(ready()).toBe(false);
    expect(warnings).toContain('replicas run with other control settings, started more recently: this replica follows their readiness');
    // nor does a caller's push through the old replica make the integration ready
    const pushed = old.readiness.enforce(
      { uid, attrs: { status: 'active', ready: true }, parents: [] },
      { previous: stored.get('amazon_spapi'), privileged: false },
    );
    expect(pushed.attrs.ready).toBe(false);
    // a replica with the leading settings writes as before
    const twin = replica(strict);
    expect(twin.versions.digest).toBe(fresh.versions.digest);
    expect((await twin.versions.leads()).leads).toBe(true);
  });

  it('when the newest settings stop being seen (their replicas are gone), the older ones lead again', async () => {
    const old = replica(lax);
    const fresh = replica(strict);
    expect((await old.versions.leads()).leads).toBe(false);
    await sql`UPDATE control_settings_versions SET seen_at = now() - interval '1 hour' WHERE digest = ${fresh.versions.digest}`.execute(database.db);
    await old.readiness.apply();
    expect(ready()).toBe(true);
    expect((await old.versions.leads()).leader).toBe(old.versions.digest);
  });

  it('one set of settings, or none registered: every replica leads', async () => {
    const digestOf = (s: ControlSettings) => new SettingsVersions({ db: database.db, settings: s }).digest;
    // the digest is of the settings' content, not their key order
    expect(digestOf(parseControlSettings({ integrations: { amazon_spapi: { restricted: true, controls: [passing] } } }))).toBe(digestOf(lax));
    await sql`DELETE FROM control_settings_versions`.execute(database.db);
    expect((await replica(strict).versions.leads()).leads).toBe(true);
    expect((await replica(lax).versions.leads()).leads).toBe(true);
  });
});
