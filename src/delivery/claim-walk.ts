/**
 * How a worker's claims walk the endpoints that have pending deliveries. Each claim walks a bounded number of
 * them, starting after a cursor, so that every endpoint gets its turn and a claim never reads every endpoint.
 * What one claim found decides where the next starts, how far it walks, and whether a freed place is worth a
 * claim of its own (what the claim may have left behind).
 */
import type { Delivery } from '../store/index.js';

/** The longest walk, in multiples of the usual one. */
export const MAX_WALK_SCALE = 1024;

export interface LeftBehind {
  /** More may be due anywhere: the claim filled its room, or its walk stopped short. */
  more: boolean;
  /** Endpoints that may have more due: skipped as full, or given their whole per-endpoint share. */
  endpoints: ReadonlySet<string>;
}

export interface ClaimWalked {
  /** The deliveries claimed. */
  deliveries: readonly Delivery[];
  /** How many the claim had room for. */
  room: number;
  perEndpoint: number;
  /** Endpoints the claim skipped as full. */
  excluded: readonly string[];
  /** Where the walk stopped short (the last endpoint it looked at), or null when it went round. */
  resumeAfter: string | null;
  /** The walk's length, in multiples of the usual one. */
  walkScale: number;
}

export interface NextWalk {
  walkScale: number;
  leftBehind: LeftBehind;
  /** Where the next claim resumes, when the walk stopped short and was not cut by the room. */
  resumeAfter: string | null;
}

/**
 * What the next claim does after this one. A walk that found nothing and stopped short is followed at once by one
 * twice as long (up to a bound; then the next poll carries on from where it stopped); a claim that filled its
 * room halves the walk again. A walk that stopped short and was not cut by the room resumes after the last
 * endpoint it looked at, so that endpoints further on are reached even when those before them have nothing due.
 */
export function walkAfterClaim(claim: ClaimWalked): NextWalk {
  const { deliveries, room, resumeAfter } = claim;
  const crossing = deliveries.length === 0 && resumeAfter !== null && claim.walkScale < MAX_WALK_SCALE;
  let walkScale = claim.walkScale;
  if (crossing) walkScale *= 2;
  else if (deliveries.length >= room) walkScale = Math.max(1, walkScale / 2);
  return {
    walkScale,
    leftBehind: leftBehind(claim, resumeAfter !== null && (deliveries.length > 0 || crossing)),
    resumeAfter: resumeAfter !== null && deliveries.length < room ? resumeAfter : null,
  };
}

/** What a claim may have left in the queue. */
function leftBehind(
  { deliveries, room, perEndpoint, excluded }: ClaimWalked,
  walkStoppedShort: boolean,
): LeftBehind {
  const endpoints = new Set(excluded);
  const counts = new Map<string, number>();
  for (const { endpointId } of deliveries) {
    const count = (counts.get(endpointId) ?? 0) + 1;
    counts.set(endpointId, count);
    if (count >= perEndpoint) endpoints.add(endpointId);
  }
  return { more: deliveries.length >= room || walkStoppedShort, endpoints };
}

/** The round-robin cursor after a claim: the last endpoint served, walking up from the previous cursor. */
export function nextCursor(previous: string, endpointIds: string[]): string {
  let afterMax = '';
  let wrappedMax = '';
  for (const id of endpointIds) {
    if (id > previous) afterMax = id > afterMax ? id : afterMax;
    else wrappedMax = id > wrappedMax ? id : wrappedMax;
  }
  return wrappedMax !== '' ? wrappedMax : afterMax;
}
