/** The sign-in gate: a key from sessionStorage or a portal link, or the sign-in form. */
import { useMemo, useState } from 'react';
import { Api } from './lib/api';
import { SessionContext } from './lib/session-context';
import {
  clearSession,
  loadSession,
  saveSession,
  takePortalToken,
  toSession,
  type Session,
} from './lib/session';
import { Layout } from './Layout';
import { Routes } from './Routes';
import { SignIn } from './auth/SignIn';

function initialSession(): Session | null {
  const portalToken = takePortalToken();
  if (portalToken) {
    const session = toSession(portalToken, true);
    saveSession(session);
    return session;
  }
  return loadSession();
}

export function App() {
  const [session, setSession] = useState<Session | null>(initialSession);
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null);

  const value = useMemo(() => {
    if (!session) return null;
    const signOut = (reason?: string) => {
      clearSession();
      setSignedOutBecause(reason ?? null);
      setSession(null);
    };
    const api = new Api(session.token, (detail) =>
      signOut(
        session.portal
          ? `This portal link no longer works (${detail}); ask whoever sent it for a new one.`
          : `Signed out: ${detail}. Sign in with a valid key.`,
      ),
    );
    return { api, session, signOut: () => signOut() };
  }, [session]);

  if (!value)
    return (
      <SignIn
        reason={signedOutBecause}
        onSignIn={(next) => {
          saveSession(next);
          setSignedOutBecause(null);
          setSession(next);
        }}
      />
    );
  return (
    <SessionContext.Provider value={value}>
      <Layout>
        <Routes />
      </Layout>
    </SessionContext.Provider>
  );
}
