/** Which header names carry credentials: their values are never shown by the API or written to attempt logs. */
const SENSITIVE = /authorization|cookie|token|secret|password|api[-_]?key|credential|session/i;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE.test(name);
}
