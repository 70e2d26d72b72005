/**
 * Relay endpoints (`herald listen`): an endpoint with a `relay:` URL is reached through a listener that polls
 * Herald from a machine Herald cannot reach. An attempt's "send" hands the signed request to the listener and
 * waits for its answer: the worker writes the request to the store (sealed: it carries the endpoint's custom
 * headers), a listener's poll takes it (`api/routes/relay.ts`), forwards it to its local URL and reports what the
 * handler answered, and the worker turns that answer into the attempt's outcome. Everything else is the ordinary
 * attempt: the body is shaped and signed as for an HTTP endpoint, and the outcome is decided, retried and
 * recorded the same way.
 *
 * The worker and the poll may run in different threads or processes, so they meet in the store. In one process
 * they also signal each other (`relaySignals`), so that a request is handed on, and its answer read, at once
 * rather than at the next check.
 */
import { EventEmitter } from 'node:events';
import type { Vault } from '../security/vault.js';
import type { Store } from '../store/index.js';
import { newId } from '../util/ids.js';
import type { SendOutcome } from './sender.js';

/** The URL scheme of a relay endpoint, such as `relay://ada-laptop`. */
export const RELAY_SCHEME = 'relay:';

export function isRelayUrl(url: string): boolean {
  return url.startsWith(RELAY_SCHEME);
}

/** How long a request waits for a listener to take it before the attempt fails as not connected. */
export const RELAY_PICKUP_MS = 5_000;
/** How long beyond the endpoint's timeout Herald waits for a listener's report (its round trip to Herald). */
export const RELAY_REPORT_MARGIN_MS = 5_000;
/** How often a waiting worker reads the store for its requests' answers, when no signal came. */
export const RELAY_CHECK_MS = 200;

/** The request a listener forwards: exactly what an HTTP endpoint would get. */
export interface RelayedRequest {
  msgId: string;
  eventType: string;
  headers: Record<string, string>;
  /** The body's bytes as sent (compressed when the endpoint asks for it), in base64. */
  body: string;
  /** How long the listener lets the local handler take. */
  timeoutMs: number;
}

/** Error classes a listener may report for a local request that got no response. */
export const RELAY_ERROR_CLASSES = ['connect', 'connection_reset', 'timeout', 'dns', 'network'] as const;

/** What a listener reports of the local request. */
export type RelayAnswer =
  | { status: number; headers: Record<string, string>; body: string; durationMs: number }
  | { error: (typeof RELAY_ERROR_CLASSES)[number]; detail: string; durationMs: number };

/** In one process: `queued` (endpoint id) when a request waits for a listener, `answered` (request id). */
export const relaySignals = new EventEmitter();
relaySignals.setMaxListeners(0);

interface Waiting {
  endpointId: string;
  started: number;
  pickupBy: number;
  timeoutMs: number;
  resolve: (outcome: SendOutcome) => void;
}

export class RelaySender {
  readonly #waiting = new Map<string, Waiting>();
  #timer: NodeJS.Timeout | null = null;
  /** Whether this sender hears this process's `answered` signals: while it has requests waiting. */
  #subscribed = false;
  #checking = false;
  #recheck = false;
  readonly #onAnswered = (id: string) => {
    if (this.#waiting.has(id)) void this.#check();
  };

  constructor(
    private readonly store: Store,
    private readonly vault: Vault,
  ) {}

  /** Hands the request to the endpoint's listener and resolves with what its local handler answered. */
  async send(
    target: { id: string; timeoutMs: number },
    request: Omit<RelayedRequest, 'body' | 'timeoutMs'> & { body: string | Buffer },
  ): Promise<SendOutcome> {
    const started = Date.now();
    const id = newId('relay', started);
    const relayed: RelayedRequest = {
      ...request,
      body: Buffer.from(request.body).toString('base64'),
      timeoutMs: target.timeoutMs,
    };
    try {
      await this.store.relayRequestCreate({
        id,
        endpointId: target.id,
        request: this.vault.sealJson(relayed),
        createdAt: started,
        expiresAt: started + RELAY_PICKUP_MS + target.timeoutMs + RELAY_REPORT_MARGIN_MS,
      });
    } catch (error) {
      return failed(
        'network',
        `could not hand the request to a listener: ${(error as Error).message}`,
        started,
      );
    }
    const outcome = new Promise<SendOutcome>((resolve) => {
      this.#waiting.set(id, {
        endpointId: target.id,
        started,
        pickupBy: started + RELAY_PICKUP_MS,
        timeoutMs: target.timeoutMs,
        resolve,
      });
    });
    if (!this.#subscribed) {
      this.#subscribed = true;
      relaySignals.on('answered', this.#onAnswered);
    }
    this.#schedule();
    relaySignals.emit('queued', target.id);
    return outcome;
  }

  #schedule(): void {
    if (this.#timer !== null || this.#waiting.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#check();
    }, RELAY_CHECK_MS);
  }

  /** Reads the state of every waiting request in one query and settles those that are answered or overdue. */
  async #check(): Promise<void> {
    if (this.#checking) {
      this.#recheck = true;
      return;
    }
    this.#checking = true;
    try {
      do {
        this.#recheck = false;
        await this.#settle();
      } while (this.#recheck);
    } finally {
      this.#checking = false;
      if (this.#waiting.size === 0 && this.#subscribed) {
        this.#subscribed = false;
        relaySignals.off('answered', this.#onAnswered);
      }
      this.#schedule();
    }
  }

  async #settle(): Promise<void> {
    const ids = [...this.#waiting.keys()];
    if (ids.length === 0) return;
    const now = Date.now();
    let states;
    try {
      states = await this.store.relayRequestStates(ids);
    } catch {
      // The store is unreachable for now: the requests' deadlines still hold, checked at the next turn.
      states = null;
    }
    const done: string[] = [];
    for (const id of ids) {
      const waiting = this.#waiting.get(id)!;
      const outcome = states === null ? unread(waiting, now) : outcomeOf(waiting, states.get(id), now);
      if (outcome === null) continue;
      this.#waiting.delete(id);
      done.push(id);
      waiting.resolve(outcome);
    }
    if (done.length > 0) await this.store.relayRequestDelete(done, now).catch(() => undefined);
  }
}

function failed(
  errorClass: 'network' | 'connect' | 'timeout',
  detail: string,
  started: number,
  now = Date.now(),
) {
  return { kind: 'error', errorClass, detail, durationMs: now - started } satisfies SendOutcome;
}

/** The outcome of a waiting request in the state the store holds, or null while it should wait on. */
function outcomeOf(
  waiting: Waiting,
  state: { takenAt: number | null; answer: string | null } | undefined,
  now: number,
): SendOutcome | null {
  if (state === undefined)
    return failed(
      'network',
      'the relay request disappeared (was the endpoint deleted?)',
      waiting.started,
      now,
    );
  if (state.answer !== null) return answered(JSON.parse(state.answer) as RelayAnswer);
  return overdue(waiting, state.takenAt, now);
}

/**
 * While the store cannot be read it is unknown whether a listener took the request: the attempt waits as long as
 * one that was taken at the last moment would, then fails as a timeout.
 */
function unread(waiting: Waiting, now: number): SendOutcome | null {
  if (now < waiting.pickupBy + waiting.timeoutMs + RELAY_REPORT_MARGIN_MS) return null;
  return failed('timeout', "could not read the listener's report from the database", waiting.started, now);
}

function overdue(waiting: Waiting, takenAt: number | null, now: number): SendOutcome | null {
  if (takenAt === null) {
    if (now < waiting.pickupBy) return null;
    return failed(
      'connect',
      `no listener took the request within ${RELAY_PICKUP_MS / 1000} s; is \`herald listen\` running for this endpoint?`,
      waiting.started,
      now,
    );
  }
  if (now < takenAt + waiting.timeoutMs + RELAY_REPORT_MARGIN_MS) return null;
  return failed(
    'timeout',
    `the listener took the request but reported no response within ${(waiting.timeoutMs + RELAY_REPORT_MARGIN_MS) / 1000} s`,
    waiting.started,
    now,
  );
}

function answered(answer: RelayAnswer): SendOutcome {
  if ('error' in answer)
    return {
      kind: 'error',
      errorClass: answer.error,
      detail: `at the listener: ${answer.detail}`,
      durationMs: answer.durationMs,
    };
  return {
    kind: 'response',
    status: answer.status,
    headers: answer.headers,
    body: answer.body,
    durationMs: answer.durationMs,
  };
}
