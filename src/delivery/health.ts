/**
 * Endpoint health as one worker sees it: the circuit breaker and the start of a failure run.
 *
 * After `threshold` consecutive failures the circuit opens: the endpoint's `circuitOpenUntil` is set in the
 * database, so every worker stops claiming for it until then. When that time passes the circuit is half open:
 * workers send one probe at a time. A successful probe closes the circuit; a failed one opens it again for
 * twice as long, up to a ceiling. A dead endpoint so costs a probe now and then instead of worker capacity.
 *
 * `failingSince` marks when the current run of failures began; a success clears it. The auto-disabler uses it.
 * Both are written only when they change, never once per delivery.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';

export const CIRCUIT_COOLDOWN_MS = 30_000;
export const CIRCUIT_MAX_COOLDOWN_MS = 10 * 60_000;

/** The health fields of an endpoint that a worker keeps current while it sends. */
export interface HealthState {
  id: string;
  failingSince: number | null;
  circuitOpenUntil: number | null;
}

export type CircuitChange = 'opened' | 'closed' | null;

export class EndpointHealth {
  readonly #failures = new Map<string, number>();
  readonly #opens = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly threshold: number,
  ) {}

  /** Is the circuit half open, so that only one probe at a time may go? */
  static probing(state: HealthState, now: number): boolean {
    return state.circuitOpenUntil !== null && state.circuitOpenUntil <= now;
  }

  async record(state: HealthState, success: boolean, now: number): Promise<CircuitChange> {
    if (success) {
      this.#failures.delete(state.id);
      if (state.failingSince === null && state.circuitOpenUntil === null) return null;
      const wasOpen = state.circuitOpenUntil !== null;
      state.failingSince = null;
      state.circuitOpenUntil = null;
      this.#opens.delete(state.id);
      await this.store.endpointSetHealth(state.id, { failingSince: null, circuitOpenUntil: null });
      if (wasOpen) this.logger.info({ endpoint: state.id }, 'circuit closed: the endpoint answers again');
      return wasOpen ? 'closed' : null;
    }
    if (state.failingSince === null) {
      state.failingSince = now;
      await this.store.endpointSetHealth(state.id, { failingSince: now }, true);
    }
    // Requests sent before the circuit opened may still fail; they do not extend it.
    if (state.circuitOpenUntil !== null && state.circuitOpenUntil > now) return null;
    const failures = (this.#failures.get(state.id) ?? 0) + 1;
    this.#failures.set(state.id, failures);
    if (failures < this.threshold && !EndpointHealth.probing(state, now)) return null;
    const opens = (this.#opens.get(state.id) ?? 0) + 1;
    this.#opens.set(state.id, opens);
    this.#failures.delete(state.id);
    const cooldown = Math.min(CIRCUIT_COOLDOWN_MS * 2 ** (opens - 1), CIRCUIT_MAX_COOLDOWN_MS);
    state.circuitOpenUntil = now + cooldown;
    await this.store.endpointSetHealth(state.id, { circuitOpenUntil: state.circuitOpenUntil });
    this.logger.warn(
      { endpoint: state.id, cooldownMs: cooldown },
      'circuit opened: the endpoint keeps failing',
    );
    return 'opened';
  }

  /** Forgets an endpoint, as when it is deleted or disabled. */
  forget(id: string): void {
    this.#failures.delete(id);
    this.#opens.delete(id);
  }
}
