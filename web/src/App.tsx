/** The sign-in gate: a key from sessionStorage or a portal link, or the sign-in form. */
import { useEffect, useMemo, useState } from 'react';
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
import { EXPIRED_LINK, exchangeOneTimeToken, isOneTimeToken } from './lib/portal-link';
import { Loading } from './components/states';
import { Layout } from './Layout';
import { Routes } from './Routes';
import { SignIn } from './auth/SignIn';

/** The session to start with, or the one-time token of a portal link still to exchange for one. */
function initialState(): { session: Session | null; oneTime: string | null } {
  const portalToken = takePortalToken();
  if (portalToken && isOneTimeToken(portalToken)) {
    clearSession();
    return { session: null, oneTime: portalToken };
  }
  if (portalToken) {
    // An older link that carries the portal token itself.
    const session = toSession(portalToken, true);
    saveSession(session);
    return { session, oneTime: null };
  }
  return { session: loadSession(), oneTime: null };
}

export function App() {
  const [initial] = useState(initialState);
  const [session, setSession] = useState<Session | null>(initial.session);
  const [opening, setOpening] = useState(initial.oneTime !== null);
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null);

  useEffect(() => {
    if (initial.oneTime === null) return;
    exchangeOneTimeToken(initial.oneTime).then(
      (token) => {
        const next = toSession(token, true);
        saveSession(next);
        setSession(next);
        setOpening(false);
      },
      (failure: Error & { status?: number }) => {
        setSignedOutBecause(failure.status === 401 ? EXPIRED_LINK : failure.message);
        setOpening(false);
      },
    );
  }, [initial.oneTime]);

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

  if (opening)
    return (
      <main className="sign-in" id="main">
        <Loading what="Opening the portal" />
      </main>
    );
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
