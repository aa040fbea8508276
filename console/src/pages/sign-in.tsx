import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { call, client } from '../api.ts';
import { oidcCallback, startOidcSignIn } from '../oidc.ts';
import { ROLE_LABEL, useSession } from '../session.tsx';
import { ErrorState, Loading } from '../ui/states.tsx';

export function SignIn(props: { startupError: unknown }) {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(props.startupError);
  const options = useQuery({ queryKey: ['session-options'], queryFn: () => call(client.GET('/v1/session/options')) });

  useEffect(() => {
    document.title = 'Sign in — Tenet';
  }, []);

  // Coming back from the identity provider: Tenet trades the code for a session.
  const oidc = options.data?.oidc;
  const callbackHandled = useRef(false);
  useEffect(() => {
    if (!oidc || callbackHandled.current) return;
    callbackHandled.current = true;
    let callback: ReturnType<typeof oidcCallback>;
    try {
      callback = oidcCallback();
    } catch (e) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- the callback URL is read once, when the options arrive
      setError(e);
      return;
    }
    if (!callback) return;
    const { body, returnTo } = callback;
    setBusy('oidc');
    signIn(body)
      .then(() => navigate(returnTo, { replace: true }))
      .catch((e: unknown) => setError(e))
      .finally(() => setBusy(null));
  }, [oidc, signIn, navigate]);

  const run = (label: string, f: () => Promise<void>) => async () => {
    setBusy(label);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <main id="main" className="signin">
      <div className="signin-card">
        <p className="brand signin-brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Tenet
        </p>
        <h1 id="page-title">Sign in to the compliance console</h1>
        <p className="lead">Control posture, policies and evidence for your restricted integrations.</p>
        {error ? <ErrorState title="Sign-in failed" error={error} /> : null}
        {options.isPending ? <Loading /> : null}
        {options.isError ? <ErrorState error={options.error} retry={() => void options.refetch()} /> : null}
        {options.data?.oidc?.authorizationEndpoint ? (
          <button
            type="button"
            className="btn btn-primary btn-block"
            disabled={busy !== null}
            onClick={run('oidc', () => startOidcSignIn({ ...options.data.oidc!, authorizationEndpoint: options.data.oidc!.authorizationEndpoint! }))}
          >
            {busy === 'oidc' ? 'Signing in…' : 'Sign in with your organisation'}
          </button>
        ) : null}
        {options.data?.oidc && !options.data.oidc.authorizationEndpoint ? (
          <p role="alert" className="notice notice-bad">
            Your organisation’s identity provider ({options.data.oidc.issuer}) cannot be reached just now. Try again in a minute.
          </p>
        ) : null}
        {options.data?.demo ? (
          <section aria-labelledby="demo-users" className="demo-users">
            <h2 id="demo-users">Demo users</h2>
            <p className="muted small">
              This server runs with <code>--demo</code>: pick a role to explore the console.
            </p>
            <ul>
              {options.data.demoUsers.map((u) => (
                <li key={u.role}>
                  <button type="button" className="btn btn-block demo-user" disabled={busy !== null} onClick={run(u.role, () => signIn({ demoRole: u.role }))}>
                    <span>Sign in as {ROLE_LABEL[u.role] ?? u.role}</span>
                    <span className="muted small">{busy === u.role ? 'Signing in…' : `${u.name}${u.description ? ` — ${u.description}` : ''}`}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {options.data && !options.data.demo && !options.data.oidc ? (
          <p>
            No sign-in method is configured. An administrator sets <code>TENET_OIDC_ISSUER</code> and <code>TENET_OIDC_CLIENT_ID</code> (see
            docs/configuration.md).
          </p>
        ) : null}
      </div>
    </main>
  );
}
