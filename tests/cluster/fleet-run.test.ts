/**
 * `feedmirror run` on PostgreSQL from several hosts at once: no run lock, each due source fetched
 * by exactly one of them, both publish and exit 0; --all claims sources that are not due; `status`
 * shows the workers and the claims.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsScope, waitForExit } from '../operations/helpers/ops-scope.js';
import { runCli } from '../helpers/workspace.js';
import { startFleet } from './helpers/fleet.js';
import { openStore } from '../../src/store/open-store.js';

const scope = opsScope();

describe('feedmirror run on PostgreSQL', () => {
  it('two runs at once share 40 due sources (each fetched once), both exit 0 and publish; a run --all fetches them all again; status lists both workers', async () => {
    const fleet = await startFleet(scope, { sources: 40, latencyMs: 100, interval: 3600, concurrency: 4 });
    const runs = await Promise.all([fleet.run('r1'), fleet.run('r2')]);
    for (const run of runs) expect(await waitForExit(run), run.stderr()).toEqual({ code: 0, signal: null });
    const counts = new Map<number, number>();
    for (const r of fleet.server.log) counts.set(r.source, (counts.get(r.source) ?? 0) + 1);
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(runs.every((run) => !run.stderr().includes('another run is in progress'))).toBe(true);
    expect(existsSync(path.join(fleet.ws.feedsDir, 'all', 'rss.xml'))).toBe(true);

    const again = await fleet.run('r3', '--all');
    expect(await waitForExit(again), again.stderr()).toEqual({ code: 0, signal: null });
    expect(fleet.server.log.filter((r) => r.worker === 'r3')).toHaveLength(40);

    const status = await runCli(['status', '--config', fleet.ws.file('worker-r3.json')], { cwd: fleet.ws.dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Claimed sources: none/);
    expect(status.stdout).toMatch(/Workers: \n.*WORKER.*LAST HEARTBEAT/);
    for (const id of ['r1', 'r2', 'r3']) expect(status.stdout).toMatch(new RegExp(`\\n${id} .* exited `));
  }, 180_000);

  it('a source disabled after its lease ran out maxAttempts times shows in status with its error', async () => {
    const fleet = await startFleet(scope, { sources: 2, latencyMs: 10, interval: 3600 });
    await (await openStore(fleet.ws.databasePath)).close(); // the schema, before a row is put in by hand
    await fleet.query((sql) => sql`INSERT INTO sources (id, url, host, claimed_by, claim_attempts, next_due_at) VALUES ('s0000', 'x', 'h', 'gone', 3, now() - interval '1 s')`);
    const run = await fleet.run('r1');
    expect((await waitForExit(run)).code).toBe(0);
    expect(run.logs().find((r) => r.event === 'source-disabled')).toMatchObject({ source: 's0000', msg: expect.stringMatching(/claimed 3 times without completing/) });
    const status = await runCli(['status', '--config', fleet.ws.file('worker-r1.json')], { cwd: fleet.ws.dir });
    expect(status.stdout).toMatch(/Disabled sources: \n.*\ns0000 +claimed 3 times without completing/);
    expect(fleet.server.log.map((r) => r.source)).toEqual([1]);
  }, 120_000);
});
