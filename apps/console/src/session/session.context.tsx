import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiClient } from '../api/api-client';

const STORAGE_KEY = 'bpo-console-token';

interface Session {
  token: string | null;
  api: ApiClient | null;
  signIn(token: string): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

/** The signed-in organization token, kept for the browser tab only (sessionStorage). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const signIn = useCallback((value: string) => {
    sessionStorage.setItem(STORAGE_KEY, value);
    setToken(value);
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setToken(null);
  }, []);
  const value = useMemo<Session>(() => ({ token, api: token ? new ApiClient(token) : null, signIn, signOut }), [token, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The API client of the signed-in token (pages behind sign-in only). */
export function useApi(): ApiClient {
  const { api } = useSession();
  if (!api) throw new Error('not signed in');
  return api;
}
