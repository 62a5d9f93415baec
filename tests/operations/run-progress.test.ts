/**
 * A long run tells its log how far it got: a debug line per source as it finishes, and a periodic
 * info line naming the sources still being waited on. The slow source waits on the test (not on
 * a timer), and the interval is the hidden --progress-interval, so no speed is assumed.
 */
import { describe, expect, it } from 'vitest';
import { feed } from '../remote/helpers/fixture-server.js';
import { rssFeed } from '../remote/helpers/feeds.js';
import { events, opsScope, waitForExit, waitForLogs } from './helpers/ops-scope.js';
import { opsConfig } from './helpers/configs.js';
import { heldFeed } from './helpers/slow-feeds.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';

const scope = opsScope();
const FEED = rssFeed([{ title: 'One', link: 'http://example.com/1', guid: 'one' }]);

describe('progress of a long run', () => {
  it('a slow source: info progress lines name it while it is waited on; a debug line per source as each finishes', async () => {
    const server = await scope.server();
    const slow = heldFeed(FEED.replaceAll('one', 'slow'));
    server.on('/slow.xml', slow.handler);
    server.on('/fast.xml', feed(FEED));
    const ws = await scope.workspace({
      config: opsConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'fast', url: server.url('/fast.xml') }, { id: 'slow', url: server.url('/slow.xml') }] }),
    });
    const child = scope.start(['run', '--config', ws.configPath, '--log-level', 'debug', '--progress-interval', '20'], { cwd: ws.dir });
    await slow.arrived;
    // the other two are done before it: wait for a progress line that says so
    const [line] = await waitForLogs(child, (r) => r.event === 'progress' && r.done === 2, 'a progress line with 2 sources done');
    expect(line).toMatchObject({ level: 30, total: 3, waiting: ['slow'] });
    expect(line!.msg).toMatch(/^progress: 2\/3 sources done, 2 items read; waiting on slow \(\d+ s\)$/);
    slow.release();
    expect((await waitForExit(child)).code, child.stderr()).toBe(0);
    const done = events(child.logs(), 'source-done');
    expect(done.map((r) => [r.source, r.outcome, r.level])).toEqual(expect.arrayContaining([['seeds', 'ok', 20], ['fast', 'ok', 20], ['slow', 'ok', 20]]));
    expect(done.at(-1)).toMatchObject({ source: 'slow', done: 3, total: 3, msg: 'source slow done (ok, 1 item read); 3/3' });
    // nothing after the run: the timer stops with it
    const summaryAt = child.logs().findIndex((r) => r.event === 'run');
    expect(child.logs().slice(summaryAt).filter((r) => r.event === 'progress')).toEqual([]);
  });

  it('--progress-interval is a test hook, not in --help', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    expect((await runCliInProcess(['run', '--help'], { cwd: ws.dir })).stdout).not.toContain('--progress-interval');
  });
});
