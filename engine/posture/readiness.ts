import type { ControlDefinition, ControlStatus } from '../../controls/define-control.ts';
import type { EntityStore } from '../authz/entity-store.ts';
import type { Entity } from '../authz/entity.ts';
import type { Logger } from '../kernel/logger.ts';
import { statusOf, type ControlRuns } from './control-runs.ts';
import type { SettingsVersions } from './settings-versions.ts';

export interface ExceptionRow {
  id: string;
  controlId: string;
  integrationId: string | null;
  reason: string;
  /**
   * Where the exception stands when read (engine/posture/exceptions.ts): only `approved` (approved by a second
   * person, not revoked, not expired) counts for readiness.
   */
  state: 'requested' | 'approved' | 'rejected' | 'expired' | 'revoked';
  /** null while requested or when rejected */
  approvedBy: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface IntegrationReadiness {
  integrationId: string;
  ready: boolean;
  controls: Array<{
    controlId: string;
    status: ControlStatus | 'never_run' | 'unknown_control';
    /** counts toward readiness: passing and fresh, or covered by an active exception */
    satisfied: boolean;
    exception?: { id: string; approvedBy: string; reason: string; expiresAt: string };
    lastRunAt?: string;
  }>;
  /** human-readable reasons it is not ready */
  blockers: string[];
  /** ready only because approved exceptions cover controls that do not pass (`controls[].exception`) */
  byException: boolean;
}

const activeException = (e: ExceptionRow, integrationId: string, controlId: string, now: number): boolean =>
  e.state === 'approved' &&
  e.controlId === controlId &&
  (e.integrationId === null || e.integrationId === integrationId) &&
  e.revokedAt === null &&
  Date.parse(e.expiresAt) > now;

/**
 * Ready = every control the integration needs passes and is fresh, or has an approved exception that has not
 * expired (and was not revoked). A control that never ran, errored, failed or went stale blocks readiness.
 */
function computeReadiness(props: {
  integrations: Record<string, { controls: string[] }>;
  status: (controlId: string) => { status: ControlStatus | 'never_run' | 'unknown_control'; lastRunAt?: string };
  exceptions: ExceptionRow[];
  now?: number;
}): IntegrationReadiness[] {
  const now = props.now ?? Date.now();
  return Object.entries(props.integrations).map(([integrationId, { controls }]) => {
    const rows = controls.map((controlId) => {
      const { status, lastRunAt } = props.status(controlId);
      const ex = props.exceptions.find((e) => activeException(e, integrationId, controlId, now));
      const satisfied = status === 'pass' || Boolean(ex);
      return {
        controlId,
        status,
        satisfied,
        ...(lastRunAt ? { lastRunAt } : {}),
        ...(ex ? { exception: { id: ex.id, approvedBy: ex.approvedBy ?? 'unknown', reason: ex.reason, expiresAt: ex.expiresAt } } : {}),
      };
    });
    const blockers = rows
      .filter((r) => !r.satisfied)
      .map((r) => `${r.controlId} is ${r.status.replace('_', ' ')}${r.status === 'stale' ? ' (its last result is older than it may be)' : ''}`);
    const ready = blockers.length === 0;
    return { integrationId, ready, controls: rows, blockers, byException: ready && rows.some((r) => r.status !== 'pass' && r.exception) };
  });
}

/** The `status` that only an administrator may move an integration away from (policy `forbid-integration-suspended`). */
const SUSPENDED = 'suspended';

/**
 * What Tenet keeps on an Integration entity, whatever a caller pushes (the entity store's write transform):
 * - a configured integration (settings `integrations`) gets `provider` and `restricted` from the settings and
 *   `ready` from its posture (`computedReady`; not computed yet = not ready);
 * - an integration that is not configured but says it is restricted is never ready (no controls vouch for it);
 * - `status` moves only toward `suspended`: once stored as suspended (a deleted entity's last state counts), a
 *   push of another status keeps `suspended`, and a status other than `suspended` does not replace another one,
 *   unless the writer is privileged (an administrator's key): lifting a suspension is an administrator's act.
 *   An integration's first write sets its status.
 */
export function enforceIntegration(props: {
  entity: Entity;
  configured: { provider?: string; restricted: boolean } | undefined;
  computedReady: boolean | undefined;
  previous: Entity | undefined;
  privileged: boolean;
}): Entity {
  const { entity: e, configured, previous } = props;
  if (e.uid.type !== 'Integration') return e;
  const attrs = { ...e.attrs };
  if (configured) {
    attrs.provider = configured.provider ?? e.uid.id;
    attrs.restricted = configured.restricted;
    attrs.ready = props.computedReady ?? false;
  } else if (attrs.restricted === true) {
    attrs.ready = false;
  }
  const before = previous?.attrs.status;
  if (!props.privileged && typeof before === 'string' && attrs.status !== before && attrs.status !== SUSPENDED) attrs.status = before;
  const changed = Object.keys(attrs).some((k) => attrs[k] !== e.attrs[k]);
  return changed ? { ...e, attrs } : e;
}

/**
 * Readiness of the configured integrations, kept in their `Integration` entities: recomputed after runs and
 * exception changes (and on an interval by the scheduler), and enforced on every entity write by `enforce`, which
 * the composition root installs as the entity store's write transform for Integration entities.
 */
export class ReadinessService {
  /** Readiness as last computed, by integration id: `enforce` writes it. */
  private readiness = new Map<string, boolean>();
  private running: Promise<IntegrationReadiness[]> | undefined;
  private queued: Promise<IntegrationReadiness[]> | undefined;
  /** the leading settings' digest while this replica's settings do not lead (it then follows what is stored) */
  private following: string | undefined;

  constructor(
    private readonly props: {
      runs: Pick<ControlRuns, 'latest'>;
      exceptions: { list(props: { includeInactive: boolean }): Promise<ExceptionRow[]> };
      catalogue: ReadonlyMap<string, Pick<ControlDefinition, 'freshFor'>>;
      integrations: Record<string, { controls: string[]; provider?: string; restricted: boolean }>;
      entities: Pick<EntityStore, 'all' | 'upsert' | 'get'>;
      logger: Logger;
      /** replicas with other control settings (a rollout): absent, this replica's settings always lead */
      versions?: Pick<SettingsVersions, 'leads'>;
    },
  ) {}

  async compute(now = Date.now()): Promise<IntegrationReadiness[]> {
    const latest = await this.props.runs.latest();
    const exceptions = await this.props.exceptions.list({ includeInactive: true });
    return computeReadiness({
      integrations: this.props.integrations,
      exceptions,
      now,
      status: (id) => {
        const c = this.props.catalogue.get(id);
        if (!c) return { status: 'unknown_control' };
        const last = latest.get(id);
        return { status: statusOf(c, last, now), lastRunAt: last?.finishedAt ?? undefined };
      },
    });
  }

  /**
   * Recomputes readiness and writes `ready` into the Integration entities whose value changed. Calls are
   * serialised; a call made while one is running gets the next computation (which sees everything finished before
   * it was asked for), and calls made while that one waits share it.
   */
  apply(): Promise<IntegrationReadiness[]> {
    if (this.queued) return this.queued;
    const previous = this.running;
    const queued = (async () => {
      await previous?.catch(() => {});
      this.queued = undefined;
      const running = this.computeAndWrite();
      this.running = running;
      return running;
    })();
    this.queued = queued;
    return queued;
  }

  private async computeAndWrite(): Promise<IntegrationReadiness[]> {
    const result = await this.compute();
    const lead = this.props.versions ? await this.props.versions.leads() : { leads: true, leader: undefined };
    if (!lead.leads) {
      // Other settings lead (newer replicas of a rollout): their replicas write readiness; this one keeps what they
      // stored, on its writes too (enforce), rather than rewriting it with its own view.
      if (this.following !== lead.leader)
        this.props.logger.warn(
          { leader: lead.leader },
          'replicas run with other control settings, started more recently: this replica follows their readiness',
        );
      this.following = lead.leader ?? 'none';
      return result;
    }
    if (this.following) this.props.logger.info("this replica's control settings lead again: it writes readiness");
    this.following = undefined;
    this.readiness = new Map(result.map((r) => [r.integrationId, r.ready]));
    // Stored entities that disagree with what Tenet owns (readiness changed; settings changed since they were
    // written) are rewritten; the write transform itself decides the values, here as on every push.
    const { entities } = this.props;
    const changed: Entity[] = [];
    for (const e of entities.all('Integration')) {
      if (this.enforce(e, { previous: e, privileged: false }) !== e) changed.push(e);
    }
    if (changed.length) {
      await entities.upsert(changed);
      this.props.logger.info({ integrations: changed.map((e) => `${e.uid.id}=${String(entities.get(e.uid)?.attrs.ready)}`) }, 'integration readiness changed');
    }
    return result;
  }

  /**
   * The entity store's write transform for Integration entities: `provider`, `restricted` and `ready` of a
   * configured integration are Tenet's (settings and posture), and `status` moves only toward `suspended` unless
   * an administrator writes it (see enforceIntegration).
   */
  enforce(e: Entity, ctx: { previous: Entity | undefined; privileged: boolean }): Entity {
    return enforceIntegration({
      entity: e,
      configured: this.props.integrations[e.uid.id],
      computedReady: this.following ? ctx.previous?.attrs.ready === true : this.readiness.get(e.uid.id),
      previous: ctx.previous,
      privileged: ctx.privileged,
    });
  }
}
