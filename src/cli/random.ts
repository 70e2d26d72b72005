/**
 * The seedable random source of `herald simulate`: with `--seed` a run makes the same choices every time (the same
 * payloads, the same faults for the same request order), so a test or a bug report can replay it.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Random {
  /** The seed this source started from, to print so that a run can be repeated. */
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [from, to], both included. */
  int(from: number, to: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
}

export function seededRandom(seed: number = Math.floor(Math.random() * 2 ** 31)): Random {
  const generator = xoroshiro128plus(seed);
  return {
    seed,
    next: () => uniformFloat64(generator),
    int: (from, to) => uniformInt(generator, from, to),
    chance: (p) => p > 0 && uniformFloat64(generator) < p,
  };
}
