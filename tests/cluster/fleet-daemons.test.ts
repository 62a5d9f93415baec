/**
 * Real `feedmirror daemon` workers on one PostgreSQL database, against a fleet feed server on
 * 127.0.0.1 that logs every request with the worker named in its User-Agent. Scaled down from
 * issue 18's figures (docs/scale-out-status.md); every wait is for a condition, with an upper
 * bound only, so a loaded machine makes the tests slower, never red.
 */
import { describe, expect, it } from 'vitest';
import { opsScope, waitFor, waitForExit } from '../operations/helpers/ops-scope.js';
import { closePairs, requestTimes, startFleet } from './helpers/fleet.js';

const scope = opsScope();

describe('fleet of daemons on PostgreSQL', () => {
  it('3 workers, 60 sources every 4 s, until each source was requested 3 times: no two requests for one source less than interval − 1 s apart; every worker fetched', async () => {
    const fleet = await startFleet(scope, { sources: 60, latencyMs: 50, interval: 4 });
    const workers = await Promise.all(['w1', 'w2', 'w3'].map((id) => fleet.daemon(id)));
    await waitFor(() => fleet.ids.every((_, i) => (requestTimes(fleet.server).get(i)?.length ?? 0) >= 3), 'every source requested 3 times', 120_000);
    for (const worker of workers) worker.signal('SIGTERM');
    for (const worker of workers) expect(await waitForExit(worker), worker.stderr()).toEqual({ code: 0, signal: null });

    expect(closePairs(fleet.server, 3_000)).toEqual([]);
    const workersSeen = new Set(fleet.server.log.map((r) => r.worker));
    expect([...workersSeen].sort()).toEqual(['w1', 'w2', 'w3']);
    const claimed = await fleet.query((sql) => sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sources WHERE claimed_by IS NOT NULL`);
    expect(claimed[0]!.n).toBe(0);
  }, 180_000);

  it('sources that take 2.5 s to answer, every 2 s: each request comes at least the interval after the previous answer ended, never back to back', async () => {
    const fleet = await startFleet(scope, { sources: 2, latencyMs: 2_500, interval: 2 });
    const worker = await fleet.daemon('w1');
    await waitFor(() => fleet.ids.every((_, i) => (requestTimes(fleet.server).get(i)?.length ?? 0) >= 3), 'every source requested 3 times', 60_000);
    worker.signal('SIGTERM');
    expect(await waitForExit(worker), worker.stderr()).toEqual({ code: 0, signal: null });

    const gaps: number[] = [];
    for (const source of fleet.ids.keys()) {
      const requests = fleet.server.log.filter((r) => r.source === source);
      for (let i = 1; i < requests.length; i++) gaps.push(requests[i]!.startedAt - requests[i - 1]!.endedAt!);
    }
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    // the database's clock and this process's are the same clock, read to the millisecond
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(2_000 - 2);
  }, 90_000);
});
