/** How one claim's walk decides the next: where it resumes, how far it walks, and what it may have left behind. */
import { describe, expect, it } from 'vitest';
import {
  MAX_WALK_SCALE,
  nextCursor,
  walkAfterClaim,
  type ClaimWalked,
} from '../../src/delivery/claim-walk.js';
import type { Delivery } from '../../src/store/index.js';

/** Claimed deliveries, one per endpoint id given (repeat an id for several to one endpoint). */
function claimed(...endpointIds: string[]): Delivery[] {
  return endpointIds.map((endpointId, i) => ({ id: `dlv_${i}`, endpointId }) as Delivery);
}

const claim = (over: Partial<ClaimWalked>): ClaimWalked => ({
  deliveries: [],
  room: 10,
  perEndpoint: 2,
  excluded: [],
  resumeAfter: null,
  walkScale: 1,
  ...over,
});

describe('walkAfterClaim', () => {
  it('doubles the walk after one that found nothing and stopped short, and resumes where it stopped', () => {
    const next = walkAfterClaim(claim({ resumeAfter: 'ep_5', walkScale: 4 }));
    expect(next).toEqual({
      walkScale: 8,
      leftBehind: { more: true, endpoints: new Set() },
      resumeAfter: 'ep_5',
    });
  });

  it('stops doubling at the bound, and then leaves the rest to the next poll', () => {
    const next = walkAfterClaim(claim({ resumeAfter: 'ep_5', walkScale: MAX_WALK_SCALE }));
    expect(next.walkScale).toBe(MAX_WALK_SCALE);
    expect(next.leftBehind.more).toBe(false);
    expect(next.resumeAfter).toBe('ep_5');
  });

  it('halves the walk after a claim that filled its room, and leaves the cursor to the endpoints served', () => {
    const next = walkAfterClaim(
      claim({ deliveries: claimed('ep_1', 'ep_2'), room: 2, resumeAfter: 'ep_9', walkScale: 8 }),
    );
    expect(next.walkScale).toBe(4);
    expect(next.leftBehind.more).toBe(true);
    expect(next.resumeAfter).toBeNull();
  });

  it('after a walk that went round with room to spare, expects more only at skipped and capped endpoints', () => {
    const next = walkAfterClaim(
      claim({ deliveries: claimed('ep_1', 'ep_1', 'ep_2'), excluded: ['ep_7'], walkScale: 2 }),
    );
    expect(next.walkScale).toBe(2);
    expect(next.leftBehind).toEqual({ more: false, endpoints: new Set(['ep_7', 'ep_1']) });
    expect(next.resumeAfter).toBeNull();
  });

  it('after a productive walk that stopped short, expects more and resumes after it', () => {
    const next = walkAfterClaim(claim({ deliveries: claimed('ep_3'), resumeAfter: 'ep_4' }));
    expect(next.leftBehind.more).toBe(true);
    expect(next.resumeAfter).toBe('ep_4');
  });
});

describe('nextCursor', () => {
  it('moves to the last endpoint served after the cursor', () => {
    expect(nextCursor('ep_2', ['ep_3', 'ep_5', 'ep_4'])).toBe('ep_5');
  });

  it('wraps round: endpoints served at or before the cursor came after the walk passed the end', () => {
    expect(nextCursor('ep_5', ['ep_6', 'ep_1', 'ep_2'])).toBe('ep_2');
  });
});
