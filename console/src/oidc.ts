/**
 * OpenID Connect sign-in for production: the authorization code flow with PKCE against the configured issuer
 * (Cognito or any other). The browser only navigates to the provider; the code comes back to Tenet, which trades
 * it for the ID token server-side, verifies it against the issuer's JWKS and answers with an httpOnly cookie
 * session. No token is ever held by the browser (so the console's CSP keeps `connect-src 'self'`). Only the PKCE
 * verifier and the state live in sessionStorage, for the length of the redirect.
 */
const PENDING = 'tenet.oidc.pending';
const CALLBACK_PATH = '/signin/callback';

export interface OidcOptions {
  authorizationEndpoint: string;
  clientId: string;
  scopes?: string;
}

const b64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const random = (n: number): string => b64url(crypto.getRandomValues(new Uint8Array(n)));
const redirectUri = (): string => `${location.origin}${CALLBACK_PATH}`;

export async function startOidcSignIn(oidc: OidcOptions): Promise<void> {
  const verifier = random(32);
  const state = random(16);
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo: location.pathname === CALLBACK_PATH ? '/' : location.pathname }));
  const url = new URL(oidc.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scopes ?? 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On the callback page: what POST /v1/session needs to finish the sign-in (undefined when this is not a callback). */
export function oidcCallback(): { body: { code: string; codeVerifier: string; redirectUri: string }; returnTo: string } | undefined {
  if (location.pathname !== CALLBACK_PATH) return undefined;
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PENDING);
  if (params.get('error')) throw new Error(`The identity provider refused the sign-in: ${params.get('error_description') ?? params.get('error')}`);
  const code = params.get('code');
  if (!code || !pending || params.get('state') !== pending.state) throw new Error('This sign-in link is not valid any more. Sign in again.');
  return { body: { code, codeVerifier: pending.verifier, redirectUri: redirectUri() }, returnTo: pending.returnTo };
}
