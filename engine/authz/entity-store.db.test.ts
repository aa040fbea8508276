import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { createLogger } from '../kernel/logger.ts';
import { EntityStore, type WriteContext } from './entity-store.ts';
import type { Entity } from './entity.ts';

let h: DatabaseHandle;
const logger = createLogger({ level: 'silent' });
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

const listing = (id: string, tags?: Record<string, unknown>): Entity => ({
  uid: { type: 'Listing', id },
  attrs: { client: { __entity: { type: 'Client', id: 'chai-co' } } },
  parents: [{ type: 'Client', id: 'chai-co' }],
  ...(tags ? { tags } : {}),
});

describe('entity tags in the store', () => {
  it('round-trips tags through the database, to this replica and to a fresh one', async () => {
    const store = new EntityStore({ db: h.db, logger });
    const tags = { channel: 'amazon', owner: { __entity: { type: 'User', id: 'asha' } }, sizes: ['250g', '500g'], meta: { pinned: true, rank: 3 } };
    await store.upsert([listing('lst-tagged', tags), listing('lst-plain')]);
    expect(store.get({ type: 'Listing', id: 'lst-tagged' })).toEqual(listing('lst-tagged', tags));
    // No tags: no `tags` key, so entities compare as they did before tags existed.
    expect(store.get({ type: 'Listing', id: 'lst-plain' })).toEqual(listing('lst-plain'));
    expect(store.get({ type: 'Listing', id: 'lst-plain' })).not.toHaveProperty('tags');

    const row = await h.db.selectFrom('entities').select(['tags']).where('type', '=', 'Listing').where('id', '=', 'lst-tagged').executeTakeFirstOrThrow();
    expect(row.tags).toEqual(tags);

    const replica = new EntityStore({ db: h.db, logger });
    await replica.refresh();
    expect(replica.get({ type: 'Listing', id: 'lst-tagged' })).toEqual(listing('lst-tagged', tags));
    expect(replica.get({ type: 'Listing', id: 'lst-plain' })).not.toHaveProperty('tags');
  });

  it('a write replaces the tags whole: changed, removed with {} or by leaving tags out; replicas see each change', async () => {
    const store = new EntityStore({ db: h.db, logger });
    const replica = new EntityStore({ db: h.db, logger });
    const uid = { type: 'Listing', id: 'lst-changing' };
    await store.upsert([listing('lst-changing', { channel: 'amazon', region: 'eu' })]);
    await store.upsert([listing('lst-changing', { channel: 'flipkart' })]);
    await replica.refresh();
    expect(store.get(uid)?.tags).toEqual({ channel: 'flipkart' });
    expect(replica.get(uid)?.tags).toEqual({ channel: 'flipkart' });

    await store.upsert([listing('lst-changing', {})]);
    await replica.refresh();
    expect(store.get(uid)).toEqual(listing('lst-changing'));
    expect(replica.get(uid)).not.toHaveProperty('tags');

    await store.upsert([listing('lst-changing', { channel: 'amazon' })]);
    await store.upsert([listing('lst-changing')]);
    await replica.refresh();
    expect(replica.get(uid)).not.toHaveProperty('tags');
  });

  it('rows written before the tags column read as entities without tags', async () => {
    // As a row from before the migration: the insert names no tags, so the column default applies.
    await sql`INSERT INTO entities (type, id, attrs, parents) VALUES ('Agency', 'legacy-agency', '{}'::jsonb, '[]'::jsonb)`.execute(h.db);
    const store = new EntityStore({ db: h.db, logger });
    await store.refresh();
    expect(store.get({ type: 'Agency', id: 'legacy-agency' })).toEqual({ uid: { type: 'Agency', id: 'legacy-agency' }, attrs: {}, parents: [] });
  });

  it('the write transform sees the previous tags (a deleted entity too) and what it returns is stored with its tags', async () => {
    const store = new EntityStore({ db: h.db, logger });
    const seen: Array<WriteContext['previous']> = [];
    // Keeps the tags the entity had when the caller sends none.
    store.setWriteTransform(
      (e, ctx) => {
        seen.push(ctx.previous);
        return e.tags || !ctx.previous?.tags ? e : { ...e, tags: ctx.previous.tags };
      },
      ['Listing'],
    );
    await store.upsert([listing('lst-owned', { channel: 'amazon' })]);
    expect(seen).toEqual([undefined]);
    await store.remove({ type: 'Listing', id: 'lst-owned' });
    expect(store.get({ type: 'Listing', id: 'lst-owned' })).toBeUndefined();
    const result = await store.upsert([listing('lst-owned')]);
    expect(seen[1]).toEqual(listing('lst-owned', { channel: 'amazon' }));
    expect(result.kept).toEqual([]);
    expect(store.get({ type: 'Listing', id: 'lst-owned' })).toEqual(listing('lst-owned', { channel: 'amazon' }));
  });
});
