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
  /** How long to wait before asking again while claims are in flight but nothing else is due (ms). */
  pollMs: number;
}

/**
 * Claims and works until nothing is due and nothing is in flight, or until told to stop claiming;
 * a freed slot is filled at once. A source is worked on at most once per loop: one that falls due
 * again before the loop ends (a short back-off) is given back for the next loop, so the loop
 * always ends. Answers how many claims it worked on.
 */
export async function runClaimLoop(options: ClaimLoopOptions): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  const done = new Set<string>();
  for (;;) {
    if (options.stopClaiming()) break;
    const room = Math.min(options.capacity - inFlight.size, options.batch);
    if (room > 0) {
      const fresh = await claimFresh(options, room, done);
      for (const claim of fresh) start(claim);
      if (fresh.length > 0) continue;
      if (inFlight.size === 0) break;
    }
    await Promise.race([...inFlight, ...(room > 0 ? [sleep(options.pollMs)] : [])]);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
