import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { api, onUnauthorized, setCsrfToken } from '../api/api-client';
import { ApiError } from '../api/api-error';
import type { Account, Role, Session } from '../api/api-types';
import { mayBeSignedIn, rememberSignedIn } from './signed-in-flag';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed_out'; reason: string | null }
  | { status: 'signed_in'; session: Session };

interface SessionContextValue {
  state: SessionState;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Restores the session on load (GET /session) and shows the sign-in page when it ends. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const adopt = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    rememberSignedIn(true);
    setState({ status: 'signed_in', session });
  }, []);

  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken(null);
      rememberSignedIn(false);
      setState({ status: 'signed_out', reason: 'Your session has ended. Sign in again.' });
    });
    if (mayBeSignedIn()) {
      api.get<Session>('/session').then(adopt, (error: unknown) => {
        // 401 is the ordinary "session expired"; anything else is worth telling.
        rememberSignedIn(false);
        const reason = error instanceof ApiError && error.status !== 401 ? error.message : null;
        setState({ status: 'signed_out', reason });
      });
    } else {
      setState({ status: 'signed_out', reason: null });
    }
    return () => onUnauthorized(null);
  }, [adopt]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      adopt(await api.post<Session>('/session', { username, password }));
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await api.delete('/session');
    } finally {
      setCsrfToken(null);
      rememberSignedIn(false);
      setState({ status: 'signed_out', reason: null });
    }
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session machinery: state, signIn, signOut. */
export function useSessionControl(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionControl outside SessionProvider');
  return value;
}

/** The signed-in session; only for components rendered inside the signed-in app. */
export function useSession(): Session & {
  accountId: number | null;
  role: Role;
  account: Account | null;
} {
  const { state } = useSessionControl();
  if (state.status !== 'signed_in') throw new Error('useSession while not signed in');
  return { ...state.session, accountId: state.session.account?.id ?? null };
}
