/**
 * What a run says about the sources that failed in it, as cron and an operator see it: the exit
 * code (`run --strict`), the summary line, and `status`.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { events, opsScope } from './helpers/ops-scope.js';
import { opsConfig } from './helpers/configs.js';
import { feed, reply } from '../remote/helpers/fixture-server.js';
import { rssFeed } from '../remote/helpers/feeds.js';
import type { Workspace } from '../helpers/workspace.js';

const scope = opsScope();

const GOOD_FEED = rssFeed([{ title: 'Fine', link: 'http://example.com/fine', guid: 'fine-1' }]);

/** A project with the sample seeds and two remote sources on the fixture server: `good` answers, `broken` as told. */
async function project(broken: 'ok' | 'error'): Promise<Workspace> {
  const server = await scope.server();
  server.on('/good.xml', feed(GOOD_FEED));
  server.on('/broken.xml', broken === 'ok' ? feed(GOOD_FEED.replaceAll('fine', 'other')) : reply({ status: 503, body: 'down' }));
  return scope.workspace({
    config: opsConfig({
      sources: [
        { id: 'seeds', seeds: 'seeds' },
        { id: 'good', url: server.url('/good.xml') },
        { id: 'broken', url: server.url('/broken.xml') },
      ],
    }),
  });
}

const run = (ws: Workspace, ...args: string[]) => runCliInProcess(['run', '--config', ws.configPath, ...args], { cwd: ws.dir });

describe('run --strict: cron can tell a run in which a source failed', () => {
  it('a remote source that fails: plain run exits 0, run --strict exits 4 naming it and its code; both publish the others', async () => {
    const ws = await project('error');
    const plain = await run(ws);
    expect(plain.code, plain.stderr).toBe(0);
    expect(events(plain.logs, 'run')[0]).toMatchObject({ failed: 1 });
    const strict = await run(ws, '--strict', '--all');
    expect(strict.code).toBe(4);
    expect(strict.stderr).toContain('feedmirror: run --strict: 1 source failed this run: broken (FM_HTTP_STATUS); the others were published');
    expect(existsSync(ws.file('feeds', 'all', 'rss.xml'))).toBe(true);
  });

  it('every source fine: run --strict exits 0 and prints no error', async () => {
    const ws = await project('ok');
    const strict = await run(ws, '--strict');
    expect(strict.code, strict.stderr).toBe(0);
    expect(strict.stderr).not.toContain('feedmirror: run --strict');
  });

  it('a failure of an earlier run does not count: only this run decides (a source not due is not a failure)', async () => {
    const ws = await project('error');
    expect((await run(ws)).code).toBe(0);
    // `broken` is now in backoff, so it is not fetched by this run
    const strict = await run(ws, '--strict');
    expect(events(strict.logs, 'run')[0]).toMatchObject({ failed: 0, skipped: 1 });
    expect(strict.code, strict.stderr).toBe(0);
  });

  it('--help lists --strict and exit code 4', async () => {
    const ws = await scope.workspace();
    const top = await runCliInProcess(['--help'], { cwd: ws.dir });
    expect(top.stdout).toMatch(/^\s*4\s+with run --strict: published, but a source failed this run$/m);
    const help = await runCliInProcess(['run', '--help'], { cwd: ws.dir });
    expect(help.stdout).toMatch(/--strict\s+exit 4 when a source failed this run/);
  });
});
