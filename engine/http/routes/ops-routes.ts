import type { CedarRuntime } from '../../authz/cedar-runtime.ts';
import type { CedarSandbox } from '../../authz/cedar-sandbox.ts';
import type { DecisionLog } from '../../authz/decision-log.ts';
import type { EntityStore } from '../../authz/entity-store.ts';
import type { PolicyDecisionPoint } from '../../authz/pdp.ts';
import type { Db } from '../../db/database.ts';
import type { Metrics } from '../../kernel/metrics.ts';
import { healthSchema, openApiSchema, readySchema } from '../openapi.ts';
import { defineRoute, type RouteDef } from '../route.ts';

/** How long /readyz waits for the database to answer `select 1` before it counts it as down. */
const READYZ_PROBE_MS = 800;

/**
 * Liveness, readiness, metrics and the OpenAPI document: served by the same pipeline as the API, documented by
 * openapi.ts's own entries (they are not API routes: no tag of their own, /readyz answers its body with 503 too).
 */
export function opsRoutes(deps: {
  version: string;
  db: Db;
  metrics: Metrics;
  authz: {
    platform: PolicyDecisionPoint;
    tenet: PolicyDecisionPoint;
    entityStore: EntityStore;
    decisionLog: DecisionLog;
    cedar: { deciding: CedarRuntime; sandbox: CedarSandbox };
  };
  ready?: () => boolean;
  openapi: () => unknown;
}): RouteDef[] {
  const { authz, metrics } = deps;
  // The decision log counts what it quarantined; the counter is brought up to date when scraped.
  let quarantinedReported = 0;
  let fsyncsReported = 0;
  const cedarReported: Record<string, number> = {};
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers.',
      tag: 'Operations',
      gate: 'public',
      response: healthSchema,
      handler: () => ({ status: 'ok' as const, version: deps.version }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: both policy sets active, the database answers, the decision log is not backed up.',
      tag: 'Operations',
      gate: 'public',
      response: readySchema,
      // Always answers within READYZ_PROBE_MS + a little: the database probe is bounded (a frozen server does not hang it).
      handler: async ({ res }) => {
        let timer: NodeJS.Timeout | undefined;
        const database = await Promise.race([
          deps.db
            .selectNoFrom((eb) => eb.val(1).as('one'))
            .execute()
            .then(
              () => true,
              () => false,
            ),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), READYZ_PROBE_MS))),
        ]);
        clearTimeout(timer);
        const checks: Record<string, boolean> = {
          // False while the deciding Cedar instance is being replaced after a fault: entity writes and policy changes
          // answer 503 meanwhile (decisions do not call into Cedar and go on).
          cedar: authz.cedar.deciding.healthy,
          platformPolicy: Boolean(authz.platform.active),
          tenetPolicy: Boolean(authz.tenet.active),
          database,
          // With the decision journal: false when it cannot take records (its size bound, a full disk, a write error),
          // and decisions answer 503 meanwhile. Without it: false when the in-memory queue is nearly full.
          ...authz.decisionLog.readiness,
          ...(deps.ready ? { startup: deps.ready() } : {}),
        };
        const ok = Object.values(checks).every(Boolean);
        // Decisions come from the in-memory entity store, which keeps answering while the database is down: how old
        // its view may be is the time since it last refreshed successfully.
        const refreshedAt = authz.entityStore.lastRefreshedAt;
        res.status(ok ? 200 : 503);
        return {
          status: ok ? 'ready' : 'not_ready',
          checks,
          ...(ok ? {} : { failed: Object.keys(checks).filter((k) => !checks[k]) }),
          ...(authz.decisionLog.durability ? { decisionJournal: authz.decisionLog.durability.status } : {}),
          authorization: {
            entitiesRefreshedAt: refreshedAt === undefined ? null : new Date(refreshedAt).toISOString(),
            entitiesStaleMs: refreshedAt === undefined ? null : Date.now() - refreshedAt,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (text exposition format).',
      tag: 'Operations',
      gate: { area: 'metrics', action: 'read' },
      raw: true,
      produces: 'text/plain',
      handler: async ({ res }) => {
        metrics.decisionQueue.set(authz.decisionLog.depth);
        const journal = authz.decisionLog.durability;
        if (journal) {
          metrics.journalFsyncs.inc(journal.fsyncs - fsyncsReported);
          fsyncsReported = journal.fsyncs;
          metrics.journalBytes.set(journal.bytes);
        }
        metrics.decisionLogQuarantined.inc(authz.decisionLog.quarantined - quarantinedReported);
        quarantinedReported = authz.decisionLog.quarantined;
        metrics.entities.set(authz.entityStore.size);
        for (const [instance, n] of [
          ['deciding', authz.cedar.deciding.replacements],
          ['sandbox', authz.cedar.sandbox.replacements],
        ] as const) {
          metrics.cedarReplacements.inc({ instance }, n - (cedarReported[instance] ?? 0));
          cedarReported[instance] = n;
        }
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document.',
      tag: 'Operations',
      gate: 'public',
      response: openApiSchema,
      handler: () => deps.openapi(),
    }),
  ];
}
