/**
 * What each fleet chore does, called in-process on a PostgreSQL store that `feedmirror run` filled:
 * `site` rewrites the site-wide files byte for byte as a run's publish writes them, and nothing when
 * nothing changed; `housekeeping` removes a dead publish's temp files but not a live one's, and old
 * chore records. And the start-up clock check: a warning past 1 s, no chores past 60 s.
 */
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config.js';
import { keepHouse, ORPHAN_TEMP_AGE_MS, refreshSite } from '../../src/pipeline/fleet-chores.js';
import { startChores } from '../../src/schedule/chores.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres-store.js';
import { capturedLogger } from '../helpers/captured-logger.js';
import { queryDatabase } from '../helpers/test-store.js';
import { runCli, type Workspace } from '../helpers/workspace.js';
import { opsConfig } from '../operations/helpers/configs.js';
import { opsScope, waitFor } from '../operations/helpers/ops-scope.js';

const scope = opsScope();
const SITE_FILES = ['index.html', 'sources.opml', 'mirrors.json', 'feed.xsl'];
const stores: PostgresStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** A workspace the CLI has run once (the sample seed article stored and published), its config and store. */
async function publishedWorkspace(): Promise<{ ws: Workspace; config: Config; store: PostgresStore }> {
  const ws = await scope.workspace({ config: opsConfig({ siteMirrors: ['https://mirror.example.net/'] }) });
  const run = await runCli(['run', '--config', ws.configPath], { cwd: ws.dir });
  expect(run.code, run.stderr).toBe(0);
  const store = await openPostgresStore(ws.databasePath);
  stores.push(store);
  return { ws, config: await loadConfig(ws.configPath), store };
}

const siteFile = (ws: Workspace, file: string) => readFile(path.join(ws.feedsDir, file), 'utf8');

describe('the site chore', () => {
  it('writes the site-wide files (and each site copy\'s) exactly as the run did, then nothing while nothing changes', async () => {
    const { ws, config, store } = await publishedWorkspace();
    const files = [...SITE_FILES, ...SITE_FILES.map((f) => `mirrors/mirror.example.net/${f}`)];
    const published = await Promise.all(files.map((f) => siteFile(ws, f)));
    for (const file of files) await rm(path.join(ws.feedsDir, file));
    const { logger } = capturedLogger();

    const first = await refreshSite({ config, store, chores: store.chores(), logger, now: new Date() });
    expect(first.changed).toBe(true);
    for (const file of files) expect(first.detail).toContain(file);
    expect(await Promise.all(files.map((f) => siteFile(ws, f)))).toEqual(published);
    expect(await refreshSite({ config, store, chores: store.chores(), logger, now: new Date() })).toEqual({ detail: 'site files unchanged', changed: false });
  });
});

describe('the housekeeping chore', () => {
  it('removes temp files older than the limit anywhere in outputDir, keeps younger ones (a publish in progress) and other files, and drops old chore records', async () => {
    const { ws, config, store } = await publishedWorkspace();
    const now = new Date();
    const old = new Date(now.getTime() - ORPHAN_TEMP_AGE_MS - 60_000);
    const orphans = ['.index.html.0a1b2c.feedmirror-tmp', 'all/.rss.xml.3d4e5f.feedmirror-tmp'];
    const young = 'all/.atom.xml.6a7b8c.feedmirror-tmp';
    const lookalike = 'all/notes.feedmirror-tmp.txt';
    for (const file of [...orphans, young, lookalike]) await writeFile(path.join(ws.feedsDir, file), 'partial');
    for (const file of [...orphans, lookalike]) await utimes(path.join(ws.feedsDir, file), old, old);
    await queryDatabase(ws.databasePath, (sql) => sql`
      INSERT INTO chore_runs (chore, fire_key, worker_id, started_at, finished_at, outcome)
      VALUES ('site', 'chore:site:old', 'w', now() - interval '8 days', now() - interval '8 days', 'ok'), ('site', 'chore:site:new', 'w', now(), now(), 'ok')`);
    const { logger, lines } = capturedLogger();

    const result = await keepHouse({ config, store, chores: store.chores(), logger, now });
    expect(result).toEqual({ detail: '0 articles pruned, 2 orphan temp files removed, 1 old chore record dropped', changed: true });
    for (const file of orphans) await expect(readFile(path.join(ws.feedsDir, file))).rejects.toThrow(/ENOENT/);
    expect(await siteFile(ws, young)).toBe('partial');
    expect(await siteFile(ws, lookalike)).toBe('partial');
    expect(lines().find((l) => l.event === 'orphan-temp-files')).toMatchObject({ removed: 2 });
    const left = await queryDatabase(ws.databasePath, (sql) => sql<{ fire_key: string }[]>`SELECT fire_key FROM chore_runs`);
    expect(left.map((r) => r.fire_key)).toEqual(['chore:site:new']);
  });
});

describe('the clock check at start-up', () => {
  async function startWithSkew(skewMs: number) {
    const { ws, config } = await publishedWorkspace();
    const { logger, lines } = capturedLogger();
    const skewed = async (url: string) => {
      const store = await openPostgresStore(url);
      const chores = store.chores();
      store.chores = () => Object.assign(Object.create(Object.getPrototypeOf(chores) as object) as typeof chores, chores, { clockSkewMs: async () => skewMs });
      return store;
    };
    const chores = startChores({ config: () => config, logger, openStore: skewed });
    scope.defer(() => chores.stop());
    return { ws, lines };
  }

  it('over 60 s off the database clock: an FM_CLOCK_SKEW error and no chores on this worker', async () => {
    const { lines } = await startWithSkew(-120_000);
    const error = await waitFor(() => lines().find((l) => l.code === 'FM_CLOCK_SKEW'), 'the clock-skew line');
    expect(error).toMatchObject({ level: 50, skewMs: -120_000, msg: expect.stringMatching(/-120000 ms off the database's .*runs no chores/) });
    expect(lines().some((l) => l.event === 'chores')).toBe(false);
  });

  it('over 1 s off: a warning, and the chores are scheduled', async () => {
    const { lines } = await startWithSkew(2_500);
    await waitFor(() => lines().some((l) => l.event === 'chores'), 'the "chores scheduled" line');
    expect(lines().find((l) => l.code === 'FM_CLOCK_SKEW')).toMatchObject({ level: 40, skewMs: 2_500 });
  });
});
