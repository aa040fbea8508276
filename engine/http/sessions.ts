import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { TENET_ROLES, type TenetRole } from '../authz/api-keys.ts';
import type { Db } from '../db/database.ts';
import { announce } from '../db/change-feed.ts';
import { AuthenticationError, NotAllowedError, UnavailableError } from '../kernel/errors.ts';
import { ExpiringCache } from '../kernel/expiring-cache.ts';
import type { Caller } from './route.ts';

// ---------------------------------------------------------------------------------------------------------------
// Console sessions
// ---------------------------------------------------------------------------------------------------------------

export const SESSION_COOKIE = 'tenet_session';
/** Sessions end this long after sign-in, whatever the activity. */
const SESSION_TTL_MS = 8 * 3_600_000;

export interface SessionInfo {
  /** sha256 of the cookie's token (never the token). */
  idHash: string;
  csrfToken: string;
  subject: string;
  name: string;
  role: TenetRole;
  via: 'demo' | 'oidc';
  createdAt: Date;
  expiresAt: Date;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
/** 32 random bytes in base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Console sessions, one row each in console_sessions. The cookie carries a 256-bit random token; the table keeps
 * its sha256. Lookups are cached for a few seconds (like API keys); deleting a session drops it from this
 * replica's cache at once and is announced on the change feed, which drops it from the other replicas' caches (on
 * a server database; without the feed, they stop accepting it within the cache time). Expired rows are deleted lazily:
 * when met, and in bulk at most every few minutes when sessions are created.
 */
export class SessionStore {
  private readonly db: Db;
  private readonly cacheMs: number;
  private readonly ttlMs: number;
  private readonly cache = new ExpiringCache<SessionInfo | undefined>();
  private lastSweep = 0;

  constructor(props: { db: Db; cacheMs?: number; ttlMs?: number }) {
    this.db = props.db;
    this.cacheMs = props.cacheMs ?? 5_000;
    this.ttlMs = props.ttlMs ?? SESSION_TTL_MS;
  }

  async create(props: { subject: string; name: string; role: TenetRole; via: 'demo' | 'oidc' }): Promise<{ token: string; session: SessionInfo }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    if (now - this.lastSweep > 10 * 60_000) {
      this.lastSweep = now;
      await this.deleteExpired();
    }
    const row = await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: sha256(token),
        csrf_token: randomBytes(32).toString('base64url'),
        subject: props.subject,
        name: props.name,
        role: props.role,
        via: props.via,
        expires_at: new Date(now + this.ttlMs),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { token, session: toSession(row) };
  }

  /** The session for a cookie token, if it exists and has not expired. */
  async authenticate(token: string): Promise<SessionInfo | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const hash = sha256(token);
    const now = Date.now();
    const hit = this.cache.get(hash, now);
    let session: SessionInfo | undefined;
    if (hit) session = hit.value;
    else {
      // One round trip: find the live session and note that it was seen.
      const row = await this.db
        .updateTable('console_sessions')
        .set({ last_seen_at: new Date(now) })
        .where('id_hash', '=', hash)
        .where('expires_at', '>', new Date(now))
        .returningAll()
        .executeTakeFirst();
      session = row && timingSafeEqual(Buffer.from(row.id_hash), Buffer.from(hash)) ? toSession(row) : undefined;
      if (!session) await this.db.deleteFrom('console_sessions').where('id_hash', '=', hash).where('expires_at', '<=', new Date(now)).execute();
      this.cache.set(hash, session, Math.min(now + this.cacheMs, session?.expiresAt.getTime() ?? Infinity));
    }
    if (!session || session.expiresAt.getTime() <= now) return undefined;
    return session;
  }

  /** Ends a session (sign-out). Takes the cookie's token. */
  async delete(token: string): Promise<void> {
    if (!TOKEN.test(token)) return;
    const hash = sha256(token);
    this.cache.delete(hash);
    await this.db.deleteFrom('console_sessions').where('id_hash', '=', hash).execute();
    await announce(this.db, 'sessions');
  }

  /** Drops every cached lookup: another replica ended a session (the change feed). */
  forgetCached(): void {
    this.cache.clear();
  }

  async deleteExpired(now = new Date()): Promise<number> {
    const r = await this.db.deleteFrom('console_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toSession(row: {
  id_hash: string;
  csrf_token: string;
  subject: string;
  name: string;
  role: TenetRole;
  via: 'demo' | 'oidc';
  created_at: Date;
  expires_at: Date;
}): SessionInfo {
  return {
    idHash: row.id_hash,
    csrfToken: row.csrf_token,
    subject: row.subject,
    name: row.name,
    role: row.role,
    via: row.via,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** A session as a caller of Tenet's routes: a Tenet::User in the session's role. */
export const sessionCaller = (s: SessionInfo): Caller => ({ id: s.subject, name: s.name, role: s.role, via: 'session' });

/** The value of one cookie in a Cookie header (the first, if repeated), without a cookie library. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

/** The Set-Cookie value that sets (token) or clears (undefined) the session cookie. */
export function sessionCookie(token: string | undefined, secure: boolean, maxAgeMs = SESSION_TTL_MS): string {
  const maxAge = token === undefined ? 0 : Math.floor(maxAgeMs / 1000);
  return `${SESSION_COOKIE}=${token ?? ''}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/** Constant-time equality of two strings (false when their lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ---------------------------------------------------------------------------------------------------------------
// OIDC bearer tokens
// ---------------------------------------------------------------------------------------------------------------

export interface OidcOptions {
  issuer: string;
  /** The token's audience. */
  clientId: string;
  /** Where the Tenet role is: a claim holding a string or an array of strings (e.g. cognito:groups). */
  roleClaim: string;
  /** Default: jwks_uri from the issuer's /.well-known/openid-configuration, fetched once when first needed. */
  jwksUrl?: string;
  /** For confidential clients: sent (HTTP Basic) when the console's sign-in code is traded for tokens. */
  clientSecret?: string;
  /** Scopes the console asks for. */
  scopes: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** Asymmetric algorithms only: a shared-secret (HS*) token can never be accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export const looksLikeJwt = (token: string): boolean => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) && token.length <= 16_384;

/**
 * Verifies ID tokens from the configured OpenID Connect provider: signature by a key in the provider's JWKS
 * (asymmetric algorithms only), issuer, audience (the client id), expiry. The Tenet role comes from the configured
 * claim. A bad token is a 401; a good token without a Tenet role a 403; a provider that cannot be reached a 503.
 * Messages never quote the token.
 */
export class OidcVerifier {
  readonly options: OidcOptions;
  private jwks: Promise<JWTVerifyGetKey> | undefined;

  constructor(options: OidcOptions) {
    this.options = options;
  }

  private discovered: Promise<Discovery> | undefined;

  /** The provider's endpoints, from its /.well-known/openid-configuration (fetched once; a failure is retried). */
  discovery(): Promise<Discovery> {
    if (this.discovered) return this.discovered;
    const discovered = (async () => {
      const url = `${this.options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`openid-configuration answered ${res.status}`);
      const doc = (await res.json()) as Record<string, unknown>;
      if (doc.issuer !== this.options.issuer) throw new Error('openid-configuration names another issuer');
      for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
        if (typeof doc[k] !== 'string' || !/^https?:\/\//.test(doc[k] as string)) throw new Error(`openid-configuration has no ${k}`);
      }
      return doc as unknown as Discovery;
    })();
    this.discovered = discovered;
    discovered.catch(() => {
      if (this.discovered === discovered) this.discovered = undefined;
    });
    return discovered;
  }

  private keys(): Promise<JWTVerifyGetKey> {
    if (this.jwks) return this.jwks;
    const jwks = (async () => createRemoteJWKSet(new URL(this.options.jwksUrl ?? (await this.discovery()).jwks_uri)))();
    this.jwks = jwks;
    // A failed discovery is retried by the next request rather than remembered.
    jwks.catch(() => {
      if (this.jwks === jwks) this.jwks = undefined;
    });
    return jwks;
  }

  /**
   * The console's sign-in: the authorization code (with its PKCE verifier) traded at the provider's token endpoint,
   * server-side, for an ID token that is then verified like any bearer token. The browser never holds a token.
   */
  async exchangeCode(props: { code: string; codeVerifier: string; redirectUri: string }): Promise<{ caller: Caller; expiresAt: Date }> {
    let endpoint: string;
    try {
      endpoint = (await this.discovery()).token_endpoint;
    } catch {
      throw new UnavailableError('The identity provider could not be reached. Try again shortly.');
    }
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.options.clientSecret) {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString('base64')}`;
    }
    let res: globalThis.Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers,
        signal: AbortSignal.timeout(10_000),
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: props.code,
          code_verifier: props.codeVerifier,
          redirect_uri: props.redirectUri,
          client_id: this.options.clientId,
        }),
      });
    } catch {
      throw new UnavailableError('The identity provider could not be reached. Try again shortly.');
    }
    const body = (await res.json().catch(() => ({}))) as { id_token?: unknown };
    if (!res.ok || typeof body.id_token !== 'string') {
      throw new AuthenticationError('The identity provider did not accept the sign-in (the code may have expired). Sign in again.');
    }
    return this.verify(body.id_token);
  }

  async verify(token: string): Promise<{ caller: Caller; expiresAt: Date }> {
    if (!looksLikeJwt(token)) throw new AuthenticationError('The token is not a JWT.');
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keys();
    } catch {
      throw new UnavailableError('The identity provider’s signing keys could not be fetched. Try again shortly.');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.clientId,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 30,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid || !(error instanceof joseErrors.JOSEError)) {
        throw new UnavailableError('The identity provider’s signing keys could not be fetched. Try again shortly.');
      }
      throw new AuthenticationError(`The OIDC token was refused (${error.code}).`);
    }
    const role = pickRole(claim(payload, this.options.roleClaim));
    if (!role) {
      throw new NotAllowedError(
        `Your identity has no Tenet role: the "${this.options.roleClaim}" claim must hold one of ${TENET_ROLES.join(', ')}. Ask your identity provider's administrator.`,
      );
    }
    const sub = String(payload.sub).slice(0, 200);
    const nameClaim = [payload.name, payload.preferred_username, payload['cognito:username'], payload.email].find((v) => typeof v === 'string' && v.trim());
    const name = typeof nameClaim === 'string' ? nameClaim.trim().slice(0, 200) : sub;
    return { caller: { id: sub, name, role, via: 'oidc' }, expiresAt: new Date((payload.exp ?? 0) * 1000) };
  }
}

/** A claim by name, or by dotted path (realm_access.roles) when no claim has that exact name. */
function claim(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let v: unknown = payload;
  for (const part of name.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** The first value that is a Tenet role, from a string or an array of strings. */
function pickRole(value: unknown): TenetRole | undefined {
  const values = Array.isArray(value) ? value : [value];
  return values.find((v): v is TenetRole => typeof v === 'string' && (TENET_ROLES as readonly string[]).includes(v));
}
