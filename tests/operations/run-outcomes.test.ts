/**
 * What a run says about the sources that failed in it, as cron and an operator see it: the exit
 * code (`run --strict`), the summary line, and `status`.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { events, opsScope } from './helpers/ops-scope.js';
import { opsConfig } from './helpers/configs.js';
import { feed, reply } from '../remote/helpers/fixture-server.js';
import { rssFeed } from '../remote/helpers/feeds.js';
import { fileTimes, type Workspace } from '../helpers/workspace.js';
import { BAD_SEEDS } from '../helpers/bad-seeds.js';
import { scheduleTick, storeExists } from '../helpers/test-store.js';

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

/** `feedmirror run` as cron starts it, at a tick of schedule.cron (see scheduleTick). */
async function run(ws: Workspace, ...args: string[]) {
  await scheduleTick(ws.databasePath);
  return runCliInProcess(['run', '--config', ws.configPath, ...args], { cwd: ws.dir });
}

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

const badSeed = (name: string) => BAD_SEEDS.find((c) => c.name === name)!;

async function statusRow(ws: Workspace, id: string): Promise<Record<string, unknown>> {
  const status = await runCliInProcess(['status', '--json', '--config', ws.configPath], { cwd: ws.dir });
  expect(status.code, status.stderr).toBe(0);
  return (JSON.parse(status.stdout) as Record<string, unknown>[]).find((row) => row.source === id)!;
}

describe('failures the summary used to hide', () => {
  it('bad seed files (empty, not UTF-8): the source counts as failed, the summary says how many files were not read, status shows them', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    for (const name of ['empty.txt', 'latin1.txt']) await writeFile(path.join(ws.seedsDir, name), badSeed(name).bytes);
    const first = await run(ws);
    expect(first.code, first.stderr).toBe(0);
    const summary = events(first.logs, 'run')[0]!;
    expect(summary).toMatchObject({ failed: 1, failedSources: ['seeds'], badSeedFiles: 2, inserted: 1 });
    expect(summary.msg).toMatch(/^run done: 1 source \(0 fetched, 0 not modified, 1 failed, 0 not due\), 2 seed files not read, 1 new, /);
    expect(await statusRow(ws, 'seeds')).toMatchObject({ failures: 1, outcome: 'error', lastError: '2 seed files not read: empty.txt (FM_SEED_EMPTY), latin1.txt (FM_SEED_NOT_UTF8)' });

    // the folder unchanged: the same bad files, reported again from the record; nothing rewritten
    const feeds = await fileTimes(ws.feedsDir);
    const again = await run(ws, '--strict');
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('run --strict: 1 source failed this run: seeds (FM_SEED_EMPTY)');
    expect(events(again.logs, 'run')[0]).toMatchObject({ failed: 1, badSeedFiles: 2, filesWritten: 0 });
    expect(await fileTimes(ws.feedsDir)).toEqual(feeds);

    // one bad file left: said so; none left: the error is gone
    await rm(path.join(ws.seedsDir, 'empty.txt'));
    expect(events((await run(ws)).logs, 'run')[0]!.msg).toMatch(/1 failed, 0 not due\), 1 seed file not read, /);
    expect(await statusRow(ws, 'seeds')).toMatchObject({ failures: 1, lastError: '1 seed file not read: latin1.txt (FM_SEED_NOT_UTF8)' });
    await rm(path.join(ws.seedsDir, 'latin1.txt'));
    const clean = await run(ws, '--strict');
    expect(clean.code, clean.stderr).toBe(0);
    expect(events(clean.logs, 'run')[0]).toMatchObject({ failed: 0, badSeedFiles: 0 });
    expect(await statusRow(ws, 'seeds')).toMatchObject({ failures: 0, outcome: 'ok', lastError: null });
  });

  it('the index page shows the seeds source failing while its files are bad', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    await writeFile(path.join(ws.seedsDir, 'empty.txt'), badSeed('empty.txt').bytes);
    expect((await run(ws)).code).toBe(0);
    expect(await readFile(path.join(ws.feedsDir, 'index.html'), 'utf8')).toContain('1 seed file not read: empty.txt (FM_SEED_EMPTY)');
  });

  for (const kind of ['missing', 'a file'] as const) {
    it(`a seeds folder that is ${kind}: run exits 1 with check's message, before opening anything`, async () => {
      const ws = await scope.workspace({ config: opsConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'more', seeds: 'more-seeds' }] }) });
      if (kind === 'a file') await writeFile(ws.file('more-seeds'), 'not a folder');
      const check = await runCliInProcess(['check', '--config', ws.configPath], { cwd: ws.dir });
      const result = await run(ws);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: check.code, stderr: check.stderr });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`feedmirror: config: ${ws.configPath}: 1 problem\n  sources[1].seeds: ${ws.file('more-seeds')} is not a readable folder\n`);
      expect(existsSync(ws.feedsDir)).toBe(false);
      expect(await storeExists(ws.databasePath)).toBe(false);
      // a run of the other sources only does not need that folder
      expect((await run(ws, '--source', 'seeds')).code).toBe(0);
    });
  }
});

describe('counts read as English', () => {
  it('"1 source", "1 output" where there is one; plurals otherwise', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    const check = await runCliInProcess(['check', '--config', ws.configPath], { cwd: ws.dir });
    expect(check.stdout).toMatch(/: OK — 1 source \(0 remote\), 1 output, schedule /);
    expect((await run(ws)).code).toBe(0);
    await writeFile(ws.file('seeds', '000_d7ec912073c84491.txt'), 'A new headline\n\nA new body.\n');
    const second = events((await run(ws)).logs, 'run')[0]!;
    expect(second.msg).toMatch(/^run done: 1 source \(.*\), 0 new, 1 updated, \d+ files written, /);
    const quiet = events((await run(ws, '--refresh')).logs, 'run')[0]!;
    expect(quiet.msg).toMatch(/, 0 files written, /);
  });
});
