/**
 * The auto-disabler disables endpoints that have failed without a single success for longer than
 * HERALD_AUTO_DISABLE_AFTER, and says so with an `endpoint.disabled` operational event: the same disable a
 * worker does when an endpoint answers 410 Gone. The disable is conditional, so an endpoint a worker disabled
 * meanwhile is not reported twice.
 */
import type { Logger } from 'pino';
import { disableEndpoint } from '../delivery/consequences.js';
import type { OperationalEvents } from '../delivery/operational-events.js';
import type { Store } from '../store/index.js';
import type { MaintenanceService } from './maintenance.js';

export const AUTO_DISABLE_INTERVAL_MS = 60_000;

export function autoDisableReason(afterMs: number): string {
  const hours = Math.round(afterMs / 3_600_000);
  return `every delivery failed for ${hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} hours`}`;
}

/** Disables every endpoint failing since before `now − afterMs`; returns how many this call disabled. */
export async function disableFailingEndpoints(
  store: Store,
  events: OperationalEvents,
  logger: Logger,
  afterMs: number,
  now = Date.now(),
): Promise<number> {
  let disabled = 0;
  const reason = autoDisableReason(afterMs);
  for (const endpoint of await store.endpointListFailingSince(now - afterMs))
    if (await disableEndpoint({ store, events, logger }, endpoint, reason, now)) disabled++;
  return disabled;
}

export function autoDisabler(
  store: Store,
  events: OperationalEvents,
  logger: Logger,
  afterMs: number,
): MaintenanceService {
  return {
    name: 'auto-disabler',
    intervalMs: AUTO_DISABLE_INTERVAL_MS,
    run: (now) => disableFailingEndpoints(store, events, logger, afterMs, now).then(() => undefined),
  };
}
