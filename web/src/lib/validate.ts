/** Checks that mirror the API's own, so forms can say what is wrong while you type. */
const NAME = /^[a-zA-Z0-9\-_.]+$/;

export function nameError(value: string, what: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 256) return `${what} can be at most 256 characters`;
  if (!NAME.test(value)) return `${what} may use only letters, digits, "-", "_" and "."`;
  return undefined;
}

/** An optional whole number in [min, max]; blank means "not set". */
export function intError(text: string, min: number, max: number): string | undefined {
  if (text.trim() === '') return undefined;
  if (!/^\d+$/.test(text.trim())) return `enter a whole number from ${min} to ${max}, or leave it blank`;
  const n = Number(text);
  if (n < min || n > max) return `must be from ${min} to ${max}`;
  return undefined;
}

export const optionalInt = (text: string): number | null => (text.trim() === '' ? null : Number(text));

/** An http(s) URL, or what to do when `value` is not one. */
export function parseHttpUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'enter a full URL, starting with https:// or http://';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `the URL must start with https:// or http://, not ${url.protocol}//`;
  return url;
}

export function urlError(text: string): string | undefined {
  const value = text.trim();
  if (value === '') return 'enter the URL that receives the webhooks, such as https://example.com/webhooks';
  // A polling endpoint, read through the poller API (for example poll://inbox), or a relay endpoint, whose
  // deliveries go to `herald listen` (relay://ada-laptop).
  if (value.startsWith('poll:') || value.startsWith('relay:'))
    return value.length > 4096 ? 'the URL can be at most 4096 characters' : undefined;
  const url = parseHttpUrl(value);
  if (typeof url === 'string') return url;
  if (url.hostname === '') return 'the URL needs a host name';
  if (url.username || url.password) return 'put credentials in a header, not in the URL';
  if (value.length > 4096) return 'the URL can be at most 4096 characters';
  return undefined;
}

/** True when no value in the record is an error message. */
export const valid = (errors: Record<string, string | undefined>) =>
  Object.values(errors).every((error) => error === undefined);

/** A comma-separated list, without blanks. */
export const listOf = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/**
 * A retry schedule in seconds, comma-separated, as the forms take it: whole seconds, or with `milliseconds`
 * up to three decimals (an event type's schedule, which the API takes as Svix durations).
 */
export function scheduleError(text: string, milliseconds = false): string | undefined {
  const parts = listOf(text);
  const number = milliseconds ? /^\d+(\.\d{1,3})?$/ : /^\d+$/;
  if (parts.length > 20) return 'at most 20 retries';
  for (const part of parts)
    if (!number.test(part) || Number(part) > 604_800)
      return `"${part}" is not a number of seconds from 0 to 604800 (7 days)`;
  return undefined;
}
