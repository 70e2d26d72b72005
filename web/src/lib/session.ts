/**
 * The signed-in API key lives in sessionStorage: it survives a reload but not closing the tab, and other
 * sites cannot read it. A portal link carries its one-time token (or, in older links, the key itself) in the URL
 * fragment (`/portal#key=…`), which browsers never send to a server; it is taken out of the address bar at once
 * (see portal-link.ts for the exchange).
 */
const TOKEN = 'herald.apiKey';
const PORTAL = 'herald.portal';
export const PORTAL_PATH = '/portal';

export interface Session {
  token: string;
  /** An application-scoped key: it reaches one application and cannot change the catalogue. */
  scoped: boolean;
  /** Signed in through a consumer portal link. */
  portal: boolean;
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function toSession(token: string, portal: boolean): Session {
  return { token, scoped: !token.startsWith('hk_admin_'), portal };
}

export function loadSession(): Session | null {
  const token = storage()?.getItem(TOKEN);
  return token ? toSession(token, storage()?.getItem(PORTAL) === '1') : null;
}

export function saveSession(session: Session): void {
  storage()?.setItem(TOKEN, session.token);
  if (session.portal) storage()?.setItem(PORTAL, '1');
  else storage()?.removeItem(PORTAL);
}

export function clearSession(): void {
  storage()?.removeItem(TOKEN);
  storage()?.removeItem(PORTAL);
}

/** The key of a portal link being opened, taken out of the address bar; null when this is no portal link. */
export function takePortalToken(): string | null {
  if (window.location.pathname !== PORTAL_PATH) return null;
  const match = /(?:^#|&)key=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  window.history.replaceState(null, '', PORTAL_PATH);
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}
