/**
 * The claim loop's decisions (src/pipeline/claim-loop.ts), shared by a fleet daemon and `feedmirror
 * run` on PostgreSQL: when it claims, how many it asks for, when it ends. A fake queue holds the
 * due sources and each claim's work stays in flight until the test finishes it; time is vitest's
 * fake clock, so nothing depends on the machine's speed. What a claim may take (per-host limits,
 * leases, fencing) is the queue's and is tested on PostgreSQL (store-source-queue.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { claimThreshold, runClaimLoop } from '../src/pipeline/claim-loop.js';
import type { ClaimedSource } from '../src/store/source-queue.js';
import { mulberry32 } from './helpers/seeded-random.js';

const POLL_MS = 1_000;

beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => void vi.useRealTimers());

/** Lets the loop run until it waits on something the test controls. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A queue of `due` source ids, claimed oldest first, and the loop running on it. */
function harness(due: string[], options: { capacity: number; batch?: number; stopAfterClaims?: number }) {
  const queue = [...due];
  const asked: number[] = [];
  const given: number[] = [];
  const released: string[] = [];
  const running = new Map<string, () => void>();
  let most = 0;
  const loop = runClaimLoop({
    capacity: options.capacity,
    batch: options.batch ?? 50,
    pollMs: POLL_MS,
    stopClaiming: () => options.stopAfterClaims !== undefined && asked.length >= options.stopAfterClaims,
    claim: async (room) => {
      asked.push(room);
      const got = queue.splice(0, room).map((id): ClaimedSource => ({ id, url: `https://example.com/${id}`, claimSeq: 1, claimAttempts: 1 }));
      given.push(got.length);
      return got;
    },
    work: (claim) =>
      new Promise<void>((resolve) => {
        running.set(claim.id, resolve);
        most = Math.max(most, running.size);
      }).finally(() => running.delete(claim.id)),
    release: async (claim) => void released.push(claim.id),
  });
  let ended = false;
  void loop.then(() => (ended = true));
  return {
    queue, asked, given, released, loop,
    ended: () => ended,
    most: () => most,
    running: () => [...running.keys()],
    /** Finishes these claims (the oldest in flight when a number) and lets the loop react. */
    async finish(which: number | string[]) {
      const ids = typeof which === 'number' ? [...running.keys()].slice(0, which) : which;
      for (const id of ids) running.get(id)!();
      await settle();
    },
  };
}

const ids = (n: number, prefix = 's') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('claim loop: when it claims', () => {
  it('claimThreshold is a quarter of the capacity, at least 1 and at most the batch', () => {
    expect([1, 2, 3, 4, 7, 8, 32].map((capacity) => claimThreshold(capacity, 50))).toEqual([1, 1, 1, 1, 1, 2, 8]);
    expect(claimThreshold(32, 3)).toBe(3);
  });

  it('with nothing in flight it claims at once, filling every slot', async () => {
    const h = harness(ids(100), { capacity: 8 });
    await settle();
    expect(h.asked).toEqual([8]);
    expect(h.running()).toHaveLength(8);
  });

  it('one freed slot of 8 is not claimed for; the second is, and both slots are filled by one claim', async () => {
    const h = harness(ids(100), { capacity: 8 });
    await settle();
    await h.finish(1);
    expect(h.asked).toEqual([8]);
    expect(h.running()).toHaveLength(7);
    await h.finish(1);
    expect(h.asked).toEqual([8, 2]);
    expect(h.running()).toHaveLength(8);
  });

  it('32 slots: claims of 8 or more while sources are due, never more than 32 in flight, whatever order the work ends in', async () => {
    const h = harness(ids(400), { capacity: 32 });
    const random = mulberry32(18);
    await settle();
    while (h.queue.length > 0) {
      const running = h.running();
      await h.finish([running[Math.floor(random() * running.length)]!]);
    }
    expect(h.most()).toBe(32);
    expect(h.asked.slice(1).every((room) => room >= 8)).toBe(true);
    expect(h.asked.length).toBeLessThanOrEqual(1 + Math.ceil((400 - 32) / 8));
  });

  it('a slot below the threshold is filled once it has waited pollMs for the others', async () => {
    const h = harness(ids(100), { capacity: 8 });
    await settle();
    await h.finish(1);
    await vi.advanceTimersByTimeAsync(POLL_MS - 1);
    expect(h.asked).toEqual([8]);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(h.asked).toEqual([8, 1]);
    expect(h.running()).toHaveLength(8);
  });

  it('the batch caps a claim, and the loop claims again at once while the queue gives all it is asked for', async () => {
    const h = harness(ids(100), { capacity: 8, batch: 3 });
    await settle();
    expect(h.asked).toEqual([3, 3, 2]);
    expect(h.running()).toHaveLength(8);
  });

  it('a claim that got fewer than it asked for (nothing more due) is not repeated at once: the loop waits for a slot to free or pollMs', async () => {
    const h = harness(ids(5), { capacity: 8 });
    await settle();
    expect(h.asked).toEqual([8]);
    h.queue.push('late');
    await settle();
    expect(h.asked).toEqual([8]);
    await vi.advanceTimersByTimeAsync(POLL_MS);
    await settle();
    expect(h.asked).toEqual([8, 3]);
    expect(h.running()).toEqual(['s0', 's1', 's2', 's3', 's4', 'late']);
  });
});

describe('claim loop: when it ends', () => {
  it('nothing due: one claim, and the loop ends at once (a run on PostgreSQL ends when nothing is due)', async () => {
    const h = harness([], { capacity: 8 });
    await settle();
    expect(h.ended()).toBe(true);
    expect(await h.loop).toBe(0);
    expect(h.asked).toEqual([8]);
  });

  it('the last claims done and nothing due: it ends without waiting for the clock', async () => {
    const h = harness(ids(10), { capacity: 8 });
    await settle();
    await h.finish(8);
    expect(h.asked).toEqual([8, 8]);
    await h.finish(2);
    expect(h.ended()).toBe(true);
    expect(await h.loop).toBe(10);
  });

  it('a source claimed again in the same loop is given back, and the loop still ends', async () => {
    const h = harness(['a', 'b'], { capacity: 2 });
    await settle();
    h.queue.push('a');
    await h.finish(['a', 'b']);
    expect(h.released).toEqual(['a']);
    expect(h.ended()).toBe(true);
    expect(await h.loop).toBe(2);
  });

  it('told to stop claiming: no claim is made after that, and the loop ends when the work in flight is done', async () => {
    const h = harness(ids(100), { capacity: 4, stopAfterClaims: 1 });
    await settle();
    await h.finish(4);
    expect(h.asked).toEqual([4]);
    expect(h.ended()).toBe(true);
    expect(await h.loop).toBe(4);
  });
});
