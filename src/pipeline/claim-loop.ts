import type { ClaimedSource } from '../store/source-queue.js';

export interface ClaimLoopOptions {
  /** Claims in flight at most (fetch.concurrency). */
  capacity: number;
  /** At most this many sources are asked for at a time (cluster.claimBatch). */
  batch: number;
  /** Claims up to `room` sources: the due ones, or those named. */
  claim: (room: number) => Promise<ClaimedSource[]>;
  /** Harvests and completes (or releases) one claim; never throws. */
  work: (claim: ClaimedSource) => Promise<void>;
  /** Gives back a claim this loop will not work on (a source it did already). */
  release: (claim: ClaimedSource) => Promise<void>;
  /** No claim is made once this returns true (a deadline, a shutdown); claims in flight finish. */
  stopClaiming: () => boolean;
  /**
   * How long to wait before asking again while claims are in flight and either nothing else was
   * due or fewer slots than claimThreshold are free (ms).
   */
  pollMs: number;
}

/**
 * How many free slots make a claim worth its cost: a quarter of the capacity. Every claim is a
 * statement the whole fleet serialises on, so filling each slot as it frees (with concurrency 8,
 * most claims took 1–2 sources: docs/performance-history.md, "Cluster") costs the database a claim per fetch
 * and caps a large fleet; waiting for a quarter of the slots costs about an eighth of a slot's
 * work on average.
 */
export function claimThreshold(capacity: number, batch: number): number {
  return Math.max(1, Math.min(Math.floor(capacity / 4), batch));
}

/**
 * Claims and works until nothing is due and nothing is in flight, or until told to stop claiming.
 * Claims are made in batches: at once when nothing is in flight (a worker is never idle while
 * sources are due), else when claimThreshold slots are free, or when a slot has waited pollMs
 * for the others. A claim that gets fewer sources than it asked for means nothing more is due
 * now: the next one waits for a slot to free or for pollMs. A source is worked on at most once per
 * loop: one that falls due again before the loop ends (a short back-off) is given back for the
 * next loop, so the loop always ends. Answers how many claims it worked on.
 */
export async function runClaimLoop(options: ClaimLoopOptions): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  const done = new Set<string>();
  const threshold = claimThreshold(options.capacity, options.batch);
  let waitedOut = false;
  for (;;) {
    if (options.stopClaiming()) break;
    const free = options.capacity - inFlight.size;
    const room = Math.min(free, options.batch);
    if (room > 0 && (inFlight.size === 0 || free >= threshold || waitedOut)) {
      const fresh = await claimFresh(options, room, done);
      for (const claim of fresh) start(claim);
      if (inFlight.size === 0) break;
      if (fresh.length === room) continue;
    }
    waitedOut = await nextCompletion(inFlight, room > 0 ? options.pollMs : null);
  }
  await Promise.all(inFlight);
  return done.size;

  function start(claim: ClaimedSource) {
    done.add(claim.id);
    const job = options.work(claim).finally(() => inFlight.delete(job));
    inFlight.add(job);
  }
}

async function claimFresh(options: ClaimLoopOptions, room: number, done: Set<string>): Promise<ClaimedSource[]> {
  const claimed = await options.claim(room);
  const fresh = claimed.filter((claim) => !done.has(claim.id));
  for (const claim of claimed) if (done.has(claim.id)) await options.release(claim);
  return fresh;
}

/** Waits for a claim in flight to finish, or `pollMs` (null: no limit): true when the time ran out first. */
async function nextCompletion(inFlight: Set<Promise<void>>, pollMs: number | null): Promise<boolean> {
  if (pollMs === null) {
    await Promise.race(inFlight);
    return false;
  }
  let timer: NodeJS.Timeout | undefined;
  const poll = new Promise<'poll'>((resolve) => (timer = setTimeout(() => resolve('poll'), pollMs).unref()));
  try {
    return (await Promise.race([...inFlight, poll])) === 'poll';
  } finally {
    clearTimeout(timer);
  }
}
