import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { uidKey, type Entity, type EntityUid } from './entity.ts';
import { indexEntity, type IndexedEntity } from './entity-slice.ts';

/**
 * Entity writes are serialised by a transaction-scoped advisory lock, so versions commit in the order they are
 * taken: without it, a replica could see version 11 commit before 10 and skip 10 for ever.
 */
async function lockEntityWrites(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(73010001)`.execute(trx);
}

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
  private readonly cache = new Map<string, IndexedEntity>();
  private lastVersion = '0';
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly listeners = new Set<(changed: EntityUid[]) => void>();
  private writeTransform: ((entity: Entity) => Entity) | undefined;

  constructor(props: { db: Db; logger: Logger; refreshMs?: number }) {
    this.db = props.db;
    this.logger = props.logger;
    this.refreshMs = props.refreshMs ?? 1000;
  }

  /** The highest entity version this replica has applied: decisions record it. */
  get version(): string {
    return this.lastVersion;
  }

  get size(): number {
    return this.cache.size;
  }

  lookup = (key: string): IndexedEntity | undefined => this.cache.get(key);

  get(uid: EntityUid): Entity | undefined {
    return this.cache.get(uidKey(uid))?.entity;
  }

  *all(type?: string): Iterable<Entity> {
    for (const e of this.cache.values()) if (!type || e.entity.uid.type === type) yield e.entity;
  }

  /**
   * Applied to every entity written through `upsert`: attributes Tenet owns (an Integration's `ready`, which the
   * control checks decide) cannot be overwritten by a caller pushing entities.
   */
  setWriteTransform(transform: ((entity: Entity) => Entity) | undefined): void {
    this.writeTransform = transform;
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
      .select(['type', 'id', 'attrs', 'parents', 'version', 'deleted'])
      .where(sql<boolean>`version > ${this.lastVersion}::bigint`)
      .orderBy(sql`version`)
      .execute();
    if (rows.length === 0) return;
    const changed: EntityUid[] = [];
    for (const row of rows) {
      const uid = { type: row.type, id: row.id };
      const key = uidKey(uid);
      if (row.deleted) this.cache.delete(key);
      else this.cache.set(key, indexEntity({ uid, attrs: row.attrs, parents: row.parents }));
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

  /** Bulk upsert in one transaction; the cache is updated before this returns (read-your-writes). */
  async upsert(entities: Entity[]): Promise<{ version: string; count: number }> {
    if (entities.length === 0) return { version: this.lastVersion, count: 0 };
    // Last write wins inside one request, as it would across requests.
    const transform = this.writeTransform;
    const unique = new Map(entities.map((e) => [uidKey(e.uid), transform ? transform(e) : e]));
    const values = [...unique.values()].map((e) => ({
      type: e.uid.type,
      id: e.uid.id,
      attrs: JSON.stringify(e.attrs),
      parents: JSON.stringify(e.parents),
      deleted: false,
    }));
    await this.db.transaction().execute(async (trx) => {
      await lockEntityWrites(trx);
      for (let i = 0; i < values.length; i += 500) {
        await trx
          .insertInto('entities')
          .values(values.slice(i, i + 500))
          .onConflict((oc) =>
            oc.columns(['type', 'id']).doUpdateSet({
              attrs: (eb) => eb.ref('excluded.attrs'),
              parents: (eb) => eb.ref('excluded.parents'),
              deleted: false,
              version: sql`nextval('entities_version')`,
              updated_at: sql`now()`,
            }),
          )
          .execute();
      }
    });
    await this.refresh();
    return { version: this.lastVersion, count: unique.size };
  }

  async remove(uid: EntityUid): Promise<boolean> {
    const result = await this.db.transaction().execute(async (trx) => {
      await lockEntityWrites(trx);
      return trx
        .updateTable('entities')
        .set({ deleted: true, version: sql`nextval('entities_version')`, updated_at: sql`now()` })
        .where('type', '=', uid.type)
        .where('id', '=', uid.id)
        .where('deleted', '=', false)
        .executeTakeFirst();
    });
    await this.refresh();
    return Number(result.numUpdatedRows) > 0;
  }
}
