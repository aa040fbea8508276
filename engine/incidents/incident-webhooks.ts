import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Logger } from '../kernel/logger.ts';
import { redactMessage } from '../scanner/redaction.ts';
import type { Incident, IncidentNotifier } from './incident-register.ts';
import type { IncidentSettings } from './incident-settings.ts';

const HOUR = 3_600_000;
/** How long a sender holds a row it took; a crashed sender's row is taken again after this. */
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 15 * 60_000;

/** `tenet-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

type IncidentHead = Pick<Incident, 'id' | 'title' | 'severity' | 'detectedAt' | 'integrations' | 'dataCategories' | 'clocks'>;

/**
 * Signed webhooks about incidents: "incident.opened" when one opens, "incident.clock_due" when a notification clock
 * has `warnHoursBefore` (2) hours left and no notice is recorded. Every event is a row in incident_notifications,
 * unique per incident and event, so a second replica or a restart never makes a second one; a sender takes a row
 * with FOR UPDATE SKIP LOCKED and a lease, so two replicas never send the same row at once. A failed delivery is
 * retried with exponential backoff up to `maxAttempts`, each attempt's status recorded. Receivers see the row id in
 * `tenet-delivery`: a sender that crashes between the POST and recording it may send that row once more.
 * The secret is read from the environment variable the settings name, at send time; it is never stored or logged.
 */
export class IncidentWebhooks implements IncidentNotifier {
  private readonly db: Db;
  private readonly settings: IncidentSettings;
  private readonly env: Record<string, string | undefined>;
  private readonly logger?: Logger;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private running: Promise<number> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(props: {
    db: Db;
    settings: IncidentSettings;
    env?: Record<string, string | undefined>;
    logger?: Logger;
    fetch?: typeof fetch;
    now?: () => number;
  }) {
    this.db = props.db;
    this.settings = props.settings;
    this.env = props.env ?? process.env;
    this.logger = props.logger;
    this.fetch = props.fetch ?? globalThis.fetch;
    this.now = props.now ?? Date.now;
  }

  get configured(): boolean {
    return Boolean(this.settings.webhook);
  }

  async enqueueOpened(trx: Db, incident: IncidentHead): Promise<void> {
    await this.enqueue(trx, incident.id, 'opened', { type: 'incident.opened', incident: head(incident) });
  }

  kick(): void {
    if (!this.configured || this.closed) return;
    this.deliverDue().catch((error: Error) => this.logger?.error({ err: { message: redactMessage(error.message) } }, 'incident webhook delivery failed'));
  }

  /**
   * One tick: a "clock_due" event for every unnotified clock of an open incident within `warnHoursBefore` of its
   * deadline (or past it), then every delivery that is due. Safe to run on every replica at once.
   */
  async tick(): Promise<{ enqueued: number; sent: number }> {
    if (!this.configured) return { enqueued: 0, sent: 0 };
    const horizon = new Date(this.now() + this.settings.warnHoursBefore * HOUR);
    const due = await this.db
      .selectFrom('incident_clocks as c')
      .innerJoin('incidents as i', 'i.id', 'c.incident_id')
      .select(['c.incident_id', 'c.party', 'c.due_at', 'c.hours'])
      .where('c.notified_at', 'is', null)
      .where('i.status', '<>', 'closed')
      .where('c.due_at', '<=', horizon)
      .execute();
    let enqueued = 0;
    for (const c of due) {
      const incident = await this.db
        .selectFrom('incidents')
        .select(['id', 'title', 'severity', 'detected_at', 'integrations', 'data_categories'])
        .where('id', '=', c.incident_id)
        .executeTakeFirstOrThrow();
      const dueAt = new Date(c.due_at);
      const made = await this.enqueue(this.db, c.incident_id, `clock_due:${c.party}`, {
        type: 'incident.clock_due',
        incident: {
          id: incident.id,
          title: incident.title,
          severity: incident.severity,
          detectedAt: new Date(incident.detected_at).toISOString(),
          integrations: incident.integrations,
          dataCategories: incident.data_categories,
        },
        clock: { party: c.party, hours: c.hours, dueAt: dueAt.toISOString(), minutesLeft: Math.round((dueAt.getTime() - this.now()) / 60_000) },
      });
      if (made) enqueued++;
    }
    const sent = await this.deliverDue();
    return { enqueued, sent };
  }

  /** Sends every delivery whose next attempt is due; returns how many were sent. One pass at a time per process. */
  async deliverDue(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let sent = 0;
      do {
        this.again = false;
        for (;;) {
          const row = await this.claim();
          if (!row) break;
          if (await this.attempt(row)) sent++;
        }
      } while (this.again);
      return sent;
    })().finally(() => {
      this.running = undefined;
    });
    const sent = await this.running;
    await this.scheduleRetry();
    return sent;
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async enqueue(trx: Db, incidentId: string, event: string, payload: Record<string, unknown>): Promise<boolean> {
    if (!this.configured) return false;
    const at = new Date(this.now());
    const body = JSON.stringify({ ...payload, createdAt: at.toISOString() });
    // Due on this process's clock, the one `claim` compares with: the column's default (the database's now(), in
    // microseconds) can lie a fraction of a millisecond after the claim's millisecond time, leaving a fresh row
    // unclaimed until the next pass.
    const r = await trx
      .insertInto('incident_notifications')
      .values({ incident_id: incidentId, event, body, last_status: null, last_error: null, next_attempt_at: at })
      .onConflict((oc) => oc.columns(['incident_id', 'event']).doNothing())
      .executeTakeFirst();
    return Boolean(r.numInsertedOrUpdatedRows);
  }

  private async claim(): Promise<{ id: string; incident_id: string; event: string; body: string; attempts: number } | undefined> {
    const now = new Date(this.now());
    const lease = new Date(this.now() + LEASE_MS);
    const r = await sql<{ id: string; incident_id: string; event: string; body: string; attempts: number }>`
      UPDATE incident_notifications SET lease_until = ${lease}
      WHERE id = (
        SELECT id FROM incident_notifications
        WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ${now} AND (lease_until IS NULL OR lease_until < ${now})
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
      )
      RETURNING id, incident_id, event, body, attempts`.execute(this.db);
    return r.rows[0];
  }

  private async attempt(row: { id: string; event: string; body: string; attempts: number }): Promise<boolean> {
    const hook = this.settings.webhook!;
    const attempts = row.attempts + 1;
    let status: number | null = null;
    let error: string | null = null;
    const secret = this.env[hook.secretEnv];
    if (!secret) {
      error = `the environment variable ${hook.secretEnv} (the webhook secret) is not set`;
    } else {
      const t = Math.floor(this.now() / 1000);
      try {
        const res = await this.fetch(hook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'tenet-signature': signatureHeader(secret, row.body, t),
            'tenet-event': row.event.split(':')[0],
            'tenet-delivery': String(row.id),
          },
          body: row.body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
          redirect: 'manual',
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (status < 200 || status >= 300) error = `answered ${status}`;
      } catch (e) {
        error = redactMessage((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message, 300);
      }
    }
    const now = new Date(this.now());
    if (!error) {
      await this.db
        .updateTable('incident_notifications')
        .set({ attempts, last_status: status, last_error: null, last_attempt_at: now, sent_at: now, lease_until: null })
        .where('id', '=', row.id)
        .execute();
      return true;
    }
    const gaveUp = attempts >= hook.maxAttempts;
    const delay = Math.min(MAX_BACKOFF_MS, hook.retryBaseMs * 2 ** (attempts - 1));
    await this.db
      .updateTable('incident_notifications')
      .set({
        attempts,
        last_status: status,
        last_error: error,
        last_attempt_at: now,
        next_attempt_at: new Date(now.getTime() + delay),
        lease_until: null,
        ...(gaveUp ? { gave_up_at: now } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    this.logger?.warn({ delivery: row.id, event: row.event, attempts, status, gaveUp }, 'incident webhook not delivered');
    return false;
  }

  /** After a pass, wake up when the next retry is due (the tick catches it too, on any replica). */
  private async scheduleRetry(): Promise<void> {
    if (this.closed) return;
    const next = await this.db
      .selectFrom('incident_notifications')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('sent_at', 'is', null)
      .where('gave_up_at', 'is', null)
      .executeTakeFirst();
    if (!next?.at) return;
    const wait = Math.max(50, new Date(next.at as Date).getTime() - this.now());
    if (wait > MAX_BACKOFF_MS) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), wait);
    this.retryTimer.unref();
  }
}

function head(i: IncidentHead) {
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    detectedAt: i.detectedAt,
    integrations: i.integrations,
    dataCategories: i.dataCategories,
    clocks: i.clocks.map((c) => ({ party: c.party, hours: c.hours, dueAt: c.dueAt })),
  };
}

/** Runs `tick` every `everyMs` (default 30 s) until stopped; errors are logged, never thrown. */
export function startIncidentTicker(props: { webhooks: IncidentWebhooks; logger: Logger; everyMs?: number }): { stop(): Promise<void> } {
  let current: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (current) return;
    current = props.webhooks
      .tick()
      .catch((error: Error) => props.logger.error({ err: { message: redactMessage(error.message) } }, 'incident tick failed'))
      .finally(() => {
        current = undefined;
      });
  }, props.everyMs ?? 30_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      props.webhooks.close();
      await current;
    },
  };
}
