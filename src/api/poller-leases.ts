/**
 * The leasing poll (Svix's poller v2): a poll hands a consumer the next messages, numbered with offsets, and
 * leases them to it; while the lease lasts, the next poll reads on after them. A commit of an offset
 * acknowledges that message and every one before it. When the lease lapses before a commit, the next poll reads
 * again from the last commit: at least once. These functions compute the consumer's next state; the routes
 * read and save it (refusing a save based on a stale read).
 */
import type { Message, PollerConsumer, PollerConsumerState } from '../store/index.js';
import { badRequest } from './errors.js';

/** Where a lease poll reads from, and the state it builds on. */
export function leaseStart(
  consumer: PollerConsumer | undefined,
  start: string,
  now: number,
): { from: string; state: PollerConsumerState } {
  if (consumer === undefined)
    return {
      from: start,
      state: { position: start, nextOffset: 0, leased: [], leaseEnd: null, leaseUntil: null },
    };
  const live = consumer.leaseUntil !== null && consumer.leaseUntil > now && consumer.leaseEnd !== null;
  const state: PollerConsumerState = live
    ? { ...consumer }
    : { ...consumer, leased: [], leaseEnd: null, leaseUntil: null };
  return { from: state.leaseEnd ?? state.position, state };
}

/** The state after a poll handed out `messages` and read up to `readTo`, with the offsets it gave them. */
export function leaseGranted(
  state: PollerConsumerState,
  messages: readonly Message[],
  readTo: string,
  leaseUntil: number,
): { state: PollerConsumerState; offsets: number[] } {
  const offsets = messages.map((_, i) => state.nextOffset + i);
  const leased = [...state.leased, ...messages.map((m, i): [number, string] => [offsets[i]!, m.id])];
  if (leased.length === 0)
    // Nothing to acknowledge: what the read passed over (filtered out) needs no commit.
    return { state: { ...state, position: readTo, leased, leaseEnd: null, leaseUntil: null }, offsets };
  return {
    state: { ...state, nextOffset: state.nextOffset + messages.length, leased, leaseEnd: readTo, leaseUntil },
    offsets,
  };
}

/**
 * The state after committing `offset`; unchanged for an offset already committed or given out again after its
 * lease lapsed (the message comes again: at least once); a 400 for an offset never handed out.
 */
export function leaseCommitted(
  state: PollerConsumer,
  offset: number,
  consumerId: string,
): PollerConsumerState {
  if (offset >= state.nextOffset)
    throw badRequest(
      `offset ${offset} was never handed out to consumer "${consumerId}"` +
        (state.nextOffset === 0 ? '; poll first' : `; the last one was ${state.nextOffset - 1}`),
    );
  const at = state.leased.findIndex(([leased]) => leased === offset);
  if (at === -1) return state;
  const rest = state.leased.slice(at + 1);
  if (rest.length > 0) return { ...state, position: state.leased[at]![1], leased: rest };
  // Everything leased is acknowledged: the position moves to where the leased read stopped.
  return {
    ...state,
    position: state.leaseEnd ?? state.leased[at]![1],
    leased: [],
    leaseEnd: null,
    leaseUntil: null,
  };
}
