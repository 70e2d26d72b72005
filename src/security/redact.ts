/** Which header names carry credentials: their values are never shown by the API or written to attempt logs. */
const SENSITIVE = /authorization|cookie|token|secret|password|api[-_]?key|credential|session/i;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE.test(name);
}

/**
 * An endpoint URL as records that outlive it show it (the audit log): its password and query values, which
 * often carry credentials, read `[redacted]`; the scheme, user name, host, port and path stay.
 */
export function urlForRecord(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[redacted]';
  }
  // A URL with nothing to hide is recorded exactly as configured.
  if (parsed.password === '' && parsed.search === '') return url;
  if (parsed.password !== '') parsed.password = 'redacted';
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, 'redacted');
  return parsed
    .toString()
    .replace(/:redacted@/, ':[redacted]@')
    .replace(/=redacted(?=&|#|$)/g, '=[redacted]');
}
