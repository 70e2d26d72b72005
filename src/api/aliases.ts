/**
 * Settings that the Svix contract and the official svix SDKs name differently. Either name is accepted; a
 * body that sends both must give them the same value, or it is refused with 422.
 */
import { unprocessable } from './errors.js';

function eitherName<T>(
  name: string,
  value: T | undefined,
  alias: string,
  aliasValue: T | undefined,
): T | undefined {
  if (value === undefined) return aliasValue;
  if (aliasValue !== undefined && JSON.stringify(aliasValue) !== JSON.stringify(value))
    throw unprocessable(
      [name, alias].map((field) => ({
        loc: ['body', field],
        msg: `is the same setting as ${field === name ? alias : name}, with another value; send only one of them`,
        type: 'value_error.conflict',
      })),
    );
  return value;
}

/** The name a body sent its event-type filter under, for messages about it. */
export const eventTypeFilterName = (body: { eventTypes?: unknown; filterTypes?: unknown }) =>
  body.eventTypes === undefined && body.filterTypes !== undefined ? 'filterTypes' : 'eventTypes';

/** An endpoint's event-type filter: `eventTypes` in the contract, `filterTypes` in the SDKs. */
export const eventTypeFilter = (body: {
  eventTypes?: string[] | null | undefined;
  filterTypes?: string[] | null | undefined;
}): string[] | null | undefined => eitherName('eventTypes', body.eventTypes, 'filterTypes', body.filterTypes);

/** An application's or endpoint's rate limit: `throttleRate` in the contract, `rateLimit` in newer SDKs. */
export const throttleRate = (body: {
  throttleRate?: number | null | undefined;
  rateLimit?: number | null | undefined;
}): number | null | undefined => eitherName('throttleRate', body.throttleRate, 'rateLimit', body.rateLimit);
