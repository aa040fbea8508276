import type { IncomingMessage } from 'node:http';
import type { ApiKeyInfo, ApiKeyStore } from '../authz/api-keys.ts';
import type { DecisionLog } from '../authz/decision-log.ts';
import { toDecisionRecord } from '../authz/decision-record.ts';
import type { AuthorizationRequest, Decision, PolicyDecisionPoint } from '../authz/pdp.ts';
import { AuthenticationError, CsrfError, NotAllowedError } from '../kernel/errors.ts';
import type { Caller, RouteGate } from './route.ts';
import { looksLikeJwt, readCookie, safeEqual, SESSION_COOKIE, sessionCaller, type OidcVerifier, type SessionInfo, type SessionStore } from './sessions.ts';

type Principal = Pick<Caller, 'id' | 'role' | 'via'>;

/** An API key as a caller. */
const apiKeyCaller = (key: ApiKeyInfo): Caller => ({ id: key.id, name: key.name, role: key.role, via: 'api_key' });

/** API keys are Tenet::ApiKey; people (console sessions, OIDC tokens) are Tenet::User. */
const principalType = (caller: Pick<Caller, 'via'>): 'Tenet::ApiKey' | 'Tenet::User' => (caller.via === 'api_key' ? 'Tenet::ApiKey' : 'Tenet::User');

/** The Tenet policy set's view of a caller: a key or a user, in its role, acting on an area of Tenet. */
function tenetRequest(caller: Principal, gate: RouteGate): AuthorizationRequest {
  const type = principalType(caller);
  return {
    principal: { type, id: caller.id },
    action: { id: gate.action },
    resource: { type: 'Tenet::Area', id: gate.area },
    // Role and Area are enumerated types in the schema: they need no entity of their own.
    entities: [{ uid: { type, id: caller.id }, attrs: {}, parents: [{ type: 'Tenet::Role', id: caller.role }] }],
  };
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The caller of a request and, when it came with the console's cookie, its session. */
export interface Authenticated {
  key: Caller;
  session?: SessionInfo;
}

/**
 * Who is calling. `Authorization: Bearer` first: an API key, else (when OIDC is configured) an OIDC JWT; a bearer
 * request never falls back to the cookie. Without the header, the console's `tenet_session` cookie — and then
 * every unsafe method must carry the session's `x-csrf-token`. `apiKeyOnly` (the authorization hot routes) accepts
 * API keys and nothing else. Throws AuthenticationError (401) or CsrfError.
 */
export function authenticator(props: {
  apiKeys: ApiKeyStore;
  sessions?: SessionStore;
  oidc?: OidcVerifier;
  apiKeyOnly?: boolean;
}): (req: IncomingMessage) => Promise<Authenticated> {
  const { apiKeys, sessions, oidc, apiKeyOnly } = props;
  return async (req) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const token = bearerToken(header);
      if (!token) throw new AuthenticationError();
      const key = await apiKeys.authenticate(token);
      if (key) return { key: apiKeyCaller(key) };
      if (!apiKeyOnly && oidc && looksLikeJwt(token)) return { key: (await oidc.verify(token)).caller };
      throw new AuthenticationError();
    }
    const cookie = apiKeyOnly || !sessions ? undefined : readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = cookie ? await sessions!.authenticate(cookie) : undefined;
    if (!session) throw new AuthenticationError();
    if (!SAFE_METHODS.has(req.method ?? '')) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) throw new CsrfError();
    }
    return { key: sessionCaller(session), session };
  };
}

/**
 * Route authorization through Tenet's own policy set. The set decides on principal type, role, action and area
 * alone, so a decision is cached per (policy hash, principal type, role, action, area): the cache empties itself
 * when the policy changes. Denies, and every allow outside the authorization hot path, go to the decision log like
 * any other decision, with the caller's id (a key id or a user's subject, never a secret).
 */
export class RouteGuard {
  private readonly pdp: PolicyDecisionPoint;
  private readonly log: DecisionLog;
  private readonly cache = new Map<string, Decision>();

  constructor(props: { pdp: PolicyDecisionPoint; log: DecisionLog }) {
    this.pdp = props.pdp;
    this.log = props.log;
  }

  decide(caller: Principal, gate: RouteGate): Decision {
    const cacheKey = `${this.pdp.active?.hash}|${principalType(caller)}|${caller.role}|${gate.action}|${gate.area}`;
    let decision = this.cache.get(cacheKey);
    if (!decision) {
      decision = this.pdp.authorize(tenetRequest(caller, gate));
      if (decision.errors.length === 0) {
        // Keys come from the policy hash, the principal type, the role and a gate written in code, never from
        // request input: a few dozen short keys per policy version. The cap only matters across many versions.
        if (this.cache.size > 1000) this.cache.clear();
        this.cache.set(cacheKey, decision);
      }
    }
    return decision;
  }

  async check(caller: Caller, gate: RouteGate, requestId: string): Promise<void> {
    const decision = this.decide(caller, gate);
    if (decision.decision === 'deny' || gate.area !== 'authorize') {
      await this.log.append(toDecisionRecord({ request: tenetRequest(caller, gate), decision, requestId, caller: caller.id }));
    }
    if (decision.decision !== 'allow') {
      throw new NotAllowedError(`The ${caller.role} role may not ${gate.action} ${gate.area.replace(/_/g, ' ')}.`);
    }
  }

  /**
   * What a caller may do, area by area, for every gate given (the app's route gates): the console shows exactly
   * what the server would allow. Asked of the same policy set as every request; not logged (nothing was done).
   */
  permissions(caller: Principal, gates: RouteGate[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const gate of gates) {
      const actions = (out[gate.area] ??= []);
      if (!actions.includes(gate.action) && this.decide(caller, gate).decision === 'allow') actions.push(gate.action);
    }
    return out;
  }
}
