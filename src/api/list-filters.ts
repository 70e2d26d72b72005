import { NAME_PATTERN } from './schemas/common.js';
import { unprocessable } from './errors.js';

const NAME = new RegExp(NAME_PATTERN);

/** Accepts `event_types=a&event_types=b` and the Svix SDKs' `event_types=a,b` alike. */
export function eventTypesFilter(raw: string[] | undefined): string[] | undefined {
  return namesFilter(raw, 'event_types', 'an event type name');
}

/** A list of names from a query string (`event_types`, `channels`): repeats or a comma-separated list. */
export function namesFilter(raw: string[] | undefined, field: string, what: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.flatMap((part) => part.split(',')).filter((name) => name !== '');
  for (const name of names)
    if (!NAME.test(name) || name.length > 256)
      throw unprocessable(['query', field], `"${name.slice(0, 100)}" is not ${what}`);
  return names.length > 0 ? names : undefined;
}

export function timeFilter(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : Date.parse(raw);
}

export const STATUS_TEXT = ['success', 'pending', 'fail', 'sending', 'canceled'] as const;

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
