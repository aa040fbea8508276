import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { isDatabaseUnavailable, type Db } from '../db/database.ts';
import { announce } from '../db/change-feed.ts';
import { InputError, NotFoundError } from '../kernel/errors.ts';
import { ExpiringCache } from '../kernel/expiring-cache.ts';

/** How long a key's last known answer is served while the database is unreachable (see authenticate). */
const STALE_KEYS_MS = 15 * 60_000;

export const TENET_ROLES = ['admin', 'security_officer', 'auditor', 'service'] as const;
export type TenetRole = (typeof TENET_ROLES)[number];

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: TenetRole;
  prefix: string;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** `created_by` and `prefix` of the key made from TENET_BOOTSTRAP_TOKEN. */
const BOOTSTRAP_CREATOR = 'TENET_BOOTSTRAP_TOKEN';
const BOOTSTRAP_PREFIX = '(TENET_BOOTSTRAP_TOKEN)';

/**
 * API keys, each bound to one Tenet role. A key is shown once, when it is made; the database keeps its sha256
 * (the keys are 256-bit random, so a fast hash is enough: there is nothing to brute-force). Lookups are cached
 * `cacheMs` (`TENET_API_KEY_CACHE_MS`, 5 s). A revocation drops the cache here at once and on other replicas when
 * the change feed's notice arrives (`forgetCached`); a notice lost leaves a revoked key working on another replica
 * until its cached lookup expires, and a replica that cannot reach the database honours the keys it looked up in
 * the last 15 minutes (STALE_KEYS_MS), revoked meanwhile or not.
 */
export class ApiKeyStore {
  private readonly db: Db;
  private readonly cacheMs: number;
  private readonly cache = new ExpiringCache<ApiKeyInfo | undefined>();
  private readonly touched = new Set<string>();
  private touchTimer: NodeJS.Timeout | undefined;

  constructor(props: { db: Db; cacheMs?: number }) {
    this.db = props.db;
    this.cacheMs = props.cacheMs ?? 5_000;
  }

  async create(props: { name: string; role: TenetRole; createdBy?: string; key?: string; prefix?: string }): Promise<{ key: string; info: ApiKeyInfo }> {
    if (!TENET_ROLES.includes(props.role)) throw new InputError(`role must be one of ${TENET_ROLES.join(', ')}`);
    const key = props.key ?? `tnt_${props.role.replace('_', '')}_${randomBytes(32).toString('base64url')}`;
    const row = await this.db
      .insertInto('api_keys')
      .values({
        id: randomUUID(),
        name: props.name,
        role: props.role,
        key_hash: hashKey(key),
        // Tenet's own keys: `tnt_<role>_` and a few random characters, enough to tell keys apart.
        prefix: props.prefix ?? key.slice(0, 12),
        created_by: props.createdBy ?? null,
      })
      .onConflict((oc) => oc.column('key_hash').doNothing())
      .returningAll()
      .executeTakeFirst();
    const info = row ? toInfo(row) : await this.findByKey(key);
    if (!info) throw new Error('API key could not be stored');
    return { key, info };
  }

  /**
   * The key in TENET_BOOTSTRAP_TOKEN is an admin key only while the variable holds it: at start-up, the current
   * token is made a key (if it is not one yet) and every other key made from that variable — a rotated or removed
   * token — is revoked. Its `prefix` is the variable's name, never part of the token (an operator's chosen secret
   * need not start with a random part, unlike the keys Tenet makes). A bootstrap key an admin revoked stays revoked:
   * set a new token. Returns the active bootstrap key, if any.
   */
  async syncBootstrap(token: string | undefined): Promise<ApiKeyInfo | undefined> {
    const currentHash = token ? hashKey(token) : undefined;
    let q = this.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('created_by', '=', BOOTSTRAP_CREATOR).where('revoked_at', 'is', null);
    if (currentHash) q = q.where('key_hash', '!=', currentHash);
    const revoked = await q.returning('id').execute();
    if (revoked.length) {
      this.cache.clear();
      await announce(this.db, 'api_keys');
    }
    if (!token) return undefined;
    const { info } = await this.create({ name: 'bootstrap admin', role: 'admin', key: token, createdBy: BOOTSTRAP_CREATOR, prefix: BOOTSTRAP_PREFIX });
    // A row made by an earlier version listed the token's first characters: that part of the secret is dropped.
    if (info.prefix !== BOOTSTRAP_PREFIX) {
      await this.db.updateTable('api_keys').set({ prefix: BOOTSTRAP_PREFIX }).where('id', '=', info.id).execute();
      info.prefix = BOOTSTRAP_PREFIX;
    }
    return info.revokedAt ? undefined : info;
  }

  private async findByKey(key: string): Promise<ApiKeyInfo | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hashKey(key)).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  }

  /** The key's record if it exists and is not revoked. */
  async authenticate(key: string): Promise<ApiKeyInfo | undefined> {
    if (key.length < 20 || key.length > 200) return undefined;
    const hash = hashKey(key);
    const now = Date.now();
    const hit = this.cache.get(hash, now);
    let info: ApiKeyInfo | undefined;
    if (hit) info = hit.value;
    else {
      let row;
      try {
        row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
      } catch (error) {
        // The database cannot be asked: a key this replica looked up within the last STALE_KEYS_MS keeps its last
        // known answer, so authorization (which decides from memory) outlives a database outage. No key can be
        // created or revoked on this database while it is down; a key revoked through another replica that still
        // reaches it is honoured here for at most that long. Keys never seen stay unknown: the error stands.
        const stale = isDatabaseUnavailable(error) ? this.cache.getStale(hash, now, STALE_KEYS_MS) : undefined;
        if (!stale) throw error;
        return stale.value && !stale.value.revokedAt ? stale.value : undefined;
      }
      // Compare in constant time anyway: the lookup is by hash, but keep the habit where keys are compared.
      info = row && timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash)) ? toInfo(row) : undefined;
      this.cache.set(hash, info, now + this.cacheMs);
    }
    if (!info || info.revokedAt) return undefined;
    this.touch(info.id);
    return info;
  }

  /** last_used_at is written at most every few seconds per key, off the request path. */
  private touch(id: string): void {
    this.touched.add(id);
    this.touchTimer ??= setTimeout(() => {
      const ids = [...this.touched];
      this.touched.clear();
      this.touchTimer = undefined;
      this.db
        .updateTable('api_keys')
        .set({ last_used_at: new Date() })
        .where('id', 'in', ids)
        .execute()
        .catch(() => {});
    }, 5_000).unref();
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(toInfo);
  }

  async revoke(id: string): Promise<ApiKeyInfo> {
    const row = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('No active API key with that id.');
    this.cache.clear();
    await announce(this.db, 'api_keys');
    return toInfo(row);
  }

  /** Drops every cached lookup: another replica revoked a key (the change feed). */
  forgetCached(): void {
    this.cache.clear();
  }

  close(): void {
    clearTimeout(this.touchTimer);
  }
}

function toInfo(row: {
  id: string;
  name: string;
  role: TenetRole;
  prefix: string;
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
