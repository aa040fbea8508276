import { createHash, randomBytes } from 'node:crypto';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore, sessionCookie } from '../../engine/http/sessions.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { startOidcProvider, type OidcProvider } from '../fixtures/oidc-provider.ts';

const CLIENT_ID = 'tenet-console-test';
const ROLE_CLAIM = 'cognito:groups';

// ---------------------------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function send(
  app: TestApp,
  path: string,
  init: { method?: string; cookie?: string; csrf?: string; bearer?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = `other=1; tenet_session=${init.cookie}`;
  if (init.csrf) headers['x-csrf-token'] = init.csrf;
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(app.url + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body, text, headers: res.headers };
}

const cookieOf = (res: Answer): string => {
  const m = /(?:^|,\s*)tenet_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '');
  if (!m?.[1]) throw new Error('no session cookie set');
  return m[1];
};

async function signIn(app: TestApp, demoRole: string): Promise<{ cookie: string; csrf: string; res: Answer }> {
  const res = await send(app, '/v1/session', { body: { demoRole } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { cookie: cookieOf(res), csrf: res.body.csrfToken, res };
}

let idp: OidcProvider;
let t: TestApp;
let off: TestApp;
beforeAll(async () => {
  idp = await startOidcProvider({ clientId: CLIENT_ID });
  t = await startTestApp({
    controls: {},
    auth: { demoSignIn: true, oidc: { issuer: idp.issuer, clientId: CLIENT_ID, roleClaim: ROLE_CLAIM, scopes: 'openid email' } },
  });
  off = await startTestApp();
});
afterAll(async () => {
  await t?.close();
  await off?.close();
  await idp?.close();
});

describe('demo sign-in', () => {
  it('options name the demo users and the OIDC provider', async () => {
    const res = await send(t, '/v1/session/options');
    expect(res.status).toBe(200);
    expect(res.body.demo).toBe(true);
    expect(res.body.demoUsers.map((u: any) => u.role)).toEqual(['admin', 'security_officer', 'auditor']);
    for (const u of res.body.demoUsers) expect(u).toMatchObject({ name: expect.any(String), description: expect.any(String) });
    expect(res.body.oidc).toEqual({
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      roleClaim: ROLE_CLAIM,
      scopes: 'openid email',
      authorizationEndpoint: `${idp.issuer}/authorize`,
    });
    expect(res.body.session).toBeNull();
  });

  it('options also name the session of the cookie sent (one public call at console start, no 401 to log)', async () => {
    const { cookie } = await signIn(t, 'auditor');
    const res = await send(t, '/v1/session/options', { cookie });
    expect(res.status).toBe(200);
    expect(res.body.session).toMatchObject({ user: { role: 'auditor', via: 'demo' }, csrfToken: expect.any(String) });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await send(t, '/v1/session/options', { cookie: 'x'.repeat(43) })).body.session).toBeNull();
  });

  it('per role: 201, an HttpOnly SameSite=Strict cookie, the session and its permissions', async () => {
    const perms: Record<string, Record<string, string[]>> = {};
    for (const role of ['admin', 'security_officer', 'auditor']) {
      const { res, cookie, csrf } = await signIn(t, role);
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^tenet_session=[A-Za-z0-9_-]{43}; /);
      for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=28800']) expect(setCookie).toContain(attr);
      expect(setCookie).not.toContain('Secure'); // plain http and cookieSecure 'auto'
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({ user: { id: `demo-${role}`, name: expect.any(String), role, via: 'demo' }, csrfToken: expect.any(String) });
      expect(csrf).not.toBe(cookie);
      const ttl = new Date(res.body.expiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(8 * 3_600_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(8 * 3_600_000);
      // The session body never carries the cookie's token.
      expect(res.text).not.toContain(cookie);
      perms[role] = res.body.permissions;
    }
    expect(perms.auditor!.policies).not.toContain('read');
    expect(perms.auditor!.controls).toEqual(['read']);
    expect(perms.auditor!.packs).toEqual(expect.arrayContaining(['build', 'read']));
    expect(perms.auditor!.api_keys).toEqual([]);
    expect(perms.security_officer!.controls).toEqual(expect.arrayContaining(['read', 'run']));
    expect(perms.security_officer!.policies).toEqual(expect.arrayContaining(['read', 'activate']));
    expect(perms.security_officer!.api_keys).toEqual([]);
    expect(perms.security_officer!.metrics).toEqual(['read']);
    expect(perms.admin!.api_keys).toEqual(expect.arrayContaining(['read', 'write']));
    // Every area the routes gate is listed, even when nothing in it is allowed.
    expect(Object.keys(perms.auditor!).sort()).toEqual(Object.keys(perms.admin!).sort());
  });

  it('the cookie authenticates GETs; GET /v1/session answers the same session', async () => {
    const { cookie, csrf } = await signIn(t, 'auditor');
    const me = await send(t, '/v1/session', { cookie });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { id: 'demo-auditor', role: 'auditor', via: 'demo' }, csrfToken: csrf });
    expect((await send(t, '/v1/controls', { cookie })).status).toBe(200);
    expect((await send(t, '/v1/decisions', { cookie })).status).toBe(200);
  });

  it('unsafe cookie requests need the x-csrf-token; with it they pass the gate', async () => {
    const { cookie, csrf } = await signIn(t, 'security_officer');
    for (const bad of [undefined, 'wrong', csrf.slice(0, -1) + (csrf.endsWith('A') ? 'B' : 'A'), cookie]) {
      const res = await send(t, '/v1/controls/run', { cookie, csrf: bad, body: { controls: [] } });
      expect(res.status, String(bad)).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'csrf_failed', requestId: expect.any(String) });
      expect(res.text).not.toContain(cookie);
      expect(res.text).not.toContain(csrf);
    }
    for (const method of ['PUT', 'DELETE']) {
      const path = method === 'PUT' ? '/v1/policies' : '/v1/exceptions/not-a-real-id';
      const res = await send(t, path, { method, cookie, body: method === 'PUT' ? {} : undefined });
      expect(res.status, method).toBe(403);
      expect(res.body.error.code).toBe('csrf_failed');
    }
    const ok = await send(t, '/v1/controls/run', { cookie, csrf, body: { controls: [] } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ runs: [] });
    // Past the gate to the body check: a 400, not a 403.
    const invalid = await send(t, '/v1/exceptions', { cookie, csrf, body: {} });
    expect(invalid.status).toBe(400);
  });

  it('an auditor session is refused policies (403), and the deny is logged with the user as caller', async () => {
    const { cookie, csrf } = await signIn(t, 'auditor');
    const res = await send(t, '/v1/policies', { cookie });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(res.text).not.toContain(cookie);
    // The role gate comes after CSRF: a write with the token is still refused by the policy.
    const write = await send(t, '/v1/controls/run', { cookie, csrf, body: { controls: [] } });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('forbidden');
    await t.authz.decisionLog.flush();
    const rows = await t.database.db.selectFrom('decisions').selectAll().where('principal_type', '=', 'Tenet::User').where('decision', '=', 'deny').execute();
    const policies = rows.find((r) => r.resource_id === 'policies' && r.principal_id === 'demo-auditor');
    expect(policies).toMatchObject({ caller: 'demo-auditor', action: 'read', resource_type: 'Tenet::Area' });
    expect(rows.find((r) => r.resource_id === 'controls' && r.action === 'run')).toMatchObject({ caller: 'demo-auditor' });
    expect(JSON.stringify(rows)).not.toContain(cookie);
    expect(JSON.stringify(rows)).not.toContain(csrf);
  });

  it('a bearer API key needs no CSRF token and wins over a cookie; GET /v1/session describes the key', async () => {
    const { cookie } = await signIn(t, 'auditor');
    const me = await send(t, '/v1/session', { bearer: t.keys.admin, cookie });
    expect(me.body).toMatchObject({ user: { role: 'admin', via: 'api_key' }, csrfToken: null, expiresAt: null });
    expect(me.body.permissions.api_keys).toEqual(expect.arrayContaining(['read', 'write']));
    expect((await send(t, '/v1/controls/run', { bearer: t.keys.security_officer, body: { controls: [] } })).status).toBe(200);
    // An unknown bearer never falls back to the cookie.
    expect((await send(t, '/v1/controls', { bearer: 'not-a-real-key-but-long-enough-000000', cookie })).status).toBe(401);
  });

  it('a cookie is never accepted on the authorization routes (fast path or Express)', async () => {
    const { cookie, csrf } = await signIn(t, 'admin');
    const body = { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } };
    for (const path of ['/v1/authorize', '/v1/authorize/', '/V1/Authorize', '/v1/authorize/batch']) {
      const res = await send(t, path, { cookie, csrf, body: path.endsWith('batch') ? { requests: [body] } : body });
      expect(res.status, path).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
    // The admin's key does work there.
    expect((await send(t, '/v1/authorize', { bearer: t.keys.admin, body })).status).toBe(200);
  });

  it('sign-out deletes the session: the cookie stops working at once', async () => {
    const { cookie, csrf } = await signIn(t, 'security_officer');
    expect((await send(t, '/v1/controls', { cookie })).status).toBe(200);
    // Sign-out is unsafe: it needs the token too.
    expect((await send(t, '/v1/session', { method: 'DELETE', cookie })).body.error.code).toBe('csrf_failed');
    const out = await send(t, '/v1/session', { method: 'DELETE', cookie, csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^tenet_session=; .*Max-Age=0/);
    expect((await send(t, '/v1/controls', { cookie })).status).toBe(401);
    const me = await send(t, '/v1/session', { cookie });
    expect(me.status).toBe(401);
    expect(me.text).not.toContain(cookie);
    expect(await t.database.db.selectFrom('console_sessions').select('id_hash').where('csrf_token', '=', csrf).executeTakeFirst()).toBeUndefined();
  });

  it('signing in again replaces the browser’s previous session', async () => {
    const first = await signIn(t, 'auditor');
    const res = await send(t, '/v1/session', { cookie: first.cookie, body: { demoRole: 'admin' } });
    expect(res.status).toBe(201);
    expect((await send(t, '/v1/session', { cookie: first.cookie })).status).toBe(401);
    expect((await send(t, '/v1/session', { cookie: cookieOf(res) })).body.user.role).toBe('admin');
  });

  it('refuses bad sign-in bodies, forged cookies and expired sessions', async () => {
    expect((await send(t, '/v1/session', { body: { demoRole: 'service' } })).status).toBe(400);
    expect((await send(t, '/v1/session', { body: {} })).status).toBe(400);
    expect((await send(t, '/v1/session', { body: { demoRole: 'admin', idToken: 'x.y.z' } })).status).toBe(400);
    expect((await send(t, '/v1/session', { cookie: 'A'.repeat(43) })).status).toBe(401);
    expect((await send(t, '/v1/session', { cookie: 'garbage' })).status).toBe(401);
    const store = new SessionStore({ db: t.database.db, ttlMs: 20 });
    const { token } = await store.create({ subject: 'demo-admin', name: 'Ada Admin', role: 'admin', via: 'demo' });
    await new Promise((r) => setTimeout(r, 60));
    expect(await store.authenticate(token)).toBeUndefined();
    expect((await send(t, '/v1/session', { cookie: token })).status).toBe(401);
    expect(await t.database.db.selectFrom('console_sessions').select('id_hash').where('expires_at', '<=', new Date()).execute()).toEqual([]);
  });

  it('the Secure flag when configured (or over https)', () => {
    expect(sessionCookie('tok', true)).toBe('tenet_session=tok; HttpOnly; SameSite=Strict; Path=/; Max-Age=28800; Secure');
    expect(sessionCookie(undefined, false)).toBe('tenet_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  });

  it('demo sign-in is refused when the app runs without demo', async () => {
    const options = await send(off, '/v1/session/options');
    expect(options.body).toEqual({ demo: false, demoUsers: [], oidc: null, session: null });
    const res = await send(off, '/v1/session', { body: { demoRole: 'admin' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(res.headers.get('set-cookie')).toBeNull();
    const token = await idp.sign({ sub: 'u', [ROLE_CLAIM]: 'admin' });
    expect((await send(off, '/v1/session', { body: { idToken: token } })).status).toBe(403);
    // Without OIDC configured a JWT bearer is just an unknown key.
    expect((await send(off, '/v1/session', { bearer: token })).status).toBe(401);
  });
});

describe('OIDC', () => {
  it('a valid token with a role claim: allowed per role, as a Tenet::User', async () => {
    const officer = await idp.sign({ sub: 'oidc-officer', name: 'Olivia Officer', [ROLE_CLAIM]: 'security_officer' });
    expect((await send(t, '/v1/policies', { bearer: officer })).status).toBe(200);
    // A bearer token needs no CSRF token.
    expect((await send(t, '/v1/controls/run', { bearer: officer, body: { controls: [] } })).status).toBe(200);
    expect((await send(t, '/v1/api-keys', { bearer: officer })).status).toBe(403);
    const me = await send(t, '/v1/session', { bearer: officer });
    expect(me.body).toMatchObject({ user: { id: 'oidc-officer', name: 'Olivia Officer', role: 'security_officer', via: 'oidc' }, csrfToken: null });
    expect(me.body.permissions.controls).toEqual(expect.arrayContaining(['read', 'run']));
    const auditor = await idp.sign({ sub: 'oidc-auditor', [ROLE_CLAIM]: 'auditor' });
    expect((await send(t, '/v1/policies', { bearer: auditor })).status).toBe(403);
    expect((await send(t, '/v1/controls', { bearer: auditor })).status).toBe(200);
    await t.authz.decisionLog.flush();
    const row = await t.database.db
      .selectFrom('decisions')
      .selectAll()
      .where('principal_id', '=', 'oidc-auditor')
      .where('resource_id', '=', 'policies')
      .executeTakeFirst();
    expect(row).toMatchObject({ principal_type: 'Tenet::User', decision: 'deny', caller: 'oidc-auditor' });
    // The discovery document was fetched once, when first needed.
    expect(idp.discoveryHits).toBe(1);
  });

  it('an array claim (cognito:groups) picks the first value that is a Tenet role', async () => {
    const token = await idp.sign({ sub: 'oidc-groups', [ROLE_CLAIM]: ['everyone', 'auditor', 'admin'] });
    const me = await send(t, '/v1/session', { bearer: token });
    expect(me.body.user).toMatchObject({ role: 'auditor', via: 'oidc' });
    expect((await send(t, '/v1/api-keys', { bearer: token })).status).toBe(403);
  });

  it('an ID token signs in to a cookie session (via oidc)', async () => {
    const idToken = await idp.sign({ sub: 'oidc-admin', email: 'admin@example.test', [ROLE_CLAIM]: ['admin'] });
    const res = await send(t, '/v1/session', { body: { idToken } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { id: 'oidc-admin', name: 'admin@example.test', role: 'admin', via: 'oidc' }, csrfToken: expect.any(String) });
    expect(res.text).not.toContain(idToken);
    const cookie = cookieOf(res);
    expect((await send(t, '/v1/api-keys', { cookie })).status).toBe(200);
  });

  it('the console’s code flow: Tenet trades the code and PKCE verifier for the ID token server-side', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = `${t.url}/signin/callback`;
    const idToken = await idp.sign({ sub: 'oidc-officer', name: 'Olu Officer', [ROLE_CLAIM]: ['staff', 'security_officer'] });
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = idp.issueCode({ challenge, redirectUri, idToken });
    // A wrong verifier is refused by the provider: 401, and the code is not spent.
    const wrong = await send(t, '/v1/session', { body: { code, codeVerifier: randomBytes(32).toString('base64url'), redirectUri } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(code);
    const res = await send(t, '/v1/session', { body: { code, codeVerifier: verifier, redirectUri } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ user: { id: 'oidc-officer', name: 'Olu Officer', role: 'security_officer', via: 'oidc' } });
    expect(res.text).not.toContain(idToken);
    expect((await send(t, '/v1/controls', { cookie: cookieOf(res) })).status).toBe(200);
    // A code is good once.
    expect((await send(t, '/v1/session', { body: { code, codeVerifier: verifier, redirectUri } })).status).toBe(401);
    // A code without its verifier is a bad request.
    expect((await send(t, '/v1/session', { body: { code } })).status).toBe(400);
  });

  it('refuses tokens that are not this provider’s, for this client, valid now, asymmetric (401)', async () => {
    const claims = { sub: 'mallory', [ROLE_CLAIM]: 'admin' };
    const bad: Record<string, string> = {
      'wrong audience': await idp.sign(claims, { aud: 'another-client' }),
      expired: await idp.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }),
      'wrong issuer': await idp.sign(claims, { iss: 'https://evil.example' }),
      HS256: await idp.signHs256(claims),
      'another key': await idp.sign(claims, { other: true }),
      unsigned: new UnsecuredJWT(claims).setIssuer(idp.issuer).setAudience(CLIENT_ID).setExpirationTime('10m').encode(),
      'not a JWT': 'a.b',
    };
    for (const [name, token] of Object.entries(bad)) {
      const res = await send(t, '/v1/api-keys', { bearer: token });
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe('unauthenticated');
      expect(res.text, name).not.toContain(token);
      const signIn = await send(t, '/v1/session', { body: { idToken: token } });
      expect(signIn.status, `sign-in: ${name}`).toBe(401);
      expect(signIn.headers.get('set-cookie')).toBeNull();
      expect(signIn.text).not.toContain(token);
    }
  });

  it('a valid token without a Tenet role → 403 with a clear message', async () => {
    for (const claims of [{ sub: 'no-role' }, { sub: 'no-tenet-role', [ROLE_CLAIM]: ['everyone', 'developers'] }, { sub: 'weird', [ROLE_CLAIM]: 42 }]) {
      const token = await idp.sign(claims);
      const res = await send(t, '/v1/controls', { bearer: token });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toMatch(/no Tenet role.*cognito:groups/);
      expect(res.text).not.toContain(token);
      expect((await send(t, '/v1/session', { body: { idToken: token } })).status).toBe(403);
    }
  });

  it('an OIDC token is never accepted on the authorization routes', async () => {
    const token = await idp.sign({ sub: 'oidc-admin', [ROLE_CLAIM]: 'admin' });
    const body = { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } };
    expect((await send(t, '/v1/authorize', { bearer: token, body })).status).toBe(401);
    expect((await send(t, '/v1/authorize/', { bearer: token, body })).status).toBe(401);
  });
});
