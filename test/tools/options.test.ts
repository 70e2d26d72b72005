/** The values the developer tools read from the command line: rates, durations, latencies, probabilities. */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  parseLatency,
  parseProbability,
  parseRate,
  parseWhole,
} from '../../src/cli/options.js';
import { seededRandom } from '../../src/cli/random.js';

describe('developer tool options', () => {
  it('reads rates per second, per minute and bare numbers, and says how to write a bad one', () => {
    expect(parseRate('50/s')).toBe(50);
    expect(parseRate('300/min')).toBe(5);
    expect(parseRate('2/ms')).toBe(2000);
    expect(parseRate('12.5')).toBe(12.5);
    for (const bad of ['fast', '0/s', '-1/s', '50/day', '200000/s'])
      expect(() => parseRate(bad)).toThrow(InvalidArgumentError);
    expect(() => parseRate('fast')).toThrow('write it like 50/s or 300/min');
  });

  it('reads durations, latencies and probabilities', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('3')).toBe(3000);
    expect(() => parseDuration('0s')).toThrow(/not a duration/);
    expect(parseLatency('50-500ms')).toEqual({ minMs: 50, maxMs: 500 });
    expect(parseLatency('1-2s')).toEqual({ minMs: 1000, maxMs: 2000 });
    expect(parseLatency('100')).toEqual({ minMs: 100, maxMs: 100 });
    expect(() => parseLatency('500-50ms')).toThrow(/ends before it starts/);
    expect(parseProbability('0.2')).toBe(0.2);
    expect(parseProbability('20%')).toBe(0.2);
    expect(() => parseProbability('1.5')).toThrow(/from 0 to 1/);
    expect(parseWhole(400, 599)('429')).toBe(429);
    expect(() => parseWhole(400, 599)('200')).toThrow(/from 400 to 599/);
  });

  it('draws the same numbers from the same seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return [random.next(), random.int(1, 6), random.chance(0.5), random.next()];
    };
    expect(draw(9)).toEqual(draw(9));
    expect(draw(9)).not.toEqual(draw(10));
    const random = seededRandom(1);
    for (let i = 0; i < 1000; i++) {
      const value = random.next();
      expect(value >= 0 && value < 1).toBe(true);
      expect(random.chance(0)).toBe(false);
      expect(random.chance(1)).toBe(true);
    }
  });
});
