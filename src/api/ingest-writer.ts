/**
 * Group commit for the outbox write. Each send request hands its messages here; requests that arrive together
 * are validated, routed and written in one transaction, so a burst of single-message POSTs costs one commit
 * instead of one each. A request is answered only after the transaction holding its messages commits, so a
 * 202 still means the message is stored. A request's messages are never split across transactions.
 */
import type { Metrics } from '../delivery/metrics.js';
import { Router } from '../delivery/routing.js';
import type {
  Application,
  EndpointFilter,
  EventType,
  JsonObject,
  Message,
  NewMessage,
  Ordering,
  Store,
} from '../store/index.js';
import { newId } from '../util/ids.js';
import { requestContext, startWriteSpans } from './ingest-tracing.js';
import { checkPayload } from './payload-validation.js';
import type { MessageIn } from './schemas/ingest.js';

/** Messages per transaction at most; a request larger than this is written alone. */
const MAX_GROUP_MESSAGES = 2000;
/**
 * Messages queued that are worth a group of their own while another is being written (where the database takes
 * concurrent writers). Fewer wait for the write in progress and go together in the next group: small requests
 * gain more from sharing a write than from starting their own.
 */
const CONCURRENT_GROUP_MESSAGES = 500;
const HOUR_MS = 60 * 60_000;

export interface IngestRequest {
  application: Application;
  items: MessageIn[];
  /** Deliver to this endpoint only, whatever the filters (send-example). */
  only?: string | undefined;
}

/** A message as written: `created` is false for the original of a repeated eventId. */
export interface Written {
  message: Message;
  created: boolean;
}

const written = ({ message, created }: Written): Written => ({ message, created });

interface Pending extends IngestRequest {
  /** The request's trace context, while tracing is on. */
  trace: ReturnType<typeof requestContext>;
  resolve: (messages: Written[]) => void;
  reject: (error: unknown) => void;
}

/** A request ready to write: its messages with their deliveries. */
interface Routed {
  pending: Pending;
  inputs: NewMessage[];
}

export class IngestWriter {
  #queue: Pending[] = [];
  /** Messages in the queue. */
  #queued = 0;
  /** Groups being written now. */
  #writing = 0;
  #scheduled = false;
  /** Routing, with each endpoint's content filter compiled once. */
  readonly #router = new Router();

  constructor(
    private readonly store: Store,
    private readonly metrics: Metrics,
    /** Wakes the delivery workers once new deliveries are committed. */
    private readonly notify: () => void,
    /**
     * Groups written at once: 1 where the database has a single writer (SQLite); more where concurrent
     * transactions share the wait for the disk (PostgreSQL flushes the commits waiting together at once).
     */
    private readonly maxGroups = 1,
  ) {}

  /**
   * Validates, routes and stores the messages; resolves with them, each marked `created: false` when it is the
   * original of a repeated eventId (then nothing new was queued).
   */
  write(request: IngestRequest): Promise<Written[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...request, trace: requestContext(), resolve, reject });
      this.#queued += request.items.length;
      if (this.#mayStartGroup() && !this.#scheduled) {
        this.#scheduled = true;
        // Let every request read in this turn of the event loop join the group before it is written.
        setImmediate(() => {
          this.#scheduled = false;
          this.#startGroups();
        });
      }
    });
  }

  /** Whether what is queued may start a group now: always when nothing is being written. */
  #mayStartGroup(): boolean {
    if (this.#queue.length === 0) return false;
    if (this.#writing === 0) return true;
    return this.#writing < this.maxGroups && this.#queued >= CONCURRENT_GROUP_MESSAGES;
  }

  /** Starts writing what is queued, a group at a time, while `#mayStartGroup` allows. */
  #startGroups(): void {
    while (this.#mayStartGroup()) {
      let size = 0;
      let taken = 0;
      while (
        taken < this.#queue.length &&
        (taken === 0 || size + this.#queue[taken]!.items.length <= MAX_GROUP_MESSAGES)
      )
        size += this.#queue[taken++]!.items.length;
      const group = this.#queue.splice(0, taken);
      this.#queued -= size;
      this.#writing++;
      void this.#writeGroup(group)
        // Nothing in a group's write is expected to throw; if it does, fail that group rather than leave it hanging.
        .catch((error: unknown) => {
          for (const pending of group) pending.reject(error);
        })
        .finally(() => {
          this.#writing--;
          // What queued up meanwhile goes next, as one group.
          this.#startGroups();
        });
    }
  }

  async #writeGroup(group: Pending[]): Promise<void> {
    let routed: Routed[];
    try {
      routed = await this.#route(group);
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    if (routed.length === 0) return;
    const spans = startWriteSpans(routed.map(({ pending, inputs }) => ({ trace: pending.trace, inputs })));
    try {
      await this.#insert(routed);
      spans.end();
    } catch (error) {
      spans.end(error);
      throw error;
    }
  }

  /** Writes the group's messages in one transaction, or each request's alone when that fails. */
  async #insert(routed: Routed[]): Promise<void> {
    try {
      const results = await this.store.messageCreateMany(routed.flatMap((r) => r.inputs));
      let offset = 0;
      for (const { pending, inputs } of routed) {
        pending.resolve(results.slice(offset, offset + inputs.length).map(written));
        offset += inputs.length;
      }
      this.#accepted(results.filter((result) => result.created).length);
    } catch (error) {
      if (routed.length === 1) {
        routed[0]!.pending.reject(error);
        return;
      }
      // One request's messages must not fail the others': write each alone, so only the faulty one fails.
      for (const { pending, inputs } of routed) {
        try {
          const results = await this.store.messageCreateMany(inputs);
          pending.resolve(results.map(written));
          this.#accepted(results.filter((result) => result.created).length);
        } catch (alone) {
          pending.reject(alone);
        }
      }
    }
  }

  #accepted(created: number): void {
    this.metrics.messagesAccepted.inc(created);
    if (created > 0) this.notify();
  }

  /**
   * Checks each request's payloads against their event types and routes its messages to the matching enabled
   * endpoints, with one read of the event types and one of the endpoints for the whole group. A request whose
   * payload is invalid is rejected here; the rest go on.
   */
  async #route(group: Pending[]): Promise<Routed[]> {
    const names = [...new Set(group.flatMap((pending) => pending.items.map((item) => item.eventType)))];
    const routedApps = [
      ...new Set(group.filter((pending) => pending.only === undefined).map((p) => p.application.id)),
    ];
    const [eventTypes, filters] = await Promise.all([
      this.store.eventTypeGetMany(names),
      this.store.endpointListEnabledFiltersMany(routedApps),
    ]);
    const now = Date.now();
    const routed: Routed[] = [];
    for (const pending of group) {
      try {
        routed.push({ pending, inputs: this.#messagesOf(pending, eventTypes, filters, now) });
      } catch (error) {
        pending.reject(error);
      }
    }
    return routed;
  }

  #messagesOf(
    { application, items, only }: Pending,
    eventTypes: Map<string, EventType>,
    filters: Map<string, EndpointFilter[]>,
    now: number,
  ): NewMessage[] {
    items.forEach((item, index) =>
      checkPayload(
        eventTypes.get(item.eventType),
        item.payload,
        items.length > 1 ? ['body', 'messages', String(index), 'payload'] : ['body', 'payload'],
      ),
    );
    const endpoints = filters.get(application.id) ?? [];
    const orderingOf = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.ordering]));
    return items.map((item) => {
      const channels = item.channels ?? null;
      const orderingKey = item.orderingKey ?? null;
      // A message sent to one endpoint only (an example) takes no place in its sequence.
      const targets =
        only !== undefined
          ? [{ id: only, seqKey: null }]
          : this.#router
              .targets(endpoints, { eventType: item.eventType, channels, payload: item.payload })
              .map((id) => ({ id, seqKey: sequenceOf(orderingOf.get(id)!, orderingKey) }));
      return {
        message: {
          id: newId('message', now),
          appId: application.id,
          eventType: item.eventType,
          eventId: item.eventId ?? null,
          payload: item.payload as JsonObject,
          channels,
          orderingKey,
          createdAt: now,
        },
        deliveries: targets.map(({ id, seqKey }) => ({ id: newId('delivery', now), endpointId: id, seqKey })),
        payloadExpiresAt: payloadExpiry(item, application, now),
      };
    });
  }
}

/**
 * When a message's payload expires: after its own `payloadRetentionHours` (or `payloadRetentionPeriod` in days),
 * else its application's default; null leaves it to the server's retention alone.
 */
function payloadExpiry(item: MessageIn, application: Application, now: number): number | null {
  const hours =
    item.payloadRetentionHours ??
    (item.payloadRetentionPeriod !== undefined ? item.payloadRetentionPeriod * 24 : null) ??
    application.payloadRetentionHours;
  return hours === null ? null : now + hours * HOUR_MS;
}

/**
 * The sequence a message's delivery joins at an endpoint: none when it is unordered, the endpoint's one sequence
 * (''), or the message's ordering key; messages without a key form a sequence of their own ('').
 */
function sequenceOf(ordering: Ordering, orderingKey: string | null): string | null {
  if (ordering === 'none') return null;
  if (ordering === 'endpoint') return '';
  return orderingKey ?? '';
}
