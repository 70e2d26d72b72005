/**
 * Parsing the values of command-line options that read like `50/s`, `60s` or `50-500ms`. Each parser throws an
 * `InvalidArgumentError` (commander prints it with the option's name) that says what to write instead.
 */
import { InvalidArgumentError, type Command } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

function durationMs(text: string, defaultUnit: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] ?? defaultUnit]!;
}

/** `60s`, `2m`, `500ms`, `1h`; a bare number is seconds. */
export function parseDuration(text: string): number {
  const ms = durationMs(text, 's');
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError(`"${text}" is not a duration; write it like 60s, 2m or 500ms`);
  return ms;
}

/** `50/s`, `300/min`, `2/ms`… as events per second; a bare number is per second. */
export function parseRate(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(ms|s|m|min|h))?$/.exec(text.trim());
  const perSecond = match ? (Number(match[1]) * 1000) / UNIT_MS[match[2] ?? 's']! : NaN;
  if (!(perSecond > 0) || perSecond > 100_000)
    throw new InvalidArgumentError(
      `"${text}" is not a rate; write it like 50/s or 300/min (at most 100000/s)`,
    );
  return perSecond;
}

/** `50-500ms` (a uniform range), `100ms` (fixed) or `1-2s`; a bare number is milliseconds. */
export function parseLatency(text: string): { minMs: number; maxMs: number } {
  const match = /^(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(ms|s)?$/.exec(text.trim());
  if (!match)
    throw new InvalidArgumentError(`"${text}" is not a latency; write a range like 50-500ms, or 100ms`);
  const unit = UNIT_MS[match[3] ?? 'ms']!;
  const minMs = Number(match[1]) * unit;
  const maxMs = Number(match[2] ?? match[1]) * unit;
  if (maxMs < minMs) throw new InvalidArgumentError(`the latency range "${text}" ends before it starts`);
  return { minMs, maxMs };
}

/** A probability: `0.2`, or `20%`. */
export function parseProbability(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%)?$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1))
    throw new InvalidArgumentError(
      `"${text}" is not a probability; write a number from 0 to 1, or a percentage`,
    );
  return value;
}

/** A whole number from `min` to `max`. */
export function parseWhole(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max)
      throw new InvalidArgumentError(`"${text}" must be a whole number from ${min} to ${max}`);
    return value;
  };
}

/** The value of an option that may be given more than once, as a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Makes a command's usage errors (an unknown option, a bad value) exit with `code` rather than commander's 1, for
 * the tools whose exit status 1 means a verdict ("not verified", "some rejected"); help still exits 0.
 */
export function usageErrorsExitWith<T extends Command>(command: T, code: number): T {
  return command.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : code));
}
