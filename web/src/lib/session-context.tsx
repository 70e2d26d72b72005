/** The signed-in session and an API client for it, for every screen below the sign-in gate. */
import { createContext, useContext } from 'react';
import type { Api } from './api';
import type { Session } from './session';

export interface SignedIn {
  api: Api;
  session: Session;
  signOut: () => void;
}

export const SessionContext = createContext<SignedIn | null>(null);

export function useSession(): SignedIn {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession is used outside the signed-in part of the dashboard');
  return value;
}
