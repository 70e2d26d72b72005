import { NAME_PATTERN } from './schemas/common.js';
import { unprocessable } from './errors.js';

const NAME = new RegExp(NAME_PATTERN);

/** Accepts `event_types=a&event_types=b` and the Svix SDKs' `event_types=a,b` alike. */
export function eventTypesFilter(raw: string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.flatMap((part) => part.split(',')).filter((name) => name !== '');
  for (const name of names)
    if (!NAME.test(name) || name.length > 256)
      throw unprocessable(['query', 'event_types'], `"${name.slice(0, 100)}" is not an event type name`);
  return names.length > 0 ? names : undefined;
}

export function timeFilter(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : Date.parse(raw);
}

export const STATUS_TEXT = ['success', 'pending', 'fail', 'sending'] as const;

/** The message filters shared by the listing routes, from their query strings. */
export function messageFilter(query: {
  channel?: string;
  event_types?: string[];
  before?: string;
  after?: string;
}) {
  return {
    channel: query.channel,
    eventTypes: eventTypesFilter(query.event_types),
    before: timeFilter(query.before),
    after: timeFilter(query.after),
  };
}
