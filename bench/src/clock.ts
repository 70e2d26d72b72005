/**
 * A wall clock with sub-millisecond resolution that every bench process reads the same way, so a time taken
 * in the load generator (the API's 202) and one taken in the receiver (the arrival) can be subtracted.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
