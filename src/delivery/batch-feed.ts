/**
 * Feeding a batching endpoint's batches: claimed jobs of such an endpoint are topped up with more of its
 * deliveries (so that one claim's share of an endpoint does not cap a batch) before `batches.ts` collects them,
 * and a batch that is ready takes a token of the endpoint's `throttleRate` (one per request) before it goes to
 * the slots.
 */
import type { Logger } from 'pino';
import type { Delivery, Store } from '../store/index.js';
import type { BatchCollector } from './batches.js';
import { membersOf, type Job } from './job.js';
import type { Slots } from './slots.js';
import type { Targets } from './targets.js';

export interface BatchFeed {
  store: Store;
  worker: string;
  logger: Logger;
  leaseMs: number;
  /** A claim's share of one endpoint: a claim that took this many may have left more due. */
  endpointConcurrency: number;
  slots: Slots;
  targets: Targets;
  batches: BatchCollector;
}

/**
 * Claimed jobs of one batching endpoint go to its batch, with more of its deliveries claimed to fill it: at an
 * unordered endpoint more of its due deliveries (when the claim took its whole share of them), at an ordered
 * one the deliveries waiting behind each sequence's head.
 */
export async function fillBatch(feed: BatchFeed, jobs: Job[]): Promise<void> {
  const { store, slots, targets, batches } = feed;
  const { target } = jobs[0]!;
  const room = target.batching!.maxMessages;
  const claim = { now: Date.now(), leaseMs: feed.leaseMs, worker: feed.worker, endpointId: target.id };
  const more: Delivery[] = [];
  if (target.ordering !== 'none') {
    const runs = new Map<string | null, Job[]>();
    for (const job of jobs) runs.set(job.delivery.seqKey, [...(runs.get(job.delivery.seqKey) ?? []), job]);
    for (const run of runs.values()) {
      const last = run.reduce((a, b) => (Number(b.delivery.seq) > Number(a.delivery.seq) ? b : a));
      more.push(
        ...(await store.deliveryClaimFollowers({ ...claim, head: last.delivery, limit: room - run.length })),
      );
    }
  } else if (jobs.length >= feed.endpointConcurrency)
    more.push(
      ...(await store.deliveryClaimMore({
        ...claim,
        limit: room - batches.waiting(target.id) - jobs.length,
      })),
    );
  if (more.length > 0) {
    slots.claimed(more.length);
    try {
      const loaded = await targets.jobsFor(more);
      if (loaded.orphans.length > 0) slots.letGo(loaded.orphans);
      for (const added of loaded.jobs.values()) jobs.push(...added);
    } catch (error) {
      slots.letGo(more.map((delivery) => delivery.id));
      throw error;
    }
  }
  batches.add(jobs);
}

/**
 * A batch is ready: it goes to the slots if the endpoint's `throttleRate` has a token for it (a batch is one
 * request, and takes one token); otherwise it goes back to the queue, due when the next token is, its
 * deliveries that waited behind a sequence's head waiting again.
 */
export async function dispatchBatch(feed: BatchFeed, batch: Job): Promise<void> {
  const { store, slots, worker } = feed;
  const { target } = batch;
  const members = membersOf(batch);
  try {
    const now = Date.now();
    const rate = target.throttleRate;
    if (rate === null || (await store.endpointTakeTokens(target.id, rate, 1, now)) > 0) {
      slots.enqueue(batch);
      return;
    }
    const ids = (due: boolean) =>
      members.filter((job) => (job.delivery.nextAttemptAt !== null) === due).map((job) => job.delivery.id);
    await store.deliveryPostpone(worker, ids(true), now + Math.ceil(1000 / rate));
    await store.deliveryRelease(worker, ids(false));
    slots.handedBack(members.length);
  } catch (error) {
    slots.letGo(members.map((job) => job.delivery.id));
    feed.logger.error({ err: error, endpoint: target.id }, 'throttling a batch failed');
  }
}
