/** fetch.perHostConcurrency holds across the fleet: 4 workers on one host never exceed it together. */
import { describe, expect, it } from 'vitest';
import { opsScope, waitFor, waitForExit } from '../operations/helpers/ops-scope.js';
import { startFleet } from './helpers/fleet.js';

const scope = opsScope();

describe('fleet politeness on PostgreSQL', () => {
  it('4 workers, 200 sources on one host as in the issue, perHost 2: the fixture never sees more than 2 requests at once', async () => {
    const fleet = await startFleet(scope, { sources: 200, latencyMs: 200, interval: 3600, perHost: 2 });
    const workers = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((id) => fleet.daemon(id)));
    await waitFor(() => new Set(fleet.server.log.map((r) => r.source)).size === 200, 'every source requested', 120_000);
    for (const worker of workers) worker.signal('SIGTERM');
    for (const worker of workers) expect((await waitForExit(worker)).code).toBe(0);
    expect(fleet.server.log).toHaveLength(200);
    expect(fleet.server.maxConcurrent()).toBeLessThanOrEqual(2);
    expect(fleet.server.maxConcurrent()).toBe(2);
  }, 180_000);
});
