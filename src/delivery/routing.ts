/** Which endpoints a message goes to. */
import type { EndpointFilter, Json } from '../store/index.js';
import { ContentFilters, filterSubject, type FilterSubject } from './content-filter.js';

/**
 * An endpoint receives a message when its event-type filter is empty or names the message's type, and its
 * channel filter is empty or shares a channel with the message. A message without channels reaches only
 * endpoints without a channel filter.
 */
export function matches(
  endpoint: Pick<EndpointFilter, 'eventTypes' | 'channels'>,
  eventType: string,
  channels: readonly string[] | null,
): boolean {
  if (endpoint.eventTypes !== null && !endpoint.eventTypes.includes(eventType)) return false;
  if (endpoint.channels === null) return true;
  return channels !== null && channels.some((channel) => endpoint.channels!.includes(channel));
}

/**
 * Routing with content filters: an endpoint receives a message when `matches` lets it through and its content
 * filter, if it has one, matches the message. Each distinct filter is compiled once and kept.
 */
export class Router {
  readonly #filters = new ContentFilters();

  /** The ids of the endpoints among `endpoints` that receive the message. */
  targets(
    endpoints: readonly EndpointFilter[],
    message: { eventType: string; channels: readonly string[] | null; payload: Json },
  ): string[] {
    let subject: FilterSubject | undefined;
    const ids: string[] = [];
    for (const endpoint of endpoints) {
      if (!matches(endpoint, message.eventType, message.channels)) continue;
      if (endpoint.contentFilter !== null) {
        subject ??= filterSubject(message.eventType, message.channels, message.payload);
        if (!this.#filters.matches(endpoint.contentFilter, subject)) continue;
      }
      ids.push(endpoint.id);
    }
    return ids;
  }
}
