import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { canonicalJson } from '../../evidence/ledger/canonical-json.ts';

/** A replica not seen for this long no longer counts (three of its 30 s marks). */
const LIVE_MS = 90_000;

/**
 * Which replica's control settings decide readiness. Replicas normally share one TENET_CONFIG_FILE; during a
 * rollout of a new one, old and new replicas run side by side and would compute readiness differently, each
 * rewriting the Integration entities in turn. Instead, the settings started most recently among the live ones lead:
 * their replicas write readiness, and the others adopt what is stored (ReadinessService). A replica is live while it
 * was seen within LIVE_MS (it marks itself seen every 30 s and at each readiness round).
 */
export class SettingsVersions {
  readonly digest: string;

  constructor(private readonly props: { db: Db; settings: unknown; liveMs?: number }) {
    this.digest = createHash('sha256').update(canonicalJson(props.settings)).digest('hex');
  }

  /** At start: these settings are now the newest. */
  async register(): Promise<void> {
    await sql`
      INSERT INTO control_settings_versions (digest, started_at, seen_at) VALUES (${this.digest}, now(), now())
      ON CONFLICT (digest) DO UPDATE SET started_at = now(), seen_at = now()`.execute(this.props.db);
  }

  /** Marks these settings seen (every replica, scheduler or not, every 30 s: setupControls). */
  async seen(): Promise<void> {
    await sql`UPDATE control_settings_versions SET seen_at = now() WHERE digest = ${this.digest}`.execute(this.props.db);
  }

  /**
   * Marks these settings seen and says whether they lead: the live settings started last (on a tie, the smallest
   * digest, so every replica picks the same one). A replica that never registered leads only when none did.
   */
  async leads(): Promise<{ leads: boolean; leader: string | undefined }> {
    const { db } = this.props;
    await this.seen();
    const r = await sql<{ digest: string }>`
      SELECT digest FROM control_settings_versions
      WHERE seen_at > now() - make_interval(secs => ${(this.props.liveMs ?? LIVE_MS) / 1000})
      ORDER BY started_at DESC, digest ASC LIMIT 1`.execute(db);
    const leader = r.rows[0]?.digest;
    // none live (this replica never registered, and no other did): nothing to follow
    return { leads: leader === undefined || leader === this.digest, leader };
  }
}
