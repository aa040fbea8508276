import { buildOpenApi } from '../../http/openapi.ts';
import type { RouteDef } from '../../http/route.ts';
import { auditRoutes } from '../../http/routes/audit-routes.ts';
import { authzRoutes } from '../../http/routes/authz-routes.ts';
import { planRoutes } from '../../http/routes/plan-routes.ts';
import { keyRoutes } from '../../http/routes/key-routes.ts';
import { policyRoutes, policyTryRoutes } from '../../http/routes/policy-routes.ts';
import { sessionRoutes } from '../../http/routes/session-routes.ts';
import { TENET_VERSION } from '../../kernel/version.ts';
import { domainRoutes } from '../domain-routes.ts';
import { parse } from './args.ts';

/**
 * A dependency that is never used: route definitions are built only for their schemas, so nothing may call into it.
 * Every property read gives another stub (so `deps.x.y` can be captured), every call throws.
 */
function unused<T>(name: string): T {
  const stub: unknown = new Proxy(function () {}, {
    get: (_target, prop) => (prop === 'then' ? undefined : unused(`${name}.${String(prop)}`)),
    apply: () => {
      throw new Error(`tenet openapi: ${name} was called while only describing the routes`);
    },
    construct: () => {
      throw new Error(`tenet openapi: ${name} was constructed while only describing the routes`);
    },
  });
  return stub as T;
}

/**
 * Every route the server mounts, in the order createApp (engine/http/app.ts) mounts them with startTenet's domain routes
 * (engine/main/domain-routes.ts), with every optional group present. Built without a database or a server: the dependencies are stubs.
 */
function describedRoutes(): RouteDef[] {
  return [
    ...authzRoutes({ pdp: unused('pdp'), entityStore: unused('entityStore'), decisionLog: unused('decisionLog'), metrics: unused('metrics') }),
    ...planRoutes({ pdp: unused('pdp'), entityStore: unused('entityStore') }),
    ...policyRoutes({ policyStore: unused('policyStore') }),
    ...policyTryRoutes({ pdp: unused('pdp'), sandbox: unused('sandbox') }),
    ...auditRoutes({ db: unused('db') }),
    ...keyRoutes({ apiKeys: unused('apiKeys') }),
    ...domainRoutes(unused('domain')),
    ...sessionRoutes({ sessions: unused('sessions'), guard: unused('guard'), gates: unused('gates'), demoSignIn: false, cookieSecure: 'auto' }),
  ];
}

/** The OpenAPI 3.1 document the server serves at /openapi.json. */
export const openApiDocument = (): unknown => buildOpenApi(describedRoutes(), TENET_VERSION);

/** `tenet openapi [--out FILE]`: prints the OpenAPI document (or writes it to FILE). Needs no configuration. */
export async function openapi(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' } });
  const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
  if (values.out) (await import('node:fs')).writeFileSync(values.out, text);
  else process.stdout.write(text);
  return 0;
}
