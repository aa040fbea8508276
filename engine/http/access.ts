import type { RequestHandler } from 'express';
import type { ApiKeyInfo, ApiKeyStore } from '../api-keys.ts';
import type { DecisionLog } from '../authz/decision-log.ts';
import { toDecisionRecord } from '../authz/decision-log.ts';
import type { AuthorizationRequest, Decision, PolicyDecisionPoint } from '../authz/pdp.ts';
import { AuthenticationError, NotAllowedError } from '../errors.ts';
import type { RouteGate } from './route.ts';

/** The Tenet policy set's view of a caller: its key, in its role, acting on an area of Tenet. */
export function tenetRequest(key: Pick<ApiKeyInfo, 'id' | 'role'>, gate: RouteGate): AuthorizationRequest {
  return {
    principal: { type: 'Tenet::ApiKey', id: key.id },
    action: { id: gate.action },
    resource: { type: 'Tenet::Area', id: gate.area },
    // Role and Area are enumerated types in the schema: they need no entity of their own.
    entities: [{ uid: { type: 'Tenet::ApiKey', id: key.id }, attrs: {}, parents: [{ type: 'Tenet::Role', id: key.role }] }],
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function authenticate(apiKeys: ApiKeyStore): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const key = token ? await apiKeys.authenticate(token) : undefined;
    if (!key) throw new AuthenticationError();
    res.locals.key = key;
    next();
  };
}

/**
 * Route authorization through Tenet's own policy set. The set decides on role, action and area alone, so a
 * decision is cached per (policy hash, role, action, area): the cache empties itself when the policy changes.
 * Denies, and every allow outside the authorization hot path, go to the decision log like any other decision.
 */
export class RouteGuard {
  private readonly pdp: PolicyDecisionPoint;
  private readonly log: DecisionLog;
  private readonly cache = new Map<string, Decision>();

  constructor(props: { pdp: PolicyDecisionPoint; log: DecisionLog }) {
    this.pdp = props.pdp;
    this.log = props.log;
  }

  decide(key: Pick<ApiKeyInfo, 'id' | 'role'>, gate: RouteGate): Decision {
    const cacheKey = `${this.pdp.active?.hash}|${key.role}|${gate.action}|${gate.area}`;
    let decision = this.cache.get(cacheKey);
    if (!decision) {
      decision = this.pdp.authorize(tenetRequest(key, gate));
      if (decision.errors.length === 0) {
        if (this.cache.size > 1000) this.cache.clear();
        this.cache.set(cacheKey, decision);
      }
    }
    return decision;
  }

  async check(key: ApiKeyInfo, gate: RouteGate, requestId: string): Promise<void> {
    const decision = this.decide(key, gate);
    if (decision.decision === 'deny' || gate.area !== 'authorize') {
      await this.log.append(toDecisionRecord({ request: tenetRequest(key, gate), decision, requestId, caller: key.id }));
    }
    if (decision.decision !== 'allow') {
      throw new NotAllowedError(`The ${key.role} role may not ${gate.action} ${gate.area.replace(/_/g, ' ')}.`);
    }
  }
}
