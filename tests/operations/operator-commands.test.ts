/**
 * The operator's commands: `status` (table and --json), `sources list|add|remove` (which edit the
 * config file) and `check` (config validation naming the file, the key path and what was expected).
 */
import { readFile, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { feed, reply, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { writeConfig, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { opsConfig } from './helpers/configs.js';
import { opsScope } from './helpers/ops-scope.js';
import { ON_POSTGRES } from '../helpers/test-store.js';

const scope = opsScope();

const cli = (ws: Workspace, ...args: string[]) => runCliInProcess([...args, '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });

async function configOf(ws: Workspace): Promise<{ sources: Record<string, unknown>[]; outputs: Record<string, unknown>[] }> {
  return JSON.parse(await readFile(ws.configPath, 'utf8')) as { sources: Record<string, unknown>[]; outputs: Record<string, unknown>[] };
}

/**
 * Rows of the first table printed by formatTable: cells cut at the header's column starts. On
 * PostgreSQL `status` prints the fleet's tables (claims, disabled sources, workers) after a blank line.
 */
function parseTable(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n\n')[0]!.split('\n');
  const names = head!.split(/\s{2,}/);
  const starts = names.map((name) => head!.indexOf(name));
  return lines.map((line) => Object.fromEntries(names.map((name, i) => [name, line.slice(starts[i], starts[i + 1] ?? line.length).trim()])));
}

async function remoteWorkspace(server: FixtureServer) {
  server.on('/news.xml', feed(rssFeed(numberedItems(3))));
  server.on('/broken.xml', reply({ status: 500, body: 'internal error' }));
  return scope.workspace({
    config: opsConfig({
      sources: [
        { id: 'seeds', seeds: 'seeds' },
        { id: 'news', url: server.url('/news.xml') },
        { id: 'broken', url: server.url('/broken.xml') },
      ],
    }),
  });
}

describe('status', () => {
  it('a table with one row per source: last fetch, HTTP status, items, failures, next due and last error', async () => {
    const server = await scope.server();
    const ws = await remoteWorkspace(server);
    expect((await cli(ws, 'run')).code).toBe(0);

    const status = await cli(ws, 'status');
    expect(status.code, status.stderr).toBe(0);
    const header = status.stdout.split('\n')[0]!;
    for (const column of ['SOURCE', 'LAST FETCH', 'HTTP', 'ITEMS', 'FAILURES', 'NEXT DUE', 'LAST ERROR']) expect(header).toContain(column);
    const rows = Object.fromEntries(parseTable(status.stdout).map((row) => [row.SOURCE, row]));
    expect(Object.keys(rows)).toEqual(['seeds', 'news', 'broken']);
    expect(rows.news).toMatchObject({ HTTP: '200', ITEMS: '3', FAILURES: '0', 'LAST ERROR': '' });
    expect(rows.news!['LAST FETCH']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(rows.broken).toMatchObject({ HTTP: '500', ITEMS: '0', FAILURES: '1' });
    expect(rows.broken!['NEXT DUE']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(rows.broken!['LAST ERROR']).toMatch(/500/);
    expect(rows.seeds).toMatchObject({ ITEMS: '1', FAILURES: '0' });
  });

  it('--json: the same facts as values (next due one backoff step after the failure)', async () => {
    const server = await scope.server();
    const ws = await remoteWorkspace(server);
    expect((await cli(ws, 'run')).code).toBe(0);
    const status = await cli(ws, 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout) as Record<string, unknown>[];
    const byId = Object.fromEntries(rows.map((row) => [row.source, row]));
    expect(byId.news).toMatchObject({ kind: 'feed', httpStatus: 200, outcome: 'ok', items: 3, failures: 0, nextDue: null, lastError: null, url: server.url('/news.xml') });
    const broken = byId.broken as { lastFetch: string; nextDue: string; lastError: string };
    expect(byId.broken).toMatchObject({ kind: 'feed', httpStatus: 500, outcome: 'error', items: 0, failures: 1 });
    expect(broken.lastError).toMatch(/500/);
    expect(Date.parse(broken.nextDue) - Date.parse(broken.lastFetch)).toBe(60_000);
    expect(byId.seeds).toMatchObject({ kind: 'seeds', items: 1, failures: 0 });
  });

  it('before any run: every source listed as never fetched, due now', async () => {
    const server = await scope.server();
    const ws = await remoteWorkspace(server);
    const status = await cli(ws, 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    for (const row of JSON.parse(status.stdout) as Record<string, unknown>[]) expect(row).toMatchObject({ lastFetch: null, failures: 0, nextDue: null, items: 0 });
    expect(server.requests).toHaveLength(0);
  });
});

describe('sources list', () => {
  it('a table of the configured sources, and --json', async () => {
    const server = await scope.server();
    const ws = await remoteWorkspace(server);
    const list = await cli(ws, 'sources', 'list');
    expect(list.code, list.stderr).toBe(0);
    const rows = parseTable(list.stdout);
    expect(rows.map((r) => [r.ID, r.KIND])).toEqual([['seeds', 'seeds'], ['news', 'feed'], ['broken', 'feed']]);
    expect(rows[1]!['URL OR FOLDER']).toBe(server.url('/news.xml'));

    const json = JSON.parse((await cli(ws, 'sources', 'list', '--json')).stdout) as Record<string, unknown>[];
    expect(json[1]).toMatchObject({ id: 'news', kind: 'feed', location: server.url('/news.xml'), tags: [], mirrors: [] });
    expect(String(json[0]!.location)).toBe(ws.seedsDir);
  });
});

describe('sources add', () => {
  it('checks the URL is a feed and adds it with an id and a title taken from the feed', async () => {
    const server = await scope.server();
    server.on('/world.xml', feed(rssFeed(numberedItems(1), { title: 'World News Daily' })));
    const ws = await scope.workspace({ config: opsConfig() });
    const added = await cli(ws, 'sources', 'add', server.url('/world.xml'));
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('world-news-daily');
    const config = await configOf(ws);
    expect(config.sources.at(-1)).toEqual({ id: 'world-news-daily', url: server.url('/world.xml'), title: 'World News Daily' });
    expect((await cli(ws, 'check')).code).toBe(0);

    const again = await cli(ws, 'sources', 'add', server.url('/world.xml'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already a source/);
  });

  it('follows an HTML page to the feed it advertises', async () => {
    const server = await scope.server();
    server.on('/feeds/main.xml', feed(rssFeed(numberedItems(1), { title: 'Example Blog' })));
    server.on('/blog/', reply({
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!DOCTYPE html><html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" title="RSS" href="/feeds/main.xml"></head><body>hi</body></html>',
    }));
    const ws = await scope.workspace({ config: opsConfig() });
    const added = await cli(ws, 'sources', 'add', server.url('/blog/'));
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(server.url('/feeds/main.xml'));
    expect((await configOf(ws)).sources.at(-1)).toMatchObject({ id: 'example-blog', url: server.url('/feeds/main.xml'), title: 'Example Blog' });
  });

  it('follows one page only, as a run does: a page whose advertised feed is a page again is refused, the config unchanged', async () => {
    const server = await scope.server();
    const html = (href: string) => reply({
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!DOCTYPE html><html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" href="${href}"></head><body>hi</body></html>`,
    });
    server.on('/blog/', html('/news/'));
    server.on('/news/', html('/feeds/main.xml'));
    server.on('/feeds/main.xml', feed(rssFeed(numberedItems(1), { title: 'Example Blog' })));
    const ws = await scope.workspace({ config: opsConfig() });
    const before = await readFile(ws.configPath, 'utf8');
    const result = await cli(ws, 'sources', 'add', server.url('/blog/'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the feed ${server.url('/news/')} advertised by the page is itself an HTML page`);
    expect(server.hits('/feeds/main.xml')).toHaveLength(0);
    expect(await readFile(ws.configPath, 'utf8')).toBe(before);
  });

  it('--id, --title and --tag override what the feed says', async () => {
    const server = await scope.server();
    server.on('/world.xml', feed(rssFeed(numberedItems(1), { title: 'World News Daily' })));
    const ws = await scope.workspace({ config: opsConfig() });
    const added = await cli(ws, 'sources', 'add', server.url('/world.xml'), '--id', 'wnd', '--title', 'WND', '--tag', 'world', 'daily');
    expect(added.code, added.stderr).toBe(0);
    expect((await configOf(ws)).sources.at(-1)).toEqual({ id: 'wnd', url: server.url('/world.xml'), title: 'WND', tags: ['world', 'daily'] });
  });

  for (const [name, path, handler] of [
    ['an HTML page without a feed', '/page.html', reply({ headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><head><title>x</title></head><body>No feed here.</body></html>' })],
    ['a 404', '/missing.xml', reply({ status: 404, body: 'no' })],
    ['plain text', '/notes.txt', reply({ headers: { 'content-type': 'text/plain' }, body: 'just some words' })],
  ] as const) {
    it(`rejects ${name}: exit 1 with a clear message, the config unchanged`, async () => {
      const server = await scope.server();
      server.on(path, handler);
      const ws = await scope.workspace({ config: opsConfig() });
      const before = await readFile(ws.configPath, 'utf8');
      const result = await cli(ws, 'sources', 'add', server.url(path));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(server.url(path));
      expect(result.stderr).toMatch(/not a feed/);
      expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
      expect(await readFile(ws.configPath, 'utf8')).toBe(before);
    });
  }
});

describe('sources remove', () => {
  it('removes a source no output names; refuses (exit 1, naming the output) when one does', async () => {
    const ws = await scope.workspace({
      config: opsConfig({
        sources: [
          { id: 'seeds', seeds: 'seeds' },
          { id: 'news', url: 'http://127.0.0.1:9/news.xml' },
          { id: 'old', url: 'http://127.0.0.1:9/old.xml' },
        ],
        outputs: [{ id: 'all', title: 'Everything', sources: ['*'] }, { id: 'headlines', title: 'Headlines', sources: ['news'] }],
      }),
    });
    const refused = await cli(ws, 'sources', 'remove', 'news');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('headlines');
    expect((await configOf(ws)).sources.map((s) => s.id)).toEqual(['seeds', 'news', 'old']);

    const removed = await cli(ws, 'sources', 'remove', 'old');
    expect(removed.code, removed.stderr).toBe(0);
    const config = await configOf(ws);
    expect(config.sources.map((s) => s.id)).toEqual(['seeds', 'news']);
    expect(config.outputs.map((o) => o.id)).toEqual(['all', 'headlines']);

    const unknown = await cli(ws, 'sources', 'remove', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nope');
  });
});

describe('check', () => {
  it('a good config: one OK line on stdout, exit 0', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    const result = await cli(ws, 'check');
    expect(result.code, result.stderr).toBe(0);
    const [ok, ...more] = result.stdout.trimEnd().split('\n');
    expect(ok).toContain(ws.configPath);
    expect(ok).toMatch(/\bOK\b/);
    // On PostgreSQL, and only there, what the worker will use of the fleet: its id, lease and claims.
    expect(more).toEqual(ON_POSTGRES ? [expect.stringMatching(/^ {2}cluster: worker \S+ \(host name:pid\), lease 2m, claims of 50, /)] : []);
  });

  const MISTAKES: { name: string; change: (config: Record<string, any>) => void; path: string; expected: RegExp }[] = [
    { name: 'a source URL that is not a URL', change: (c) => (c.sources[0] = { id: 'news', url: 'feeds.example.com/rss' }), path: 'sources[0].url', expected: /absolute http\(s\) URL/ },
    { name: 'an output naming an unknown source', change: (c) => (c.outputs[0].sources = ['nwes']), path: 'outputs[0].sources[0]', expected: /"nwes" is not a source id or tag/ },
    { name: 'an invalid cron expression', change: (c) => (c.schedule = { cron: 'every five minutes' }), path: 'schedule.cron', expected: /cron expression/ },
    { name: 'an unknown time zone', change: (c) => (c.schedule = { timezone: 'Mars/Olympus' }), path: 'schedule.timezone', expected: /IANA time zone/ },
    { name: 'a bad interval', change: (c) => (c.sources[0] = { id: 'news', url: 'https://example.com/rss', interval: 'hourly' }), path: 'sources[0].interval', expected: /duration/ },
    { name: 'a number out of range', change: (c) => (c.fetch.concurrency = 0), path: 'fetch.concurrency', expected: />=\s*1|at least|too small/i },
    { name: 'a missing site URL', change: (c) => delete c.site.url, path: 'site.url', expected: /absolute http\(s\) URL/ },
  ];
  for (const mistake of MISTAKES) {
    it(`${mistake.name}: exit 1 with the file, the key path "${mistake.path}" and what was expected`, async () => {
      const config = opsConfig() as Record<string, any>;
      mistake.change(config);
      const ws = await scope.workspace({ config });
      const result = await cli(ws, 'check');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(ws.configPath);
      const line = result.stderr.split('\n').find((l) => l.includes(`${mistake.path}:`));
      expect(line, result.stderr).toBeDefined();
      expect(line).toMatch(mistake.expected);
    });
  }

  // zod reports an unknown key at its parent object's path, naming the key in the message.
  for (const [where, change, parent] of [
    ['at the top level', (c: Record<string, any>) => (c.outptDir = 'x'), '(top level)'],
    ['inside a source', (c: Record<string, any>) => (c.sources[0].titel = 'x'), 'sources[0]'],
  ] as const) {
    it(`a misspelt key ${where}: exit 1 with the file, where it is and the key named as unknown`, async () => {
      const config = opsConfig() as Record<string, any>;
      change(config);
      const ws = await scope.workspace({ config });
      const result = await cli(ws, 'check');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(ws.configPath);
      const key = where === 'at the top level' ? 'outptDir' : 'titel';
      const line = result.stderr.split('\n').find((l) => l.includes(`"${key}"`));
      expect(line, result.stderr).toBeDefined();
      expect(line).toContain(`${parent}:`);
      expect(line).toMatch(/unrecognized|unknown/i);
    });
  }

  it('several mistakes are all reported, one line each', async () => {
    const config = opsConfig() as Record<string, any>;
    config.sources.push({ id: 'news', url: 'nope' });
    config.outputs[0].sources = ['missing'];
    const ws = await scope.workspace({ config });
    const result = await cli(ws, 'check');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/2 problems/);
    expect(result.stderr).toMatch(/^\s+sources\[1\]\.url: /m);
    expect(result.stderr).toMatch(/^\s+outputs\[0\]\.sources\[0\]: /m);
  });

  it('a missing seeds folder is reported with its key path', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    await rm(ws.seedsDir, { recursive: true });
    const result = await cli(ws, 'check');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(ws.configPath);
    expect(result.stderr).toMatch(/sources\[0\]\.seeds: .*seeds.* not a readable folder/);
  });

  it('a config file that is not JSON, or missing, is reported with the file name', async () => {
    const ws = await scope.workspace({ config: '{ "site": ' });
    const broken = await cli(ws, 'check');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(ws.configPath);
    expect(broken.stderr).toMatch(/not valid JSON/);
    await writeConfig(ws.configPath, opsConfig());
    const missing = await runCliInProcess(['check', '--config', ws.file('nope.json')], { cwd: ws.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(ws.file('nope.json'));
  });
});
