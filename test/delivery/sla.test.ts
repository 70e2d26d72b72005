/** What attempt results add to the SLA rollups, and what the rollups say about an SLA: pure functions. */
import { describe, expect, it } from 'vitest';
import {
  figures,
  figuresOut,
  history,
  rollupDeltas,
  windowAt,
  type CountedResult,
} from '../../src/delivery/sla.js';
import { DeliveryStatus, TriggerType, type SlaCounts } from '../../src/store/index.js';

const MINUTE = 60_000;

function result(
  status: DeliveryStatus,
  attemptCount: number,
  delayMs: number,
  manual = false,
): CountedResult {
  return {
    update: { status, attemptCount },
    attempt: {
      appId: 'app_1',
      endpointId: 'ep_1',
      triggerType: manual ? TriggerType.Manual : TriggerType.Scheduled,
      createdAt: 90_000 + delayMs - 100,
      durationMs: 100,
    },
    messageCreatedAt: 90_000,
  };
}

const counts = (delivered: number, undelivered: number, within: number[]): SlaCounts => ({
  delivered,
  undelivered,
  within: [...within, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8),
});

describe('SLA rollups', () => {
  it('counts each delivery once: at its first attempt, and again only when a retry delivers it', () => {
    const deltas = rollupDeltas([
      result(DeliveryStatus.Success, 1, 800), // delivered within 1 s
      result(DeliveryStatus.Pending, 1, 200), // first attempt failed
      result(DeliveryStatus.Pending, 2, 6_000), // a retry that failed: already counted
      result(DeliveryStatus.Fail, 5, 7_000), // given up: already counted
      result(DeliveryStatus.Success, 3, 20_000), // a retry delivered it, within 30 s
      result(DeliveryStatus.Success, 1, 500, true), // a manual resend: not counted
    ]);
    // One delta per scope and minute: the application's and the endpoint's, in the message's minute.
    expect(deltas).toEqual([
      { scope: 'app_1', minute: MINUTE, ...counts(2, 0, [1, 1, 1, 2, 2, 2, 2, 2]) },
      { scope: 'ep_1', minute: MINUTE, ...counts(2, 0, [1, 1, 1, 2, 2, 2, 2, 2]) },
    ]);
  });
});

describe('SLA figures', () => {
  const sla = { windowMs: 3_600_000, successTarget: 0.9, delayMs: 30_000, delayTarget: 0.5 };

  it('gives the current value, the budget left and the status of each objective', () => {
    // 100 messages, 95 delivered (5 failing of 10 allowed), 60 within 30 s (40 late of 50 allowed).
    const f = figures(sla, counts(95, 5, [0, 0, 0, 60]), 0, 3_600_000);
    expect(f.messages).toBe(100);
    expect(f.successRate).toEqual({ target: 0.9, current: 0.95, budgetRemaining: expect.closeTo(0.5) });
    expect(f.delay).toMatchObject({
      thresholdMs: 30_000,
      current: 0.6,
      budgetRemaining: expect.closeTo(0.2),
    });
    expect(f.status).toBe('at_risk');
    expect(figuresOut(f)).toMatchObject({
      successRate: { target: 90, current: 95, budgetRemaining: 50 },
      delay: { thresholdSeconds: 30, target: 50, current: 60, budgetRemaining: 20 },
      status: 'at_risk',
    });
  });

  it('is breached below a target, and untouched with no messages', () => {
    expect(figures(sla, counts(80, 20, [0, 0, 0, 80]), 0, 1).status).toBe('breached');
    const empty = figures(sla, counts(0, 0, []), 0, 1);
    expect(empty).toMatchObject({ status: 'ok', budgetRemaining: 1, successRate: { current: null } });
    expect(figures({ ...sla, delayMs: null, delayTarget: null }, counts(1, 0, []), 0, 1).delay).toBeNull();
  });

  it('cuts the window into history buckets, filling those with no messages', () => {
    const { start, end } = windowAt(sla, 3 * 3_600_000 + 30_000);
    expect([start, end]).toEqual([2 * 3_600_000 + MINUTE, 3 * 3_600_000 + MINUTE]);
    const points = history(
      sla,
      [{ start: start + MINUTE, ...counts(1, 1, [0, 0, 0, 1]) }],
      start,
      end,
      MINUTE,
    );
    expect(points).toHaveLength(60);
    expect(points[0]!.messages).toBe(0);
    expect(points[1]).toMatchObject({ messages: 2, status: 'breached', windowStart: start + MINUTE });
  });
});
