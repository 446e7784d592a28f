import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { getMe, logout as logoutEndpoint, type Me } from '@server/features/auth/contract';
import { isTimeZone, setTimeZone } from '@domain/time/zone';
import { narrowingOfRoles, type Narrowing } from '@domain/auth/binding';
import { call, setCsrfToken, setUnauthorizedHandler, ApiError } from './api';

export type { Me };

type AuthState = {
  me: Me | null;
  loading: boolean;
  notice: string | null;
  refresh: () => Promise<Me | null>;
  logout: () => Promise<void>;
  can: (permission: string) => boolean;
  /** A unit or instructor account works its own cases or assignments only (domain/auth/binding.ts): its pages leave the county's out. */
  narrowed: Narrowing | null;
};

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  // A 401 is news only to someone who was signed in (or whose session timed out): a first visit
  // is not told "请先登录" above the very form it came to fill in.
  const signedIn = useRef(false);

  const refresh = useCallback(async () => {
    try {
      const m = await call(getMe);
      setCsrfToken(m.csrfToken);
      // Every time on every page in the deployment's zone (components/format.ts), set before the pages render.
      if (isTimeZone(m.timeZone)) setTimeZone(m.timeZone);
      signedIn.current = true;
      setMe(m);
      setNotice(null);
      return m;
    } catch (e) {
      setMe(null);
      if (e instanceof ApiError && e.code === 'session_expired') setNotice(e.detail ?? null);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler((err) => {
      if (signedIn.current || err.code === 'session_expired') setNotice(err.detail ?? '请重新登录');
      signedIn.current = false;
      setMe(null);
    });
    void refresh();
  }, [refresh]);

  const logout = useCallback(async () => {
    await call(logoutEndpoint).catch(() => undefined);
    signedIn.current = false;
    setMe(null);
  }, []);

  const can = useCallback((p: string) => !!me?.permissions.includes(p), [me]);
  const narrowed = me ? narrowingOfRoles(me.roles.map((r) => r.code)) : null;

  return (
    <AuthContext.Provider value={{ me, loading, notice, refresh, logout, can, narrowed }}>
      {children}
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
