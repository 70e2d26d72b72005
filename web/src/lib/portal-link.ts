/**
 * Opening a portal link. A link from app-portal-access carries a one-time token (`/portal#key=hk_ott_…`), good
 * once and for a few minutes; the page trades it at POST /api/v1/auth/one-time-token for the portal token it
 * then keeps in sessionStorage, so no working token stays in the address bar or the history. An older link
 * that carries the portal token itself (`#key=hk_app_…`) still signs in directly.
 */
import { API_BASE } from './api';
import { ApiError, describe } from './api-error';

export const ONE_TIME_PREFIX = 'hk_ott_';

export const EXPIRED_LINK =
  'This portal link has expired or was already used. Ask whoever sent it for a new one.';

export function isOneTimeToken(token: string): boolean {
  return token.startsWith(ONE_TIME_PREFIX);
}

/** One exchange per token, however often it is asked for (React runs effects twice in development). */
const exchanges = new Map<string, Promise<string>>();

/** The portal token for a link's one-time token; rejects with an ApiError (401 when used or expired). */
export function exchangeOneTimeToken(oneTimeToken: string): Promise<string> {
  let exchange = exchanges.get(oneTimeToken);
  if (!exchange) {
    exchange = request(oneTimeToken);
    exchanges.set(oneTimeToken, exchange);
  }
  return exchange;
}

async function request(oneTimeToken: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}/auth/one-time-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ oneTimeToken }),
    });
  } catch {
    throw new ApiError(0, 'network', 'Herald cannot be reached; check that it is running, then try again');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw describe(response.status, body);
  return (body as { token: string }).token;
}
