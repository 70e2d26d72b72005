/**
 * Disables endpoints that have failed without a single success for longer than the configured time, and
 * says so with an `endpoint.disabled` operational event. Running in several workers at once is harmless: the
 * disable is conditional, so only one of them records the event.
 */
import type { Logger } from 'pino';
import type { OperationalEvents } from '../delivery/operational-events.js';
import type { Store } from '../store/index.js';

export function autoDisableReason(afterMs: number): string {
  const hours = Math.round(afterMs / 3_600_000);
  return `every delivery failed for ${hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} hours`}`;
}

export async function disableFailingEndpoints(
  store: Store,
  events: OperationalEvents,
  logger: Logger,
  afterMs: number,
  now = Date.now(),
): Promise<number> {
  let disabled = 0;
  const reason = autoDisableReason(afterMs);
  for (const endpoint of await store.endpointListFailingSince(now - afterMs)) {
    if (!(await store.endpointDisableAutomatically(endpoint.id, reason, now))) continue;
    disabled++;
    logger.warn(
      { endpoint: endpoint.id, failingSince: endpoint.failingSince },
      'endpoint disabled automatically',
    );
    if (events.isOperational(endpoint.appId)) continue;
    await events.emit('endpoint.disabled', {
      appId: endpoint.appId,
      endpointId: endpoint.id,
      endpointUid: endpoint.uid,
      failSince: new Date(endpoint.failingSince!).toISOString(),
      trigger: 'automatic',
      reason,
    });
  }
  return disabled;
}
