/**
 * The worker side of lease renewal (src/pipeline/lease-keeper.ts), against a queue that records
 * what it is asked: when renewals happen, which claims they carry, and what a failed one does.
 * The store side (which leases a renewal moves) is tests/store-lease-renewal.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepLeases } from '../src/pipeline/lease-keeper.js';
import type { ClaimedSource, SourceQueue } from '../src/store/source-queue.js';
import { capturedLogger } from './helpers/captured-logger.js';

const LEASE_SECONDS = 30;
const TICK_MS = 10_000;

const claimOf = (id: string): ClaimedSource => ({ id, url: `https://${id}.example/feed.xml`, claimSeq: 1, claimAttempts: 1 });

/** A queue whose renewLeases answers with `answer` (ids renewed, or an error thrown), recording each call's ids. */
function recordingQueue(answer: (ids: string[]) => Promise<string[]>): { queue: SourceQueue; calls: string[][] } {
  const calls: string[][] = [];
  const queue = {
    renewLeases: async (_worker: string, claims: ClaimedSource[]) => {
      const ids = claims.map((claim) => claim.id);
      calls.push(ids);
      return answer(ids);
    },
  } as Partial<SourceQueue> as SourceQueue;
  return { queue, calls };
}

function connectionError(): Error {
  return Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' });
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('keeping the leases of claims being worked on', () => {
  it('renews every third of a lease, carrying every claim held and none dropped', async () => {
    const { queue, calls } = recordingQueue(async (ids) => ids);
    const keeper = keepLeases(queue, 'w1', LEASE_SECONDS, capturedLogger().logger);
    keeper.hold(claimOf('a'));
    keeper.hold(claimOf('b'));
    keeper.hold(claimOf('c'));
    await vi.advanceTimersByTimeAsync(TICK_MS - 1);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([['a', 'b', 'c']]);
    keeper.drop(claimOf('b'));
    await vi.advanceTimersByTimeAsync(TICK_MS);
    expect(calls).toEqual([['a', 'b', 'c'], ['a', 'c']]);
    keeper.stop();
    await vi.advanceTimersByTimeAsync(5 * TICK_MS);
    expect(calls).toHaveLength(2);
  });

  it('with nothing held, no statement is sent', async () => {
    const { queue, calls } = recordingQueue(async (ids) => ids);
    const keeper = keepLeases(queue, 'w1', LEASE_SECONDS, capturedLogger().logger);
    await vi.advanceTimersByTimeAsync(3 * TICK_MS);
    keeper.hold(claimOf('a'));
    keeper.drop(claimOf('a'));
    await vi.advanceTimersByTimeAsync(3 * TICK_MS);
    expect(calls).toEqual([]);
    keeper.stop();
  });

  it('a claim the store did not renew (completed, or taken by another worker) is no longer carried', async () => {
    const { queue, calls } = recordingQueue(async (ids) => ids.filter((id) => id !== 'lost'));
    const keeper = keepLeases(queue, 'w1', LEASE_SECONDS, capturedLogger().logger);
    keeper.hold(claimOf('kept'));
    keeper.hold(claimOf('lost'));
    await vi.advanceTimersByTimeAsync(2 * TICK_MS);
    expect(calls).toEqual([['kept', 'lost'], ['kept']]);
    keeper.stop();
  });

  it('a failed renewal is a warning naming the worker, the claims and the cause; the claims are carried again next time', async () => {
    const failures = [connectionError(), new Error('canceling statement due to statement timeout')];
    const { queue, calls } = recordingQueue(async (ids) => {
      const failure = failures.shift();
      if (failure) throw failure;
      return ids;
    });
    const { logger, lines } = capturedLogger();
    const keeper = keepLeases(queue, 'host-a-1', LEASE_SECONDS, logger);
    keeper.hold(claimOf('a'));
    keeper.hold(claimOf('b'));
    await vi.advanceTimersByTimeAsync(3 * TICK_MS);
    expect(calls).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
    const warnings = lines().filter((line) => line.event === 'lease-renewal-failed');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ level: 40, worker: 'host-a-1', sources: 2 });
    expect(warnings[0]!.msg).toBe('worker host-a-1: the leases of 2 claims not renewed (the database cannot be reached); trying again in 10 s');
    expect(warnings[1]!.msg).toContain('(canceling statement due to statement timeout)');
    keeper.stop();
  });

  it('a renewal still waiting for the store when the next is due is not sent twice', async () => {
    let finish: (ids: string[]) => void = () => {};
    const { queue, calls } = recordingQueue((ids) => new Promise<string[]>((resolve) => (finish = () => resolve(ids))));
    const keeper = keepLeases(queue, 'w1', LEASE_SECONDS, capturedLogger().logger);
    keeper.hold(claimOf('a'));
    await vi.advanceTimersByTimeAsync(3 * TICK_MS);
    expect(calls).toHaveLength(1);
    finish(['a']);
    await vi.advanceTimersByTimeAsync(TICK_MS);
    expect(calls).toHaveLength(2);
    keeper.stop();
  });
});
