import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, call, client, configureApi, type RequestBody, type Schemas } from './api.ts';

type Session = Schemas['Session'];

interface SessionState {
  session: Session | null;
  /** true until the first GET /v1/session has answered */
  loading: boolean;
  error: ApiError | null;
  signIn(body: RequestBody<'/v1/session', 'post'>): Promise<void>;
  signOut(): Promise<void>;
  /** What the server's policy allows this user: the UI hides the rest (and the server refuses it anyway). */
  can(area: string, action: string): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  const adopt = useCallback(
    (s: Session | null) => {
      configureApi({ csrf: s?.csrfToken ?? null, onUnauthenticated: () => setSession(null) });
      if (!s) {
        queryClient.clear();
        queryClient.removeQueries({ queryKey: ['session-options'] });
      }
      setSession(s);
    },
    [queryClient],
  );

  // One public call at start: how to sign in, and the session of the cookie if there is one.
  useEffect(() => {
    call(client.GET('/v1/session/options'))
      .then(
        (options) => {
          queryClient.setQueryData(['session-options'], options);
          adopt(options.session);
        },
        (e: ApiError) => {
          setError(e);
          adopt(null);
        },
      )
      .finally(() => setLoading(false));
  }, [adopt, queryClient]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      loading,
      error,
      async signIn(body) {
        const s = await call(client.POST('/v1/session', { body }));
        setError(null);
        adopt(s);
      },
      async signOut() {
        try {
          await call(client.DELETE('/v1/session'));
        } finally {
          adopt(null);
        }
      },
      can: (area, action) => Boolean(session?.permissions[area]?.includes(action)),
    }),
    [session, loading, error, adopt],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export const ROLE_LABEL: Record<string, string> = {
  admin: 'Administrator',
  security_officer: 'Security officer',
  auditor: 'Auditor',
  service: 'Service',
};
