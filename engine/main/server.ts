import { once } from 'node:events';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { ApiKeyStore } from '../authz/api-keys.ts';
import { createApp } from '../http/app.ts';
import { createAuthz, journalFromConfig, type Authz } from '../authz/create-authz.ts';
import { ChangeFeed } from '../db/change-feed.ts';
import { ensureDecisionPartitions } from '../authz/decision-partitions.ts';
import { scheduleRetention } from '../authz/retention.ts';
import { cookieSecure, oidcSettings, type Config } from '../kernel/config.ts';
import { openDatabase, type DatabaseHandle } from '../db/database.ts';
import { packService, setupControls, type Controls } from './setup-controls.ts';
import type { DemoKeys } from '../demo/load-demo.ts';
import { domainRoutes } from './domain-routes.ts';
import { setupIncidents, type Incidents } from './setup-incidents.ts';
import { setupEvidenceAnchoring } from '../../evidence/ledger/anchoring.ts';
import { scheduleCheckpoints } from '../../evidence/ledger/checkpoints.ts';
import type { Logger } from '../kernel/logger.ts';
import { createMetrics } from '../kernel/metrics.ts';
import { PROJECT_ROOT, SHIPPED_POLICY_DIR, TENET_VERSION } from '../kernel/version.ts';

export interface RunningTenet {
  url: string;
  port: number;
  database: DatabaseHandle;
  authz: Authz;
  apiKeys: ApiKeyStore;
  controls: Controls;
  demoKeys?: DemoKeys;
  /** Whether the built console (console/dist) is being served at /. */
  console: boolean;
  /** Graceful stop: no new connections, in-flight requests finish, the decision log is flushed, then the DB closes. */
  close(): Promise<void>;
}

/** Builds every part, listens, and returns a handle. The CLI's `serve` and the integration tests both use this. */
export async function startTenet(props: { config: Config; logger: Logger; demo?: boolean; port?: number; database?: DatabaseHandle }): Promise<RunningTenet> {
  const { config, logger } = props;
  const database =
    props.database ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR, poolMax: config.DATABASE_POOL_MAX, logger }));
  const owned = !props.database;
  let controls: Controls | undefined;
  let incidents: Incidents | undefined;
  let feed: ChangeFeed | undefined;
  try {
    // Before the decision log ships what the journal holds: today's partition exists, so those rows route into it.
    // Not fatal: rows go to the DEFAULT partition meanwhile, and the retention round makes the partitions again.
    await ensureDecisionPartitions({ db: database.db }).catch((error: unknown) =>
      logger.warn({ err: { message: (error as Error).message } }, 'decision log partitions not made at start; retrying with retention'),
    );
    const policyDir = config.TENET_POLICY_DIR ?? SHIPPED_POLICY_DIR;
    const authz = await createAuthz({ db: database.db, logger, config, policyDir, journal: journalFromConfig(config, logger) });
    const apiKeys = new ApiKeyStore({ db: database.db, cacheMs: config.TENET_API_KEY_CACHE_MS });
    // An admin key only while the variable holds it: a rotated or removed token is revoked here.
    await apiKeys.syncBootstrap(config.TENET_BOOTSTRAP_TOKEN);
    const demoKeys = props.demo ? await (await import('../demo/load-demo.ts')).loadDemo({ authz, apiKeys, dataDir: config.TENET_DATA_DIR, logger }) : undefined;
    // Keys come from the key file or the environment, never the database (an older install's are moved out here).
    const anchoring = await setupEvidenceAnchoring({ config, db: database.db, logger });
    controls = await setupControls({ config, logger, db: database.db, authz, demo: props.demo, scannerSecret: anchoring.keys.scannerSecret });
    incidents = setupIncidents({ db: database.db, settings: controls.service.settings.incidents, logger });
    const consoleDir = `${PROJECT_ROOT}console/dist`;
    const consoleBuilt = existsSync(`${consoleDir}/index.html`);
    const { listener, sessions } = createApp({
      version: TENET_VERSION,
      logger,
      metrics: createMetrics(),
      db: database.db,
      authz,
      apiKeys,
      extraRoutes: domainRoutes({
        controls: { controls: controls.plane, attestations: controls.attestations },
        incidents: incidents.routes,
        packs: packService({ db: database.db, authz, controls: controls.service, config, logger, anchoring, exceptions: controls.plane.exceptions }),
      }),
      consoleDir: consoleBuilt ? consoleDir : undefined,
      trustProxy: config.TENET_TRUST_PROXY,
      demoSignIn: Boolean(props.demo),
      oidc: oidcSettings(config),
      cookieSecure: cookieSecure(config),
    });
    authz.start();
    // On a server database, other replicas' writes arrive as notifications; the polls stay underneath.
    feed = database.connection
      ? new ChangeFeed({
          client: database.connection,
          logger,
          handlers: {
            entities: () => authz.entityStore.refresh(),
            policies: () => authz.policyStore.refresh(),
            api_keys: () => apiKeys.forgetCached(),
            sessions: () => sessions.forgetCached(),
            posture: () => controls!.plane.readiness.apply(),
          },
        })
      : undefined;
    // Listening starts once the control plane has started (its settings registered): the first connect applies every
    // kind once, so nothing written meanwhile is missed.
    await controls.start();
    feed?.start();
    // Clock warnings and webhook retries tick with the scheduler; the "opened" notice goes out at once regardless.
    if (config.TENET_SCHEDULER) incidents.start();
    // The AWS SDK is loaded only when the export is configured (start-up time).
    const decisionExport = config.TENET_DECISION_EXPORT_BUCKET ? await import('../authz/decision-export.ts') : undefined;
    const exportTarget = decisionExport?.exportTargetFromConfig(config);
    const stopRetention = scheduleRetention({
      db: database.db,
      logger,
      decisionDays: config.TENET_DECISION_RETENTION_DAYS,
      revealDays: config.TENET_PII_REVEAL_RETENTION_DAYS,
      ...(decisionExport && exportTarget
        ? { exportDecisions: () => decisionExport.exportClosedDecisionDays({ db: database.db, target: exportTarget, logger }) }
        : {}),
      evidence: {
        days: config.TENET_EVIDENCE_RETENTION_DAYS,
        prune: (before) => controls!.service.evidence.prune({ before, checkpoints: anchoring.checkpoints }),
      },
    });
    // Signed checkpoints of the evidence chain head, also written outside the database (file, S3).
    const stopCheckpoints = scheduleCheckpoints({ checkpoints: anchoring.checkpoints, everyMs: config.TENET_CHECKPOINT_INTERVAL_MINUTES * 60_000, logger });
    const server = http.createServer(listener);
    server.keepAliveTimeout = 65_000;
    server.listen(props.port ?? config.PORT, config.HOST);
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
    logger.info({ url, database: database.location, demo: Boolean(props.demo) }, 'tenet listening');
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      database,
      authz,
      apiKeys,
      controls,
      demoKeys,
      console: consoleBuilt,
      close() {
        closing ??= (async () => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          // Requests in flight get 10 s to finish; then the sockets are cut.
          const timer = setTimeout(() => server.closeAllConnections(), 10_000);
          await closed;
          clearTimeout(timer);
          await incidents!.close();
          await controls!.close();
          stopRetention();
          exportTarget?.client.destroy();
          stopCheckpoints();
          apiKeys.close();
          await feed?.stop();
          await authz.close();
          if (owned) await database.close();
          logger.info('tenet stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await feed?.stop();
    await incidents?.close().catch(() => {});
    await controls?.close().catch(() => {});
    if (owned) await database.close().catch(() => {});
    throw error;
  }
}
