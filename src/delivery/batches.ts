/**
 * Collecting a batching endpoint's deliveries into requests. Jobs claimed for such an endpoint come here
 * instead of going to the slots one by one; each batch that is ready goes to the slots as one job (`batch` set,
 * `job.ts`), which takes one slot and is sent as one JSON array (`batch-attempt.ts`).
 *
 * A batch is ready when it holds `maxMessages` messages, or when one more would take its body past `maxBytes`
 * (a message larger than that alone goes alone), or `maxWaitMs` after its first message joined, whichever
 * comes first. Waiting jobs stay held by the worker, their leases renewed, until their batch goes.
 *
 * At an ordered endpoint a batch is a run of one sequence, in order: the jobs of a sequence (its head, and the
 * deliveries claimed behind it) form one batch at once, never waiting, since nothing else of that sequence can
 * join it while its head is in flight; what does not fit goes back to the queue, to wait behind the batch.
 */
import { batchElement } from './batch-attempt.js';
import type { BatchMember, Job } from './job.js';

export interface BatchHooks {
  /** A batch is ready to send. */
  ready(batch: Job): void;
  /** A job whose message cannot go in a batch: attempted on its own, which records why and sends nothing. */
  alone(job: Job): void;
  /** Jobs that do not fit their sequence's batch: to go back to the queue. */
  giveBack(jobs: Job[]): void;
}

/** The bytes of a batch body: its elements, the commas between them and the brackets. */
function bodyBytes(members: readonly BatchMember[]): number {
  let bytes = 2;
  for (const member of members) bytes += addedBytes(member, bytes > 2);
  return bytes;
}

/** The bytes a member adds to a batch body: its element, and a comma unless it is the first. */
function addedBytes(member: BatchMember, afterOthers: boolean): number {
  return Buffer.byteLength(member.element) + (afterOthers ? 1 : 0);
}

interface Open {
  members: BatchMember[];
  bytes: number;
  timer: NodeJS.Timeout | null;
}

export class BatchCollector {
  /** The batch being collected for each unordered batching endpoint, by endpoint id. */
  readonly #open = new Map<string, Open>();

  constructor(private readonly hooks: BatchHooks) {}

  /** Messages waiting in the endpoint's batch. */
  waiting(endpointId: string): number {
    return this.#open.get(endpointId)?.members.length ?? 0;
  }

  /** Takes claimed jobs of one batching endpoint. */
  add(jobs: readonly Job[]): void {
    const members: BatchMember[] = [];
    for (const job of jobs) {
      const element = batchElement(job);
      if (element === null) this.hooks.alone(job);
      else members.push({ job, element });
    }
    if (members.length === 0) return;
    if (members[0]!.job.target.ordering === 'none') this.#collect(members);
    else this.#runs(members);
  }

  /** Every job waiting for its batch. */
  jobs(): Job[] {
    return [...this.#open.values()].flatMap((open) => open.members.map((member) => member.job));
  }

  /** Drops the waiting jobs `lost` picks (no longer this worker's); returns how many. */
  dropWaiting(lost: (job: Job) => boolean): number {
    let dropped = 0;
    for (const [endpointId, open] of this.#open) {
      const kept = open.members.filter((member) => !lost(member.job));
      dropped += open.members.length - kept.length;
      open.members = kept;
      open.bytes = bodyBytes(kept);
      if (kept.length === 0) this.#close(endpointId);
    }
    return dropped;
  }

  /** Takes every waiting job out (the worker stops), for the caller to give back. */
  takeAll(): Job[] {
    const jobs = this.jobs();
    for (const endpointId of [...this.#open.keys()]) this.#close(endpointId);
    return jobs;
  }

  /** Adds to the endpoint's open batch; sends each batch that fills, and the rest now or when it has waited. */
  #collect(members: BatchMember[]): void {
    const target = members[0]!.job.target;
    const { maxMessages, maxBytes, maxWaitMs } = target.batching!;
    let open = this.#open.get(target.id);
    for (const member of members) {
      open ??= this.#start(target.id);
      if (open.members.length > 0 && open.bytes + addedBytes(member, true) > maxBytes) {
        this.#send(target.id);
        open = this.#start(target.id);
      }
      open.bytes += addedBytes(member, open.members.length > 0);
      open.members.push(member);
      if (open.members.length >= maxMessages || open.bytes >= maxBytes) {
        this.#send(target.id);
        open = undefined;
      }
    }
    if (open === undefined) return;
    if (maxWaitMs === 0) this.#send(target.id);
    else open.timer ??= setTimeout(() => this.#send(target.id), maxWaitMs);
  }

  /** At an ordered endpoint: one batch per sequence, in place order, cut at the endpoint's limits. */
  #runs(members: BatchMember[]): void {
    const { maxMessages, maxBytes } = members[0]!.job.target.batching!;
    const sequences = new Map<string | null, BatchMember[]>();
    for (const member of members) {
      const key = member.job.delivery.seqKey;
      const run = sequences.get(key);
      if (run) run.push(member);
      else sequences.set(key, [member]);
    }
    for (const run of sequences.values()) {
      run.sort((a, b) => Number(a.job.delivery.seq) - Number(b.job.delivery.seq));
      let fits = 1;
      let bytes = bodyBytes(run.slice(0, 1));
      while (fits < Math.min(run.length, maxMessages) && bytes + addedBytes(run[fits]!, true) <= maxBytes)
        bytes += addedBytes(run[fits++]!, true);
      if (fits < run.length) this.hooks.giveBack(run.slice(fits).map((member) => member.job));
      const batch = run.slice(0, fits);
      this.hooks.ready({ ...batch[0]!.job, batch });
    }
  }

  #start(endpointId: string): Open {
    const open: Open = { members: [], bytes: 2, timer: null };
    this.#open.set(endpointId, open);
    return open;
  }

  #send(endpointId: string): void {
    const open = this.#open.get(endpointId);
    this.#close(endpointId);
    if (open === undefined || open.members.length === 0) return;
    this.hooks.ready({ ...open.members[0]!.job, batch: open.members });
  }

  #close(endpointId: string): void {
    const open = this.#open.get(endpointId);
    if (open?.timer) clearTimeout(open.timer);
    this.#open.delete(endpointId);
  }
}
