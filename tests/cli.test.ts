import { existsSync } from 'node:fs';
import { copyFile, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BAD_SEEDS } from './helpers/bad-seeds.js';
import { ON_POSTGRES, runSql, scheduleTick, storeExists } from './helpers/test-store.js';
import {
  CONFIG_FILE,
  createWorkspace,
  defaultConfig,
  fileTimes,
  FIXTURE_SEEDS,
  listFiles,
  LOG_ERROR,
  REPO_ROOT,
  SAMPLE_HEADLINE,
  SAMPLE_ID,
  SAMPLE_SEED,
  writeConfig,
  type CliResult,
  type Workspace,
} from './helpers/workspace.js';
import { runCliInProcess } from './helpers/in-process-cli.js';

const workspaces: Workspace[] = [];
afterEach(async () => {
  for (const ws of workspaces.splice(0)) await ws.cleanup();
});

async function workspace(...args: Parameters<typeof createWorkspace>): Promise<Workspace> {
  const ws = await createWorkspace(...args);
  workspaces.push(ws);
  return ws;
}

/** `feedmirror run` once more, as cron would start it at the next tick of schedule.cron (see scheduleTick). */
async function runAgain(ws: Workspace, ...args: string[]): Promise<CliResult> {
  await scheduleTick(ws.databasePath);
  return runCliInProcess(['run', ...args], { cwd: ws.dir });
}

const PUBLISHED = ['all/atom.xml', 'all/feed.json', 'all/index.html', 'all/rss.xml', `articles/${SAMPLE_ID}.html`, 'feed.css', 'feed.xsl', 'index.html', 'mirrors.json', 'sources.opml'];

async function readAll(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await listFiles(root)) out[file] = await readFile(path.join(root, file), 'utf8');
  return out;
}

describe('cli: usage', () => {
  it('--help exits 0 and lists the run command and the exit codes', async () => {
    const ws = await workspace();
    const result = await runCliInProcess(['--help'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s*run\b/m);
    expect(result.stdout).toMatch(/Exit codes/);
  });

  it('run --help exits 0 and documents --config', async () => {
    const ws = await workspace();
    const result = await runCliInProcess(['run', '--help'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--config');
  });

  it("--version prints package.json's version", async () => {
    const ws = await workspace();
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCliInProcess(['--version'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('no arguments: exit 1 with the usage', async () => {
    const ws = await workspace();
    const result = await runCliInProcess([], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toMatch(/Usage: feedmirror/);
    expect(existsSync(ws.feedsDir)).toBe(false);
  });

  it('an unknown command: exit 1 and says so', async () => {
    const ws = await workspace();
    const result = await runCliInProcess(['frobnicate'], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(existsSync(ws.feedsDir)).toBe(false);
  });

  it('an unknown option: exit 1 and says so', async () => {
    const ws = await workspace();
    for (const args of [['run', '--frobnicate'], ['--frobnicate']]) {
      const result = await runCliInProcess(args, { cwd: ws.dir });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
    }
    expect(existsSync(ws.feedsDir)).toBe(false);
  });
});

describe('cli: run', () => {
  it('publishes with the shipped default config: exit 0, rss/atom/json and the article page', async () => {
    const ws = await workspace({ config: await readFile(path.join(REPO_ROOT, CONFIG_FILE), 'utf8') });
    const result = await runCliInProcess(['run'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await listFiles(ws.feedsDir)).toEqual(PUBLISHED);
    expect(await readFile(path.join(ws.feedsDir, 'all', 'rss.xml'), 'utf8')).toContain(SAMPLE_HEADLINE);
    expect(await storeExists(ws.databasePath)).toBe(true);
    const summary = result.logs.find((line) => line.event === 'run');
    expect(summary).toMatchObject({ inserted: 1, filesWritten: PUBLISHED.length, problems: 0 });
  });

  it('accepts --config with a path relative to the working folder, and resolves paths in it against its own folder', async () => {
    const ws = await workspace({ config: null });
    await writeConfig(ws.file('elsewhere.json'), defaultConfig());
    const result = await runCliInProcess(['run', '--config', 'elsewhere.json'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await listFiles(ws.feedsDir)).toEqual(PUBLISHED);
  });

  it('a second run gives byte-identical files and writes nothing', async () => {
    const ws = await workspace();
    const first = await runCliInProcess(['run'], { cwd: ws.dir });
    expect(first.code, first.stderr).toBe(0);
    const bytes = await readAll(ws.feedsDir);
    // A fixed past mtime on every file: a rewrite would change it whatever the clock says.
    const past = new Date('2001-02-03T04:05:06.000Z');
    for (const file of Object.keys(bytes)) await utimes(path.join(ws.feedsDir, file), past, past);
    const times = await fileTimes(ws.feedsDir);

    const second = await runAgain(ws);
    expect(second.code, second.stderr).toBe(0);
    expect(await readAll(ws.feedsDir)).toEqual(bytes);
    expect(await fileTimes(ws.feedsDir)).toEqual(times);
    // On PostgreSQL an output that no change made dirty is not rendered at all: only the site-wide files are compared.
    const compared = ON_POSTGRES ? PUBLISHED.filter((file) => !file.startsWith('all/')) : PUBLISHED;
    expect(second.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, filesWritten: 0, filesUnchanged: compared.length });
    expect(second.logs.find((line) => line.event === 'run')!.msg).toMatch(/0 files written/);
  });

  it('bad seeds: one clear error line naming each file, the others still published, exit 0', async () => {
    const ws = await workspace();
    for (const bad of BAD_SEEDS) await writeFile(path.join(ws.seedsDir, bad.name), bad.bytes);
    const result = await runCliInProcess(['run'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    const errors = result.logs.filter((line) => line.level >= LOG_ERROR);
    expect(errors).toHaveLength(BAD_SEEDS.length);
    for (const bad of BAD_SEEDS) {
      const file = path.join(ws.seedsDir, bad.name);
      const lines = errors.filter((line) => line.msg.includes(file));
      expect(lines, bad.name).toHaveLength(1);
      expect(lines[0]!.msg).toMatch(bad.reason);
      expect(lines[0]).toMatchObject({ code: bad.code, file });
    }
    const rss = await readFile(path.join(ws.feedsDir, 'all', 'rss.xml'), 'utf8');
    expect(rss.match(/<item>/g)).toHaveLength(1);
    expect(rss).toContain(SAMPLE_HEADLINE);
    expect(result.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 1, problems: BAD_SEEDS.length });
  });

  it('publishes every crafted fixture seed alongside the sample', async () => {
    const ws = await workspace({ seeds: ['000_d7ec912073c84491.txt', 'no-footer.txt', 'no-date.txt', 'chrome.txt', 'after-footer.txt', 'credit-forms.txt'] });
    const result = await runCliInProcess(['run'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(path.join(ws.feedsDir, 'all', 'feed.json'), 'utf8')) as { items: unknown[] };
    expect(json.items).toHaveLength(6);
    expect((await listFiles(path.join(ws.feedsDir, 'articles'))).sort()).toEqual(
      ['after-footer.html', 'chrome.html', 'credit-forms.html', `${SAMPLE_ID}.html`, 'no-date.html', 'no-footer.html'].sort(),
    );
  });
});

describe('cli: a seeds folder in which nothing changed is not read again', () => {
  const notRead = (result: CliResult) => result.logs.some((line) => /no file changed since the last run/.test(line.msg));

  it('a second run skips the folder, and still reports its bad seeds', async () => {
    const ws = await workspace();
    for (const bad of BAD_SEEDS) await writeFile(path.join(ws.seedsDir, bad.name), bad.bytes);
    const first = await runCliInProcess(['run', '--log-level', 'debug'], { cwd: ws.dir });
    expect(first.code, first.stderr).toBe(0);
    expect(notRead(first)).toBe(false);
    const second = await runAgain(ws, '--log-level', 'debug');
    expect(second.code, second.stderr).toBe(0);
    expect(notRead(second)).toBe(true);
    const errors = second.logs.filter((line) => line.level >= LOG_ERROR);
    expect(errors.map((line) => line.file).sort()).toEqual(BAD_SEEDS.map((bad) => path.join(ws.seedsDir, bad.name)).sort());
    expect(second.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, problems: BAD_SEEDS.length, filesWritten: 0 });
  });

  it('`run --refresh` reads the folder again, and reports the same', async () => {
    const ws = await workspace();
    expect((await runCliInProcess(['run'], { cwd: ws.dir })).code).toBe(0);
    const refreshed = await runAgain(ws, '--refresh', '--log-level', 'debug');
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(notRead(refreshed)).toBe(false);
    expect(refreshed.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, filesWritten: 0 });
    expect(notRead(await runAgain(ws, '--log-level', 'debug'))).toBe(true);
  });

  it('a damaged record of the last read only means the folder is read again', async () => {
    const ws = await workspace();
    expect((await runCliInProcess(['run'], { cwd: ws.dir })).code).toBe(0);
    expect(await runSql(ws.databasePath, "UPDATE documents SET body = 'not json {' WHERE key = 'seed-folder:seeds'")).toBe(1);
    const second = await runAgain(ws, '--log-level', 'debug');
    expect(second.code, second.stderr).toBe(0);
    expect(notRead(second)).toBe(false);
    expect(second.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    expect(notRead(await runAgain(ws, '--log-level', 'debug'))).toBe(true);
  });

  it('an edited seed is read, stored and published on the next run', async () => {
    const ws = await workspace();
    expect((await runCliInProcess(['run'], { cwd: ws.dir })).code).toBe(0);
    const seed = path.join(ws.seedsDir, SAMPLE_SEED);
    await writeFile(seed, (await readFile(seed, 'utf8')).replace('anti-Syria hysteria', 'anti-Syria fervour'));
    const second = await runAgain(ws, '--log-level', 'debug');
    expect(notRead(second)).toBe(false);
    expect(second.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 0, updated: 1 });
    expect(await readFile(path.join(ws.feedsDir, 'all', 'rss.xml'), 'utf8')).toContain('anti-Syria fervour');
  });

  it('a seed added, or one only touched, makes the folder be read again', async () => {
    const ws = await workspace();
    expect((await runCliInProcess(['run'], { cwd: ws.dir })).code).toBe(0);
    await copyFile(path.join(FIXTURE_SEEDS, 'no-footer.txt'), path.join(ws.seedsDir, 'no-footer.txt'));
    const added = await runAgain(ws, '--log-level', 'debug');
    expect(added.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 1, unchanged: 1 });
    const touched = new Date('2030-01-02T03:04:05.000Z');
    await utimes(path.join(ws.seedsDir, SAMPLE_SEED), touched, touched);
    const again = await runAgain(ws, '--log-level', 'debug');
    expect(notRead(again)).toBe(false);
    expect(again.logs.find((line) => line.event === 'run')).toMatchObject({ inserted: 0 });
  });
});

interface ConfigCase {
  name: string;
  /** Config text or object; null for no file at all. */
  config: unknown;
  /** What stderr must say besides the file name: the key path and what was wrong. */
  says: (string | RegExp)[];
}

const withOutput = (output: Record<string, unknown>) => ({ ...defaultConfig(), outputs: [{ ...defaultConfig().outputs[0], ...output }] });

const CONFIG_CASES: ConfigCase[] = [
  { name: 'missing', config: null, says: [/cannot read the file: ENOENT/] },
  { name: 'not JSON', config: '{ "site": { "url": "http://127.0.0.1:8080/" }, ', says: [/not valid JSON/] },
  { name: 'a wrong type', config: withOutput({ limit: '100' }), says: ['outputs[0].limit', /number/] },
  { name: 'an unknown key', config: withOutput({ lmit: 100 }), says: ['outputs[0]', 'lmit'] },
  { name: 'an unknown top-level key', config: { ...defaultConfig(), sites: {} }, says: ['(top level)', 'sites'] },
  { name: 'a site URL that is not a URL', config: { ...defaultConfig(), site: { url: 'feeds.example.org' } }, says: ['site.url', /absolute http\(s\) URL/] },
  {
    name: 'duplicate source ids',
    config: { ...defaultConfig(), sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'seeds', seeds: 'more-seeds' }] },
    says: ['sources[1].id', /duplicate id "seeds"/],
  },
  { name: 'an output naming an unknown source', config: withOutput({ sources: ['nope'] }), says: ['outputs[0].sources[0]', /"nope" is not a source id or tag/] },
  // What feeds would carry as <language>/xml:lang and <managingEditor>/<email>: validators refuse these.
  { name: 'a language that is no language tag', config: { ...defaultConfig(), site: { ...defaultConfig().site, language: 'english' } }, says: ['site.language', /a language tag such as "en"/] },
  { name: 'a language tag with an underscore', config: withOutput({ language: 'en_US' }), says: ['outputs[0].language', /a language tag/] },
  { name: 'an author e-mail that is none', config: withOutput({ author: { name: 'Editor', email: 'editor at example' } }), says: ['outputs[0].author.email', /an e-mail address/] },
];

describe('cli: a bad config exits 1, names the file and the key path, and publishes nothing', () => {
  for (const bad of CONFIG_CASES) {
    it(bad.name, async () => {
      const ws = await workspace({ config: bad.config });
      const result = await runCliInProcess(['run'], { cwd: ws.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(ws.configPath);
      for (const expected of bad.says) {
        if (typeof expected === 'string') expect(result.stderr).toContain(expected);
        else expect(result.stderr).toMatch(expected);
      }
      expect(existsSync(ws.feedsDir)).toBe(false);
    });
  }
});

describe('cli: an unusable output folder exits 2', () => {
  it('outputDir under a regular file: exit 2, the message names the path', async () => {
    const ws = await workspace({ config: { ...defaultConfig(), outputDir: 'blocker/feeds' } });
    await writeFile(ws.file('blocker'), 'a file, not a folder');
    const result = await runCliInProcess(['run'], { cwd: ws.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/could not publish/);
    expect(result.stderr).toContain(ws.file('blocker'));
    expect(await readFile(ws.file('blocker'), 'utf8')).toBe('a file, not a folder');
  });

  it('a failed run leaves the feeds published earlier untouched, with no temp files', async () => {
    const ws = await workspace();
    const first = await runCliInProcess(['run'], { cwd: ws.dir });
    expect(first.code, first.stderr).toBe(0);
    const before = await readAll(ws.feedsDir);

    // New content to publish, and an output whose folder cannot be created (it comes first, so the run stops there).
    await copyFile(path.join(FIXTURE_SEEDS, 'no-footer.txt'), path.join(ws.seedsDir, 'no-footer.txt'));
    await writeFile(path.join(ws.feedsDir, 'broken'), 'a file where a folder should be');
    const config = defaultConfig();
    config.outputs = [{ id: 'broken', title: 'Broken', sources: ['*'], limit: 10 }, ...config.outputs];
    await writeConfig(ws.configPath, config);

    const second = await runAgain(ws);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(path.join(ws.feedsDir, 'broken'));
    const after = await readAll(ws.feedsDir);
    expect(Object.keys(after).filter((f) => f.includes('tmp'))).toEqual([]);
    if (ON_POSTGRES) expectOutputWhole(before, after, 'all/', 'City council approves new tram line');
    else for (const file of PUBLISHED) expect(after[file], file).toBe(before[file]);
  });
});

/**
 * On PostgreSQL each output is published on its own, by whichever worker claims it (README,
 * "Publishing from several workers"), so a failed output leaves the others free to be published:
 * what holds is that an output's files are all as before or all from the new publish, never a mix.
 */
function expectOutputWhole(before: Record<string, string>, after: Record<string, string>, folder: string, added: string): void {
  const files = PUBLISHED.filter((file) => file.startsWith(folder));
  const changed = files.filter((file) => after[file] !== before[file]);
  expect(changed.length === 0 || changed.length === files.length, `${folder}: only ${changed.join(', ')} changed`).toBe(true);
  for (const file of changed) expect(after[file], file).toContain(added);
}
