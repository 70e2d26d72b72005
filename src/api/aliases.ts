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
    throw unprocessable(`body.${name} and body.${alias} are the same setting; send only one of them`);
  return value;
}

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
