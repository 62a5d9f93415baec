import { plural } from '../lib/plural.js';
import type { Logger } from '../log/logger.js';
import type { ClaimedSource, SourceQueue } from '../store/source-queue.js';
import { isStoreUnreachable } from '../store/store-unreachable.js';

export interface LeaseKeeper {
  /** The claim is being worked on: its lease is renewed until `drop`. */
  hold(claim: ClaimedSource): void;
  drop(claim: ClaimedSource): void;
  stop(): void;
}

/** How many renewals fit in one lease: two can fail (a busy or restarting database) before the lease runs out. */
const RENEWALS_PER_LEASE = 3;

/**
 * Keeps the leases of the claims a worker is working on, as a message queue's visibility timeout
 * is extended: every third of a lease, one statement moves the end of each held lease to a full
 * lease from now. A harvest that outlasts one lease (many full-text pages, a slow store) is then
 * not handed to a second worker while the first is alive and working; a worker that dies or
 * stalls stops renewing, and its claims come back one lease after the last renewal at most.
 */
export function keepLeases(queue: SourceQueue, workerId: string, leaseSeconds: number, logger: Logger): LeaseKeeper {
  const held = new Map<string, ClaimedSource>();
  let renewing = false;
  const renew = async () => {
    if (renewing || held.size === 0) return;
    renewing = true;
    const claims = [...held.values()];
    try {
      const renewed = new Set(await queue.renewLeases(workerId, claims, leaseSeconds));
      // Not renewed: completed meanwhile, or taken by another worker, whose completion then logs `lease-lost`.
      for (const claim of claims) if (!renewed.has(claim.id)) held.delete(claim.id);
    } catch (error) {
      // The completion is fenced anyway; a failed renewal only risks a second fetch.
      const why = isStoreUnreachable(error) ? 'the database cannot be reached' : (error as Error).message;
      logger.warn({ event: 'lease-renewal-failed', worker: workerId, sources: claims.length }, `worker ${workerId}: ${claims.length === 1 ? 'the lease of 1 claim' : `the leases of ${plural(claims.length, 'claim')}`} not renewed (${why}); trying again in ${Math.round(leaseSeconds / RENEWALS_PER_LEASE)} s`);
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void renew(), (leaseSeconds * 1000) / RENEWALS_PER_LEASE);
  timer.unref();
  return {
    hold: (claim) => void held.set(claim.id, claim),
    drop: (claim) => void held.delete(claim.id),
    stop: () => clearInterval(timer),
  };
}
