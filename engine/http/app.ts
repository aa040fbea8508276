import path from 'node:path';
import type { RequestListener } from 'node:http';
import querystring from 'node:querystring';
import express, { type Express } from 'express';
import type { ApiKeyStore } from '../authz/api-keys.ts';
import type { CedarRuntime } from '../authz/cedar-runtime.ts';
import type { CedarSandbox } from '../authz/cedar-sandbox.ts';
import type { DecisionLog } from '../authz/decision-log.ts';
import type { EntityStore } from '../authz/entity-store.ts';
import type { PolicyDecisionPoint } from '../authz/pdp.ts';
import type { PolicyStore } from '../authz/policy-store.ts';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../kernel/errors.ts';
import { authenticator, RouteGuard } from './access.ts';
import { errorHandler } from './error-handler.ts';
import { buildOpenApi } from './openapi.ts';
import { createPipeline } from './pipeline.ts';
import type { RouteDef, RouteGate } from './route.ts';
import { opsRoutes } from './routes/ops-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authzRoutes } from './routes/authz-routes.ts';
import { planRoutes } from './routes/plan-routes.ts';
import { keyRoutes } from './routes/key-routes.ts';
import { policyRoutes, policyTryRoutes } from './routes/policy-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { OidcVerifier, SessionStore, type OidcOptions } from './sessions.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';

/** Everything the HTTP app needs, grouped by domain; engine/main/server.ts builds the real ones, tests build their own. */
export interface AppDeps {
  version: string;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  authz: {
    platform: PolicyDecisionPoint;
    tenet: PolicyDecisionPoint;
    entityStore: EntityStore;
    policyStore: PolicyStore;
    decisionLog: DecisionLog;
    cedar: { deciding: CedarRuntime; sandbox: CedarSandbox };
  };
  apiKeys: ApiKeyStore;
  /** Further route groups (controls, evidence, packs, ...), each built by its own domain's wiring. */
  extraRoutes?: RouteDef[];
  /** Readiness beyond the database: e.g. the scheduler's first run in --demo. */
  ready?: () => boolean;
  /** A folder with the built console, served at / when present. */
  consoleDir?: string;
  trustProxy?: boolean;
  /** Console sign-in as a demo user per role (POST /v1/session {demoRole}): `tenet serve --demo` only. */
  demoSignIn?: boolean;
  /** Console sign-in and bearer tokens from an OpenID Connect provider (config: TENET_OIDC_*). */
  oidc?: OidcOptions;
  /** `Secure` on the session cookie: 'auto' (default) when the request came over https. */
  cookieSecure?: 'auto' | boolean;
  /** Parse every JSON answer with its route's declared response schema; a mismatch answers 500. Default: under tests. */
  checkResponses?: boolean;
}

export interface TenetApp {
  app: Express;
  /** The API's routes (those /openapi.json describes by their definitions). */
  routes: RouteDef[];
  /** Health, readiness, metrics and the OpenAPI document: the same pipeline, documented by openapi.ts itself. */
  opsRoutes: RouteDef[];
  /** What http.createServer gets: the hot authorization routes by exact match, the rest through Express. */
  listener: RequestListener;
  /** The console's sessions (the change feed drops their cached lookups when another replica ends one). */
  sessions: SessionStore;
}

const NO_PARAMS = Object.freeze({}) as Record<string, string>;

/** Builds the Express app and the request listener. Never listens: server.ts does. */
export function createApp(deps: AppDeps): TenetApp {
  const { logger, metrics, authz, apiKeys } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('etag', false);

  const guard = new RouteGuard({ pdp: authz.tenet, log: authz.decisionLog });
  const sessions = new SessionStore({ db: deps.db });
  const oidc = deps.oidc ? new OidcVerifier(deps.oidc) : undefined;
  const pipeline = createPipeline({
    guard,
    authenticate: authenticator({ apiKeys, sessions, oidc }),
    authenticateApiKey: authenticator({ apiKeys, apiKeyOnly: true }),
    logger,
    metrics,
    checkResponses: deps.checkResponses ?? process.env.NODE_ENV === 'test',
  });
  app.use((req, res, next) => {
    res.locals.requestId = pipeline.begin(req, res);
    next();
  });

  const routes: RouteDef[] = [
    ...authzRoutes({ pdp: authz.platform, entityStore: authz.entityStore, decisionLog: authz.decisionLog, metrics }),
    ...planRoutes({ pdp: authz.platform, entityStore: authz.entityStore }),
    ...policyRoutes({ policyStore: authz.policyStore }),
    ...policyTryRoutes({ pdp: authz.platform, sandbox: authz.cedar.sandbox }),
    ...auditRoutes({ db: deps.db }),
    ...keyRoutes({ apiKeys }),
    ...(deps.extraRoutes ?? []),
  ];
  let gates: RouteGate[] | undefined;
  routes.push(
    ...sessionRoutes({
      sessions,
      guard,
      oidc,
      demoSignIn: deps.demoSignIn ?? false,
      cookieSecure: deps.cookieSecure ?? 'auto',
      // Every distinct gate of the app (and /metrics'), for the session's permissions.
      gates: () =>
        (gates ??= [
          ...new Map(
            [...routes.map((r) => r.gate), { area: 'metrics', action: 'read' }]
              .filter((g): g is RouteGate => typeof g === 'object')
              .map((g) => [`${g.area}:${g.action}`, g]),
          ).values(),
        ]),
    }),
  );
  // Built on the first request for it, not at start-up (it is the slowest part of createApp).
  let openapi: unknown;
  const ops = opsRoutes({
    version: deps.version,
    db: deps.db,
    metrics,
    authz,
    ready: deps.ready,
    openapi: () => (openapi ??= buildOpenApi(routes, deps.version)),
  });

  // Health and metrics first: they must answer even when everything else is busy.
  for (const route of [...ops, ...routes]) {
    app[route.method](route.path, (req, res) => pipeline.serve(route, req, res, res.locals.requestId as string, { params: req.params, query: req.query }));
  }

  if (deps.consoleDir) {
    // Vite names assets by content hash: they are immutable. index.html is revalidated so a deploy shows at once.
    app.use(
      express.static(deps.consoleDir, {
        index: 'index.html',
        setHeaders: (res, file) => {
          res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
    // The console is a single-page app: unknown non-API paths get its index.
    app.get(/^\/(?!v1\/|healthz|readyz|metrics|openapi\.json).*/, (_req, res) =>
      res.setHeader('cache-control', 'no-cache').sendFile('index.html', { root: deps.consoleDir }),
    );
  }

  app.use((_req, _res) => {
    throw new NotFoundError('No such route. See /openapi.json.');
  });
  app.use(errorHandler(logger));

  // The authorization calls app services make on every data access skip Express's per-request machinery (measured
  // as the larger part of a decision's cost): an exact match on method and path, then the same pipeline.
  const hot = new Map<string, RouteDef>();
  for (const r of routes) if (r.hot && typeof r.gate === 'object') hot.set(`${r.method.toUpperCase()} ${r.path}`, r);
  const listener: RequestListener = (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const route = hot.get(`${req.method} ${q >= 0 ? url.slice(0, q) : url}`);
    if (!route) return void app(req, res);
    // Parsed as Express parses a query string (node:querystring): a repeated key keeps every value.
    const query = q >= 0 ? querystring.parse(url.slice(q + 1)) : {};
    void pipeline.serve(route, req, res, pipeline.begin(req, res), { params: NO_PARAMS, query });
  };
  return { app, routes, opsRoutes: ops, listener, sessions };
}
