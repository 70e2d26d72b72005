/**
 * Event types' retry schedules as the workers read them: loaded for the event types of a claimed batch in one
 * query, and kept for a few seconds, so a busy worker does not ask again for every batch. A schedule set through
 * the API is applied from the next retry decided after it is loaded (within REFRESH_MS).
 */
import type { Store } from '../store/index.js';

/** How long a loaded schedule (or the absence of one) is used before it is read again. */
export const REFRESH_MS = 5_000;

interface Entry {
  schedule: readonly number[] | undefined;
  loadedAt: number;
}

export class EventTypeSchedules {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The retry schedules of `eventTypes`, by name; an event type without one maps to undefined. */
  async forEventTypes(eventTypes: Iterable<string>): Promise<Map<string, readonly number[] | undefined>> {
    const now = this.now();
    const names = [...new Set(eventTypes)];
    const stale = names.filter((name) => {
      const entry = this.#entries.get(name);
      return entry === undefined || now - entry.loadedAt >= REFRESH_MS;
    });
    if (stale.length > 0) {
      const loaded = await this.store.eventTypeRetrySchedules(stale);
      for (const name of stale) this.#entries.set(name, { schedule: loaded.get(name), loadedAt: now });
    }
    return new Map(names.map((name) => [name, this.#entries.get(name)?.schedule]));
  }
}
