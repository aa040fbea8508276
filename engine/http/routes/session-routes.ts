import type { Request, Response } from 'express';
import { z } from 'zod';
import { TENET_ROLES, type TenetRole } from '../../authz/api-keys.ts';
import { NotAllowedError } from '../../kernel/errors.ts';
import type { RouteGuard } from '../access.ts';
import { defineRoute, type Caller, type RouteDef, type RouteGate } from '../route.ts';
import { readCookie, SESSION_COOKIE, sessionCaller, sessionCookie, type OidcVerifier, type SessionInfo, type SessionStore } from '../sessions.ts';

/** The people behind demo sign-in (`tenet serve --demo` only): one per role a person would hold. */
const DEMO_USERS: Array<{ role: Exclude<TenetRole, 'service'>; name: string; description: string }> = [
  { role: 'admin', name: 'Ada Admin', description: 'Everything, including API keys and settings.' },
  {
    role: 'security_officer',
    name: 'Sam Security',
    description: 'Reads everything but API keys; runs controls, approves exceptions, activates policies, builds packs.',
  },
  {
    role: 'auditor',
    name: 'Alex Auditor',
    description: 'Read-only proof: controls, integrations, exceptions, evidence, decisions, PII reveals, packs; builds packs. No policies.',
  },
];
const DEMO_ROLES = DEMO_USERS.map((u) => u.role) as [Exclude<TenetRole, 'service'>, ...Array<Exclude<TenetRole, 'service'>>];

const sessionSchema = z
  .object({
    user: z.object({ id: z.string(), name: z.string(), role: z.enum(TENET_ROLES), via: z.enum(['demo', 'oidc', 'api_key']) }),
    csrfToken: z.string().nullable(),
    expiresAt: z.string().nullable(),
    permissions: z.record(z.string(), z.array(z.string())),
  })
  .meta({ id: 'Session' });

const optionsSchema = z.object({
  demo: z.boolean(),
  demoUsers: z.array(z.object({ role: z.enum(DEMO_ROLES), name: z.string(), description: z.string() })),
  oidc: z
    .object({ issuer: z.string(), clientId: z.string(), roleClaim: z.string(), scopes: z.string(), authorizationEndpoint: z.string().nullable() })
    .nullable(),
  /** The session of the cookie sent, if any: the console learns who is signed in with this one public call. */
  session: sessionSchema.nullable(),
});

export function sessionRoutes(deps: {
  sessions: SessionStore;
  guard: RouteGuard;
  /** Every gate among the app's routes: what `permissions` is computed over. */
  gates: () => RouteGate[];
  demoSignIn: boolean;
  oidc?: OidcVerifier;
  cookieSecure: 'auto' | boolean;
}): RouteDef[] {
  const { sessions, guard, oidc } = deps;
  const secure = (req: Request): boolean => (deps.cookieSecure === 'auto' ? req.secure : deps.cookieSecure);

  const answer = (res: Response, caller: Caller, session: SessionInfo | undefined) => {
    // The answer carries the CSRF token: no cache may keep it.
    res.setHeader('cache-control', 'no-store');
    const via = session ? session.via : caller.via === 'api_key' ? 'api_key' : 'oidc';
    return sessionSchema.parse({
      user: { id: caller.id, name: caller.name, role: caller.role, via },
      csrfToken: session?.csrfToken ?? null,
      expiresAt: session?.expiresAt.toISOString() ?? null,
      permissions: guard.permissions(caller, deps.gates()),
    });
  };

  return [
    defineRoute({
      method: 'get',
      path: '/v1/session/options',
      summary: 'How to sign in to the console: demo users (with --demo) and the OIDC provider, if configured.',
      tag: 'Session',
      gate: 'public',
      response: optionsSchema,
      handler: async ({ req, res }) => {
        const token = readCookie(req.headers.cookie, SESSION_COOKIE);
        const session = token ? await sessions.authenticate(token) : undefined;
        res.setHeader('cache-control', 'no-store');
        return {
          demo: deps.demoSignIn,
          demoUsers: deps.demoSignIn ? DEMO_USERS : [],
          oidc: oidc
            ? {
                issuer: oidc.options.issuer,
                clientId: oidc.options.clientId,
                roleClaim: oidc.options.roleClaim,
                scopes: oidc.options.scopes,
                // null when the provider cannot be reached just now: the console says so.
                authorizationEndpoint: await oidc.discovery().then(
                  (d) => d.authorization_endpoint,
                  () => null,
                ),
              }
            : null,
          session: session ? answer(res, sessionCaller(session), session) : null,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/session',
      summary:
        'Console sign-in: `{demoRole}` (only with --demo), `{code, codeVerifier, redirectUri}` (the OIDC authorization code flow ' +
        'with PKCE: Tenet trades the code for an ID token at the provider) or `{idToken}` (an ID token from the configured provider). ' +
        'Sets the httpOnly `tenet_session` cookie (8 h); unsafe requests with it need `x-csrf-token: <csrfToken>`.',
      tag: 'Session',
      gate: 'public',
      body: z
        .object({
          demoRole: z.enum(DEMO_ROLES).optional(),
          idToken: z.string().min(1).max(16_384).optional(),
          code: z.string().min(1).max(4096).optional(),
          codeVerifier: z
            .string()
            .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'a PKCE code verifier (RFC 7636)')
            .optional(),
          redirectUri: z
            .url({ protocol: /^https?$/ })
            .max(2048)
            .optional(),
        })
        .strict()
        .refine(
          (b) => [b.demoRole, b.idToken, b.code].filter((v) => v !== undefined).length === 1,
          'give exactly one of demoRole, idToken or code (with codeVerifier and redirectUri)',
        )
        .refine((b) => b.code === undefined || (b.codeVerifier !== undefined && b.redirectUri !== undefined), 'code needs codeVerifier and redirectUri'),
      response: sessionSchema,
      statuses: { 201: 'Signed in', 401: 'The ID token was refused', 403: 'Demo sign-in is off, OIDC is not configured, or the identity has no Tenet role' },
      handler: async ({ body, req, res }) => {
        let props: { subject: string; name: string; role: TenetRole; via: 'demo' | 'oidc' };
        if (body.demoRole) {
          if (!deps.demoSignIn) throw new NotAllowedError('Demo sign-in is off: it is available only when Tenet runs with --demo.');
          const user = DEMO_USERS.find((u) => u.role === body.demoRole)!;
          props = { subject: `demo-${user.role}`, name: user.name, role: user.role, via: 'demo' };
        } else {
          if (!oidc) throw new NotAllowedError('OIDC sign-in is not configured (TENET_OIDC_ISSUER, TENET_OIDC_CLIENT_ID).');
          const { caller } = body.code
            ? await oidc.exchangeCode({ code: body.code, codeVerifier: body.codeVerifier!, redirectUri: body.redirectUri! })
            : await oidc.verify(body.idToken ?? '');
          props = { subject: caller.id, name: caller.name, role: caller.role, via: 'oidc' };
        }
        // Signing in again replaces the session this browser had.
        const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
        if (previous) await sessions.delete(previous);
        const { token, session } = await sessions.create(props);
        res.setHeader('set-cookie', sessionCookie(token, secure(req)));
        res.status(201);
        return answer(res, { id: session.subject, name: session.name, role: session.role, via: 'session' }, session);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/session',
      summary: 'The caller (cookie session, OIDC token or API key), its CSRF token and what it may do, area by area.',
      tag: 'Session',
      gate: 'authenticated',
      response: sessionSchema,
      handler: ({ key, res }) => answer(res, key, res.locals.session as SessionInfo | undefined),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/session',
      summary: 'Signs out: deletes the session and clears the cookie (with a bearer token there is nothing to end).',
      tag: 'Session',
      gate: 'authenticated',
      statuses: { 204: 'Signed out' },
      response: 'none',
      handler: async ({ req, res }) => {
        const token = res.locals.session ? readCookie(req.headers.cookie, SESSION_COOKIE) : undefined;
        if (token) await sessions.delete(token);
        res.setHeader('set-cookie', sessionCookie(undefined, secure(req)));
        res.setHeader('cache-control', 'no-store');
        res.status(204);
      },
    }),
  ];
}
