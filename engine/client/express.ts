/**
 * Express middleware over the Tenet client, in the shape of Cedar's own `@cedar-policy/authorization-for-expressjs`
 * (principal from the request, action from the route, resource from its params, context optional), so a route is
 * gated in one line:
 *
 *   const authz = new TenetAuthorization({ client, principal: (req) => ({ type: 'User', id: req.user.id }) });
 *   app.get('/orders/:id', authz.route('read', (req) => ({ type: 'Order', id: req.params.id })), handler);
 *
 * Allow: the handler runs, with the decision in `res.locals.tenetDecision`. Deny — including Tenet unreachable or too
 * slow (the client fails closed) and a provider that throws — answers 403 `{ error: 'forbidden', decisionId, reasons }`
 * (`decisionId` null when Tenet gave no decision); no principal answers 401 `{ error: 'unauthenticated' }`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthorizeRequest, EntityUid } from './api-types.ts';
import type { Decision, TenetClient } from './tenet-client.ts';

type Maybe<T> = T | Promise<T>;
type Action = string | AuthorizeRequest['action'];
type Context = NonNullable<AuthorizeRequest['context']>;

export interface TenetAuthorizationProps {
  client: Pick<TenetClient, 'authorize'>;
  /** who is asking: the app's authenticated user as a Cedar uid; undefined when nobody is signed in (401) */
  principal: (req: Request) => Maybe<EntityUid | undefined>;
  /** Cedar context for every route (e.g. `{ mfa: req.session.mfa }`); a route's own context is merged over it */
  context?: (req: Request) => Maybe<Context | undefined>;
  /** where a deny's errors and a provider's failure are told (never to the caller); default nowhere */
  logger?: { log: (message: string) => void };
}

export interface RouteOptions {
  /** Cedar context for this route, merged over the middleware's */
  context?: (req: Request) => Maybe<Context | undefined>;
}

export class TenetAuthorization {
  private readonly props: TenetAuthorizationProps;

  constructor(props: TenetAuthorizationProps) {
    this.props = props;
  }

  /** The middleware for one route: `action` is the Cedar action id (or `{type, id}`), `resource` reads the route's params. */
  route(action: Action, resource: (req: Request) => Maybe<EntityUid>, options: RouteOptions = {}): RequestHandler {
    const actionUid = typeof action === 'string' ? { id: action } : action;
    return async (req: Request, res: Response, next: NextFunction) => {
      let decision: Decision;
      try {
        const principal = await this.props.principal(req);
        if (!principal) {
          res.status(401).json({ error: 'unauthenticated' });
          return;
        }
        const context = { ...(await this.props.context?.(req)), ...(await options.context?.(req)) };
        decision = await this.props.client.authorize({
          principal,
          action: actionUid,
          resource: await resource(req),
          ...(Object.keys(context).length ? { context } : {}),
        });
      } catch (e) {
        // A provider that throws (a missing param, a bug) denies: fail closed here too.
        decision = { decision: 'deny', reasons: [], errors: [`the request could not be mapped to a decision: ${(e as Error).message}`] };
      }
      if (decision.decision === 'allow') {
        res.locals.tenetDecision = decision;
        next();
        return;
      }
      // The route's pattern (`/orders/:id`), not the path: a path may carry an id or an address a log must not hold.
      if (decision.errors.length) this.props.logger?.log(`tenet denied ${req.method} ${req.route?.path ?? req.baseUrl}: ${decision.errors.join('; ')}`);
      res.status(403).json({ error: 'forbidden', decisionId: decision.decisionId ?? null, reasons: decision.reasons });
    };
  }
}

/** One route's middleware without keeping a TenetAuthorization: `authorizeRoute({ client, principal, action, resource })`. */
export function authorizeRoute(
  props: TenetAuthorizationProps & { action: Action; resource: (req: Request) => Maybe<EntityUid> } & RouteOptions,
): RequestHandler {
  return new TenetAuthorization(props).route(props.action, props.resource, props);
}
