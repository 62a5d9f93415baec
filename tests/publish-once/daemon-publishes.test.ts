/**
 * A daemon on PostgreSQL publishes the outputs that are past cluster.publishDebounce and goes back
 * to fetching: it does not sit out the debounce of the rest. Those are published by a later window,
 * by an idle poll once they are ready, or, when the daemon stops, before it exits.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsScope, waitFor, waitForExit, waitForLogs } from '../operations/helpers/ops-scope.js';
import { startFleet } from '../cluster/helpers/fleet.js';

const scope = opsScope();
/** How long a daemon claims before it publishes (fleet-daemon.ts PUBLISH_WINDOW_MS). */
const WINDOW_MS = 10_000;

describe('a daemon on PostgreSQL and the publish debounce', () => {
  it('keeps fetching while an output waits out a long debounce, and publishes it when stopped', async () => {
    const fleet = await startFleet(scope, { sources: 2, latencyMs: 10, interval: 1, publishDebounce: '1h' });
    const daemon = await fleet.daemon('w1');
    const first = await waitFor(() => fleet.server.log[0]?.startedAt, 'the first fetch');
    // Fetches after the first window's end: the publish at that end did not wait for the hour.
    await waitFor(() => fleet.server.log.some((r) => r.startedAt > first + WINDOW_MS + 2_000), 'a fetch in the second window', 60_000);
    const feed = path.join(fleet.ws.dir, 'feeds', 'all', 'rss.xml');
    expect(existsSync(feed)).toBe(false);
    expect(daemon.logs().filter((r) => r.event === 'publish')).toEqual([]);
    daemon.signal('SIGTERM');
    const exit = await waitForExit(daemon);
    expect(exit.code, daemon.stderr()).toBe(0);
    expect(daemon.logs().filter((r) => r.event === 'publish').map((r) => r.output)).toEqual(['all']);
    const rss = await readFile(feed, 'utf8');
    for (const i of [0, 1]) expect(rss).toContain(`http://example.com/s${i}/1`);
    const rows = await fleet.query((sql) => sql`SELECT dirty, claimed_by FROM outputs WHERE id = 'all'`);
    expect(rows).toEqual([{ dirty: false, claimed_by: null }]);
  });

  it('an idle daemon publishes an output once its debounce is over', async () => {
    const fleet = await startFleet(scope, { sources: 1, latencyMs: 10, interval: 3600, publishDebounce: '2s' });
    const daemon = await fleet.daemon('w1');
    const [line] = await waitForLogs(daemon, (r) => r.event === 'publish' && r.output === 'all', 'the output to be published while the daemon runs');
    expect(fleet.server.log).toHaveLength(1);
    expect(Date.parse(line!.startedAt as string) - fleet.server.log[0]!.startedAt).toBeGreaterThanOrEqual(2_000);
    expect(existsSync(path.join(fleet.ws.dir, 'feeds', 'all', 'rss.xml'))).toBe(true);
    daemon.signal('SIGTERM');
    expect((await waitForExit(daemon)).code, daemon.stderr()).toBe(0);
  });
});
