import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { RequestListener } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { ApiKeyStore } from '../authz/api-keys.ts';
import type { CedarRuntime } from '../authz/cedar-runtime.ts';
import type { CedarSandbox } from '../authz/cedar-sandbox.ts';
import type { DecisionLog } from '../authz/decision-log.ts';
import type { EntityStore } from '../authz/entity-store.ts';
import type { PolicyDecisionPoint } from '../authz/pdp.ts';
import type { PolicyStore } from '../authz/policy-store.ts';
import type { Db } from '../db/database.ts';
import { AuthenticationError, NotFoundError } from '../kernel/errors.ts';
import { authenticate, RouteGuard } from './access.ts';
import { errorHandler } from './error-handler.ts';
import { collectHelmetHeaders, createRequestListener } from './fast-path.ts';
import { guardInput } from './input-guard.ts';
import { buildOpenApi } from './openapi.ts';
import type { RouteDef, RouteGate } from './route.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authzRoutes } from './routes/authz-routes.ts';
import { keyRoutes } from './routes/key-routes.ts';
import { policyRoutes, policyTryRoutes } from './routes/policy-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { OidcVerifier, SessionStore, type OidcOptions } from './sessions.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';

/** Everything the HTTP app needs, grouped by domain; main.ts builds the real ones, tests build their own. */
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
}

export interface TenetApp {
  app: Express;
  routes: RouteDef[];
  /** What http.createServer gets: the hot authorization routes on the fast path, the rest through Express. */
  listener: RequestListener;
}

const BODY_LIMIT = 2 * 1024 * 1024;
/** How long /readyz waits for the database to answer `select 1` before it counts it as down. */
const READYZ_PROBE_MS = 800;
/** Public routes (sign-in) take small bodies: anyone may send them. */
const PUBLIC_BODY_LIMIT = 64 * 1024;

/** Runs a connect-style middleware (the body parser) as a step of a route handler. */
const runMiddleware = (mw: express.RequestHandler, req: Request, res: Response): Promise<void> =>
  new Promise((resolve, reject) => {
    void mw(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });

/** Builds the Express app and the request listener. Never listens: server.ts does. */
export function createApp(deps: AppDeps): TenetApp {
  const { logger, metrics, authz, apiKeys } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('etag', false);

  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    res.locals.requestId = typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', res.locals.requestId as string);
    next();
  });
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: { 'default-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'style-src': ["'self'", "'unsafe-inline'"], 'script-src': ["'self'"] },
    },
  });
  app.use(securityHeaders);
  // No body parser here: a body is read per route, after authentication and the route gate (below), so an
  // anonymous or forbidden caller's 2 MB body is never parsed.

  const guard = new RouteGuard({ pdp: authz.tenet, log: authz.decisionLog });
  const sessions = new SessionStore({ db: deps.db });
  const oidc = deps.oidc ? new OidcVerifier(deps.oidc) : undefined;
  const auth = authenticate({ apiKeys, sessions, oidc });
  // The authorization hot routes take API keys only, whichever path serves them: never a cookie (no CSRF surface).
  const apiKeyAuth = authenticate({ apiKeys, apiKeyOnly: true });

  const routes: RouteDef[] = [
    ...authzRoutes({ pdp: authz.platform, entityStore: authz.entityStore, decisionLog: authz.decisionLog, metrics }),
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

  // Health and metrics first: they must answer even when everything else is busy.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.version });
  });
  // Always answers within READYZ_PROBE_MS + a little: the database probe is bounded (a frozen server does not hang it).
  app.get('/readyz', async (_req, res) => {
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
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ready' : 'not_ready',
      checks,
      ...(ok ? {} : { failed: Object.keys(checks).filter((k) => !checks[k]) }),
      ...(authz.decisionLog.durability ? { decisionJournal: authz.decisionLog.durability.status } : {}),
      authorization: {
        entitiesRefreshedAt: refreshedAt === undefined ? null : new Date(refreshedAt).toISOString(),
        entitiesStaleMs: refreshedAt === undefined ? null : Date.now() - refreshedAt,
      },
    });
  });
  // The decision log counts what it quarantined; the counter is brought up to date when scraped.
  let quarantinedReported = 0;
  let fsyncsReported = 0;
  const cedarReported: Record<string, number> = {};
  app.get('/metrics', auth, async (req, res) => {
    await guard.check(res.locals.key, { area: 'metrics', action: 'read' }, res.locals.requestId);
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
  });
  const openapi = buildOpenApi(routes, deps.version);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  const jsonBody = express.json({ limit: BODY_LIMIT });
  const publicJsonBody = express.json({ limit: PUBLIC_BODY_LIMIT });
  for (const route of routes) {
    const handlers: express.RequestHandler[] = [];
    if (route.gate !== 'public') handlers.push(route.hot ? apiKeyAuth : auth);
    // The pipeline, in this order for every route: caller, route gate, body (read only now), the input guard over
    // body, query and path, the route's schemas, the handler. The fast path runs the same steps (fast-path.ts).
    handlers.push(async (req: Request, res: Response) => {
      const requestId = res.locals.requestId as string;
      const key = res.locals.key;
      if (route.gate !== 'public') {
        if (!key) throw new AuthenticationError();
        if (route.gate !== 'authenticated') await guard.check(key, route.gate, requestId);
      }
      if (route.body) await runMiddleware(route.gate === 'public' ? publicJsonBody : jsonBody, req, res);
      guardInput('path', req.params);
      guardInput('query', req.query);
      if (route.body) guardInput('body', req.body);
      const body = route.body ? route.body.parse(req.body ?? {}) : undefined;
      const query = route.query ? route.query.parse(req.query) : undefined;
      const params = route.params ? route.params.parse(req.params) : undefined;
      const result = await route.handler({ body, query, params, key, requestId, req, res });
      metrics.httpRequests.inc({ route: `${route.method.toUpperCase()} ${route.path}`, status: String(res.statusCode)[0] + 'xx' });
      if (route.raw || res.headersSent) return;
      if (result === undefined) res.end();
      else res.json(result);
    });
    app[route.method](route.path, ...handlers);
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
  const listener = createRequestListener({
    app,
    routes,
    apiKeys,
    guard,
    logger,
    metrics,
    securityHeaders: collectHelmetHeaders(securityHeaders as never),
    bodyLimit: BODY_LIMIT,
  });
  return { app, routes, listener };
}
