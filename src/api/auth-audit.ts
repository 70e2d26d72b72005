/**
 * Records failed authentication and authorisation on the management API in the audit log: a missing, unknown,
 * revoked or expired key (401), and a key used where it may not go, or from a network it may not be used from
 * (403). Never the token itself. Each client IP gets at most {@link FAILURES_PER_MINUTE} records a minute per
 * process, so a flood of bad requests cannot flood the log; the last record of a minute says so.
 */
import type { FastifyInstance } from 'fastify';
import type { Audit } from './audit.js';
import { HttpError } from './errors.js';

export const FAILURES_PER_MINUTE = 10;
const TRACKED_IPS = 10_000;

export function registerAuthAudit(app: FastifyInstance, audit: Audit) {
  const recent = new Map<string, { minute: number; count: number }>();
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof HttpError)) return;
    if (error.code !== 'authentication_failed' && error.code !== 'forbidden') return;
    const minute = Math.floor(Date.now() / 60_000);
    let seen = recent.get(request.ip);
    if (!seen || seen.minute !== minute) {
      if (recent.size >= TRACKED_IPS) recent.clear();
      seen = { minute, count: 0 };
      recent.set(request.ip, seen);
    }
    seen.count += 1;
    if (seen.count > FAILURES_PER_MINUTE) return;
    const header = request.headers.authorization ?? '';
    // The scheme and the token's recognisable prefix (hk_admin_, hk_app_, hk_msg_…) only: never the secret part.
    const prefix = /^Bearer\s+(hk_(?:admin|app|msg|poll|ott)_)/i.exec(header)?.[1] ?? null;
    await audit.record(request, {
      action: error.statusCode === 401 ? 'auth.failed' : 'auth.forbidden',
      targetType: 'route',
      targetId: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      appId: request.principal?.appId ?? null,
      after: {
        status: error.statusCode,
        reason: error.detail,
        ...(prefix !== null && { tokenPrefix: prefix }),
        ...(seen.count === FAILURES_PER_MINUTE && {
          note: 'later failures from this IP this minute are not recorded',
        }),
      },
    });
  });
}
