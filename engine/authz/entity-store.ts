import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { announce } from '../db/change-feed.ts';
import type { Logger } from '../kernel/logger.ts';
import { uidKey, withTags, type Entity, type EntityUid } from './entity.ts';

/**
 * Entity writes are serialised by a transaction-scoped advisory lock, so versions commit in the order they are
 * taken: without it, a replica could see version 11 commit before 10 and skip 10 for ever.
 */
async function lockEntityWrites(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(73010001)`.execute(trx);
}

/** What a write transform knows besides the entity being written. */
export interface WriteContext {
  /**
   * The entity as the database held it just before this write, read under the write lock — a deleted one too
   * (tombstones keep their attributes and tags), so deleting and re-creating an entity does not reset what Tenet
   * keeps.
   */
  previous: Entity | undefined;
  /** The writer may lift what only an administrator may (an integration's suspension). */
  privileged: boolean;
}

/**
 * Tenet's say over attributes it owns (an Integration's `provider`, `restricted`, `ready`, and `status` moving
 * away from `suspended`): given what a caller pushes, returns what is stored.
 */
export type WriteTransform = (entity: Entity, ctx: WriteContext) => Entity;

/**
 * The platform's entities (agencies, clients, users, integrations, orders, ...): a Postgres table, cached whole in
 * memory so a decision never waits on the database. Every write takes a new version from a sequence; each replica
 * polls for versions above the last it has seen, so a write on one replica reaches the others within one refresh.
 * Deletes are tombstones for the same reason.
 */
export class EntityStore {
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly refreshMs: number;
  private readonly cache = new Map<string, Entity>();
  private lastVersion = '0';
  private refreshedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly listeners = new Set<(changed: EntityUid[]) => void>();
  private writeTransform: { transform: WriteTransform; types: ReadonlySet<string> } | undefined;

  constructor(props: { db: Db; logger: Logger; refreshMs?: number }) {
    this.db = props.db;
    this.logger = props.logger;
    this.refreshMs = props.refreshMs ?? 1000;
  }

  /** The highest entity version this replica has applied: decisions record it. */
  get version(): string {
    return this.lastVersion;
  }

  /**
   * When a refresh last succeeded (ms since the epoch), undefined before the first. Decisions are made from memory,
   * so while the database is down they use entities at most `Date.now() - lastRefreshedAt` old (`/readyz`).
   */
  get lastRefreshedAt(): number | undefined {
    return this.refreshedAt;
  }

  get size(): number {
    return this.cache.size;
  }

  /** The stored entity; `tags` is present only when it has at least one. */
  get(uid: EntityUid): Entity | undefined {
    return this.cache.get(uidKey(uid));
  }

  *all(type?: string): Iterable<Entity> {
    for (const e of this.cache.values()) if (!type || e.uid.type === type) yield e;
  }

  /**
   * Applied to every entity of `types` written through `upsert`: attributes Tenet owns (an Integration's `ready`,
   * which the control checks decide, and the rest of WriteTransform) cannot be overwritten by a caller pushing
   * entities. What it changed is answered as `kept`, never silently.
   */
  setWriteTransform(transform: WriteTransform | undefined, types: readonly string[] = ['Integration']): void {
    this.writeTransform = transform ? { transform, types: new Set(types) } : undefined;
  }

  onChange(listener: (changed: EntityUid[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fetches every change since the last version seen (all rows on the first call). */
  refresh(): Promise<void> {
    // One refresh at a time; callers arriving meanwhile share it.
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const rows = await this.db
      .selectFrom('entities')
      .select(['type', 'id', 'attrs', 'parents', 'tags', 'version', 'deleted'])
      .where(sql<boolean>`version > ${this.lastVersion}::bigint`)
      .orderBy(sql`version`)
      .execute();
    this.refreshedAt = Date.now();
    if (rows.length === 0) return;
    const changed: EntityUid[] = [];
    for (const row of rows) {
      const uid = { type: row.type, id: row.id };
      const key = uidKey(uid);
      if (row.deleted) this.cache.delete(key);
      else this.cache.set(key, withTags({ uid, attrs: row.attrs, parents: row.parents }, row.tags));
      changed.push(uid);
    }
    this.lastVersion = rows[rows.length - 1].version;
    for (const l of this.listeners) l(changed);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        // Keep serving from the cache: a stale-by-seconds answer beats no answer, and writes retry next tick.
        this.logger.warn({ err: { message: (error as Error).message } }, 'entity refresh failed'),
      );
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Bulk upsert in one transaction; the cache is updated before this returns (read-your-writes). `kept` names
   * each attribute the write transform held against the pushed value, as `Type::id.attr`.
   */
  async upsert(entities: Entity[], props: { privileged?: boolean } = {}): Promise<{ version: string; count: number; kept: string[] }> {
    if (entities.length === 0) return { version: this.lastVersion, count: 0, kept: [] };
    // Last write wins inside one request, as it would across requests.
    const unique = new Map(entities.map((e) => [uidKey(e.uid), e]));
    const kept: string[] = [];
    await this.db.transaction().execute(async (trx) => {
      await lockEntityWrites(trx);
      const rule = this.writeTransform;
      const owned = rule ? [...unique.values()].filter((e) => rule.types.has(e.uid.type)) : [];
      if (rule && owned.length) {
        // Read under the lock: another replica's write (a suspension) committed just before is seen here.
        const previous = new Map<string, Entity>();
        const rows = await sql<{ type: string; id: string; attrs: Record<string, unknown>; parents: Entity['parents']; tags: Record<string, unknown> }>`
          SELECT e.type, e.id, e.attrs, e.parents, e.tags FROM entities e
          JOIN json_to_recordset(${JSON.stringify(owned.map((e) => e.uid))}::json) AS x(type text, id text)
            ON e.type = x.type AND e.id = x.id`.execute(trx);
        for (const r of rows.rows) previous.set(uidKey(r), withTags({ uid: { type: r.type, id: r.id }, attrs: r.attrs, parents: r.parents }, r.tags));
        for (const e of owned) {
          const key = uidKey(e.uid);
          const stored = rule.transform(e, { previous: previous.get(key), privileged: props.privileged === true });
          // Only what the caller sent and did not get: an attribute Tenet filled in was not asked for.
          for (const attr of Object.keys(e.attrs)) {
            if (JSON.stringify(e.attrs[attr]) !== JSON.stringify(stored.attrs[attr])) kept.push(`${e.uid.type}::${e.uid.id}.${attr}`);
          }
          unique.set(key, stored);
        }
      }
      const values = [...unique.values()].map((e) => ({
        type: e.uid.type,
        id: e.uid.id,
        attrs: JSON.stringify(e.attrs),
        parents: JSON.stringify(e.parents),
        tags: JSON.stringify(e.tags ?? {}),
        deleted: false,
      }));
      for (let i = 0; i < values.length; i += 500) {
        await trx
          .insertInto('entities')
          .values(values.slice(i, i + 500))
          .onConflict((oc) =>
            oc.columns(['type', 'id']).doUpdateSet({
              attrs: (eb) => eb.ref('excluded.attrs'),
              parents: (eb) => eb.ref('excluded.parents'),
              tags: (eb) => eb.ref('excluded.tags'),
              deleted: false,
              version: sql`nextval('entities_version')`,
              updated_at: sql`now()`,
            }),
          )
          .execute();
      }
      await announce(trx, 'entities');
    });
    await this.refresh();
    return { version: this.lastVersion, count: unique.size, kept };
  }

  async remove(uid: EntityUid): Promise<boolean> {
    const result = await this.db.transaction().execute(async (trx) => {
      await lockEntityWrites(trx);
      const updated = await trx
        .updateTable('entities')
        .set({ deleted: true, version: sql`nextval('entities_version')`, updated_at: sql`now()` })
        .where('type', '=', uid.type)
        .where('id', '=', uid.id)
        .where('deleted', '=', false)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0) await announce(trx, 'entities');
      return updated;
    });
    await this.refresh();
    return Number(result.numUpdatedRows) > 0;
  }
}
