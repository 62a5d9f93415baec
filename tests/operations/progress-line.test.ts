/**
 * At a terminal, `run` keeps one progress line at the bottom (sources done/total, items read, the
 * sources still waited on), rewritten in place, stepping aside for each log line and erased at the
 * end. Run on a real pseudo-terminal (util-linux `script`); the slow source waits on the test, and
 * the hidden --progress-interval hastens the redraw, so no speed is assumed.
 */
import { describe, expect, it } from 'vitest';
import { feed } from '../remote/helpers/fixture-server.js';
import { rssFeed } from '../remote/helpers/feeds.js';
import { opsScope, sleep, waitFor, waitForExit, type OpsScope } from './helpers/ops-scope.js';
import { opsConfig } from './helpers/configs.js';
import { heldFeed, type HeldFeed } from './helpers/slow-feeds.js';
import { screenLines, startInTerminal, type TerminalChild } from './helpers/terminal.js';

const scope = opsScope();
const FEED = rssFeed([{ title: 'One', link: 'http://example.com/1', guid: 'one' }]);
const ERASE = '\r\x1b[2K';

/** seeds and a fast feed, and `slow-source`, held until the test releases it. */
async function slowRun(s: OpsScope): Promise<{ configPath: string; dir: string; slow: HeldFeed }> {
  const server = await s.server();
  const slow = heldFeed(FEED.replaceAll('one', 'slow'));
  server.on('/slow.xml', slow.handler);
  server.on('/fast.xml', feed(FEED));
  const ws = await s.workspace({
    config: opsConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'fast', url: server.url('/fast.xml') }, { id: 'slow-source', url: server.url('/slow.xml') }] }),
  });
  return { configPath: ws.configPath, dir: ws.dir, slow };
}

function inTerminal(run: { configPath: string; dir: string }, extra: string[], columns?: number): TerminalChild {
  const child = startInTerminal(['run', '--config', run.configPath, '--progress-interval', '20', ...extra], { cwd: run.dir, columns });
  scope.defer(async () => {
    if (!child.hasExited()) child.kill();
    await child.exit;
  });
  return child;
}

/** Without colours. */
function plain(raw: string): string {
  return raw.replace(/\x1b\[[0-9;]*m/g, '');
}

/** What was drawn after each ERASE, up to the next control: the progress texts (and the starts of log lines). */
function drawn(raw: string): string[] {
  return raw.split(ERASE).slice(1).map((part) => part.split(/[\r\n\x1b]/)[0]!).filter((text) => text !== '');
}

describe('progress line on a terminal', () => {
  it('names done/total, items and the slow source while it is waited on; log lines stay whole; erased at the end', async () => {
    const run = await slowRun(scope);
    const child = inTerminal(run, ['--log-level', 'debug']);
    await run.slow.arrived;
    // the whole line, once it has all arrived (the terminal passes output on in pieces)
    await waitFor(() => drawn(child.output()).some((text) => /^feedmirror run: 2\/3 sources done, 2 items read; waiting on slow-source \(\d+ s\)$/.test(text)), 'the progress line');
    // while the run goes: the debug lines of the two done sources above, whole; the progress line last
    // a log line may be on its way: the line comes back below it
    const during = await waitFor(() => {
      const screen = screenLines(child.output());
      return screen.at(-1)?.startsWith('feedmirror run: 2/3 sources done') && screen;
    }, 'the progress line at the bottom of the screen');
    // in either order: a fleet worker (PostgreSQL) harvests the seeds and the feeds at once
    const doneLines = during.filter((l) => /source (seeds|fast) done/.test(l));
    expect(doneLines).toHaveLength(2);
    expect(doneLines).toEqual(expect.arrayContaining([expect.stringMatching(/^\[\d\d:\d\d:\d\d\.?\d*\] DEBUG: \[seeds\] source seeds done/), expect.stringMatching(/^\[[\d:.]+\] DEBUG: \[fast\] source fast done/)]));
    run.slow.release();
    expect((await child.exit).code, child.output()).toBe(0);
    const screen = screenLines(child.output());
    expect(screen.filter((l) => l.includes('feedmirror run:')), 'no progress line left on the screen').toEqual([]);
    expect(screen.at(-1)).toMatch(/^\[[\d:.]+\] INFO: run done: /);
    // every line on the screen is a log line, none broken into by the status line
    for (const l of screen) expect(l).toMatch(/^\[[\d:.]+\] (DEBUG|INFO|WARN):/);
  });

  it('a narrow terminal: the line is cut to its width with an ellipsis, so CR can erase it', async () => {
    const run = await slowRun(scope);
    const child = inTerminal(run, [], 40);
    await run.slow.arrived;
    const line = 'feedmirror run: 2/3 sources done, 2 it…';
    expect([...line]).toHaveLength(39);
    await waitFor(() => drawn(child.output()).includes(line), 'the progress line, cut');
    run.slow.release();
    expect((await child.exit).code).toBe(0);
  });

  // Each run lasts until the info `progress` line of the log (same interval as the redraw) was
  // written: had a progress line been due, it would have been drawn by then.
  for (const [name, extra, logged] of [
    ['--log-format json', ['--log-format', 'json'], '"event":"progress"'],
    ['--no-progress', ['--no-progress'], 'INFO: progress: 2/3 sources done'],
  ] as const) {
    it(`${name} on a terminal: no progress line, the log alone`, async () => {
      const run = await slowRun(scope);
      const child = inTerminal(run, [...extra]);
      await run.slow.arrived;
      await waitFor(() => plain(child.output()).includes(logged), `the log's progress line; output so far:\n${child.output()}`);
      run.slow.release();
      expect((await child.exit).code).toBe(0);
      expect(child.output()).not.toContain('\x1b[2K');
      expect(child.output()).not.toContain('feedmirror run:');
    });
  }

  it('--log-level warn (quiet) on a terminal: no progress line', async () => {
    const run = await slowRun(scope);
    const child = inTerminal(run, ['--log-level', 'warn']);
    await run.slow.arrived;
    // nothing is logged to wait for: 25 redraw intervals (a slow machine can only make this pass wrongly, never fail)
    await sleep(500);
    run.slow.release();
    expect((await child.exit).code).toBe(0);
    expect(child.output()).toBe('');
  });

  it('stderr piped (cron, a log file), even with --log-format pretty: no progress line', async () => {
    const run = await slowRun(scope);
    const child = scope.start(['run', '--config', run.configPath, '--progress-interval', '20', '--log-format', 'pretty'], { cwd: run.dir });
    await run.slow.arrived;
    await waitFor(() => child.stderr().includes('INFO: progress: 2/3 sources done'), `the log's progress line; stderr so far:\n${child.stderr()}`);
    run.slow.release();
    expect((await waitForExit(child)).code).toBe(0);
    expect(child.stderr()).not.toContain('\x1b[2K');
    expect(child.stderr()).not.toContain('feedmirror run:');
  });
});
