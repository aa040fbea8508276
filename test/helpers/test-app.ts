import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyStore, TENET_ROLES, type TenetRole } from '../../engine/authz/api-keys.ts';
import { createApp, type AppDeps, type TenetApp } from '../../engine/http/app.ts';
import { createAuthz, journalFromConfig, type Authz } from '../../engine/authz/create-authz.ts';
import { loadConfig } from '../../engine/kernel/config.ts';
import type { DatabaseHandle } from '../../engine/db/database.ts';
import { buildDemoEntities } from '../../engine/demo/demo-entities.ts';
import { createLogger } from '../../engine/kernel/logger.ts';
import { createMetrics } from '../../engine/kernel/metrics.ts';
import type { RouteDef } from '../../engine/http/route.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';
import { CATALOGUE } from '../../controls/catalogue/index.ts';
import type { InventorySource } from '../../controls/collectors/inventory-source.ts';
import { parseControlSettings } from '../../controls/settings.ts';
import { AttestationStore } from '../../engine/posture/attestation-store.ts';
import type { ControlService } from '../../engine/posture/control-service.ts';
import { createControlPlane, inventorySources, packService } from '../../engine/main/setup-controls.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LogScanService } from '../../engine/posture/log-scan.ts';
import { domainRoutes } from '../../engine/main/domain-routes.ts';
import { setupIncidents } from '../../engine/main/setup-incidents.ts';
import { createTestDatabase } from './test-database.ts';

export interface TestApp {
  url: string;
  keys: Record<TenetRole, string>;
  authz: Authz;
  database: DatabaseHandle;
  app: TenetApp;
  /** present when started with `controls` */
  controls?: ControlService;
  /** fetch with a role's key (or none) */
  call(path: string, init?: { method?: string; body?: unknown; role?: TenetRole; key?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** A real app on a fresh database, listening on an ephemeral loopback port, with the demo entities and a key per role. */
export async function startTestApp(
  props: {
    extraRoutes?: (ctx: { authz: Authz; database: DatabaseHandle }) => RouteDef[];
    /** a control service and its routes, over these settings (the control settings file's JSON) and inventory */
    controls?: { settings?: unknown; inventory?: InventorySource[]; live?: boolean };
    /** console sign-in: demo users, an OIDC provider, the cookie's Secure flag (AppDeps of the same names) */
    auth?: Pick<AppDeps, 'demoSignIn' | 'oidc' | 'cookieSecure'>;
    /** API-key lookups cached this long, as in production (default 0: a revoked key fails at once in tests) */
    keyCacheMs?: number;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const logger = createLogger({ level: 'silent' });
  // Decisions go through the decision journal, as in `tenet serve`: in a temporary directory, removed on close.
  const journalDir = mkdtempSync(path.join(tmpdir(), 'tenet-test-journal-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', TENET_ENTITY_REFRESH_MS: '200', TENET_JOURNAL_DIR: journalDir });
  const authz = await createAuthz({ db: database.db, logger, config, policyDir: SHIPPED_POLICY_DIR, journal: journalFromConfig(config, logger) });
  await authz.entityStore.upsert(buildDemoEntities());
  const apiKeys = new ApiKeyStore({ db: database.db, cacheMs: props.keyCacheMs ?? 0 });
  const keys = {} as Record<TenetRole, string>;
  for (const role of TENET_ROLES) keys[role] = (await apiKeys.create({ name: `test ${role}`, role })).key;
  let controls: ControlService | undefined;
  let packDir: string | undefined;
  const routes: RouteDef[] = props.extraRoutes?.({ authz, database }) ?? [];
  if (props.controls) {
    const settings = parseControlSettings(props.controls.settings ?? {});
    const attestations = new AttestationStore(database.db, settings.attestations.trustedKeys);
    const plane = createControlPlane({
      db: database.db,
      logger,
      authz,
      settings,
      catalogue: CATALOGUE,
      inventory: props.controls.inventory ?? inventorySources(settings),
      live: props.controls.live ?? false,
      attestations,
      revealRetentionDays: config.TENET_PII_REVEAL_RETENTION_DAYS,
      logScan: new LogScanService({ db: database.db, settings, logger, secret: 'test-app-scanner-secret-0123456789abcdef' }),
    });
    controls = plane.service;
    // Packs built through the API land in a temporary data directory, removed on close.
    packDir = mkdtempSync(path.join(tmpdir(), 'tenet-test-packs-'));
    routes.push(
      ...domainRoutes({
        controls: { controls: plane, attestations },
        incidents: setupIncidents({ db: database.db, settings: settings.incidents }).routes,
        packs: packService({ db: database.db, authz, controls, config: { ...config, TENET_DATA_DIR: packDir }, exceptions: plane.exceptions }),
      }),
    );
  }
  const app = createApp({
    version: 'test',
    logger,
    metrics: createMetrics(),
    db: database.db,
    authz,
    apiKeys,
    extraRoutes: routes,
    ...props.auth,
  });
  const server = http.createServer(app.listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    keys,
    authz,
    database,
    app,
    controls,
    async call(path, init = {}) {
      const key = init.key ?? (init.role ? keys[init.role] : undefined);
      const res = await fetch(url + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      apiKeys.close();
      await authz.close();
      await database.close();
      rmSync(journalDir, { recursive: true, force: true });
      if (packDir) rmSync(packDir, { recursive: true, force: true });
    },
  };
}
