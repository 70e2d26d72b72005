/** Reading an endpoint's health report: is it failing, and why, in words. */
import type { Endpoint, EndpointHealth } from '../lib/types';

/** Why the endpoint needs attention, or null when it is fine. */
export function failingReason(endpoint: Endpoint, health: EndpointHealth | undefined): string | null {
  if (endpoint.disabled)
    return endpoint.disabledReason ? `Disabled by Herald: ${endpoint.disabledReason}` : null;
  if (!health) return null;
  if (health.circuit === 'open') return 'Circuit open: Herald pauses deliveries after repeated failures';
  if (health.circuit === 'half_open') return 'Circuit half-open: Herald is probing whether it works again';
  if (health.failingSince) return 'Failing: no successful delivery since the first failure';
  if (health.recent.lastErrorClass) return `Last attempt failed (${describeError(health.recent)})`;
  return null;
}

export function describeError(recent: EndpointHealth['recent']): string {
  const code = recent.lastStatusCode;
  if (recent.lastErrorClass === 'http_status' && code) return `HTTP ${code}`;
  return (recent.lastErrorClass ?? 'error').replace(/_/g, ' ');
}

export const CIRCUIT_TEXT: Record<EndpointHealth['circuit'], string> = {
  closed: 'Closed (sending normally)',
  open: 'Open (paused after repeated failures)',
  half_open: 'Half-open (probing)',
};
