/** Which endpoints a message goes to. */
import type { EndpointFilter } from '../store/index.js';

/**
 * An endpoint receives a message when its event-type filter is empty or names the message's type, and its
 * channel filter is empty or shares a channel with the message. A message without channels reaches only
 * endpoints without a channel filter.
 */
export function matches(
  endpoint: EndpointFilter,
  eventType: string,
  channels: readonly string[] | null,
): boolean {
  if (endpoint.eventTypes !== null && !endpoint.eventTypes.includes(eventType)) return false;
  if (endpoint.channels === null) return true;
  return channels !== null && channels.some((channel) => endpoint.channels!.includes(channel));
}
