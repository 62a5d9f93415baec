/**
 * Mirror lists in the bypass-mirrors format: the real list (v2, two timestamp formats), crafted
 * v2 lists with unusable URLs, v1 lists, broken lists, and lists fetched from a URL and cached.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseMirrorList } from '../../src/ingest/parse-mirror-list.js';
import { createHttpAgent } from '../../src/sources/http/http-client.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore } from '../helpers/test-store.js';
import { listFiles, type CliResult, type LogRecord } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { listLoader, REAL_LIST, realListSites, realListText, v2List, type ListLoader } from './helpers/lists.js';
import { expectRunOk, LOG_WARN, logsMatching, ProjectScope, projectConfig } from './helpers/project.js';
import { ServerScope } from './helpers/servers.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let dir: string;
let store: Store;
let agent: Dispatcher | null = null;
let loader: ListLoader;
const servers = new ServerScope();
const projects = new ProjectScope();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-lists-'));
  store = openTestStore(path.join(dir, 'data', 'feedmirror.db'));
  loader = listLoader(dir, store, () => (agent ??= createHttpAgent({ connectTimeoutMs: 5_000, headersTimeoutMs: 5_000, bodyIdleTimeoutMs: 5_000, totalTimeoutMs: 10_000, maxBodyBytes: 10_000_000, maxRedirects: 5, allowPrivateNetworks: true, userAgent: 'feedmirror-tests' })));
});

afterEach(async () => {
  await servers.closeAll();
  await projects.cleanupAll();
});

afterAll(async () => {
  await agent?.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeList(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function warnings(logs: LogRecord[]): LogRecord[] {
  return logs.filter((line) => line.level >= LOG_WARN);
}

/** "2022-03-09 12:47:07.607398+00:00" → milliseconds with the microseconds kept as a fraction, read without Date's parser. */
function exactMs(raw: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\+00:00$/.exec(raw);
  if (!m) throw new Error(`unexpected timestamp shape in the fixture: ${raw}`);
  const [, y, mo, d, h, mi, s, frac = '0'] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Number(`0.${frac}`) * 1000;
}

describe('mirror lists: the real bypass-mirrors list', () => {
  it('parses to 165 sites and 254 alternates, nothing skipped', () => {
    const parsed = parseMirrorList(realListText(), REAL_LIST);
    expect(parsed.sites).toHaveLength(165);
    expect(parsed.sites.reduce((n, site) => n + site.alternates.length, 0)).toBe(254);
    expect(parsed.skipped).toEqual([]);
  });

  it('loads through the config into a directory of 165 hosts with 254 alternates and no warning', async () => {
    const { directory, logs } = await loader.load([{ path: REAL_LIST }], new Date('2026-06-01T00:00:00Z'));
    expect(directory).not.toBeNull();
    expect(directory!.size).toBe(165);
    expect(directory!.entries().reduce((n, [, alternates]) => n + alternates.length, 0)).toBe(254);
    expect(warnings(logs)).toEqual([]);
    // every alternate remembers the list it came from
    expect(new Set(directory!.entries().flatMap(([, alternates]) => alternates.map((a) => a.list)))).toEqual(new Set([REAL_LIST]));
  });

  it('classifies proto "https" as kind https and proto "tor" as kind tor, keeping the list\'s type', () => {
    const alternates = parseMirrorList(realListText(), 'real').sites.flatMap((s) => s.alternates);
    expect(alternates.filter((a) => a.kind === 'https')).toHaveLength(134);
    expect(alternates.filter((a) => a.kind === 'tor')).toHaveLength(120);
    expect(alternates.filter((a) => a.kind === 'https').every((a) => a.type === 'mirror')).toBe(true);
    expect(alternates.filter((a) => a.kind === 'tor').every((a) => a.type === 'eotk' && new URL(a.url).hostname.endsWith('.onion'))).toBe(true);
  });

  it('keeps sites that list no alternate (21 in the real list) without a warning', () => {
    const parsed = parseMirrorList(realListText(), 'real');
    expect(parsed.sites.filter((s) => s.alternates.length === 0).map((s) => s.mainDomain)).toContain('static.dw.com');
    expect(parsed.sites.filter((s) => s.alternates.length === 0)).toHaveLength(21);
  });

  it('RW-M01: both timestamp formats ("2022-03-09 12:47:07.607398+00:00", "2026-05-19T18:41:02.660906+00:00") parse to ISO 8601 UTC', () => {
    const amharic = parseMirrorList(realListText(), 'real').sites.find((s) => s.mainDomain === 'amharic.voanews.com')!;
    const byKind = Object.fromEntries(amharic.alternates.map((a) => [a.kind, a.updatedAt]));
    // updated_at "2022-05-03 12:42:33.219009+00:00" (space) and "2026-05-19T18:39:04.256320+00:00" (T)
    expect(byKind).toEqual({ tor: '2022-05-03T12:42:33.219Z', https: '2026-05-19T18:39:04.256Z' });
  });

  it('RW-M01: every timestamp of the real list, in either format, becomes the same instant in ISO 8601 UTC', () => {
    const parsed = parseMirrorList(realListText(), 'real');
    const raw = realListSites();
    let checked = 0;
    for (const [i, site] of raw.entries()) {
      site.available_alternatives.forEach((alt, j) => {
        const updatedAt = parsed.sites[i]!.alternates[j]!.updatedAt;
        const source = alt.updated_at ?? alt.created_at!;
        expect(updatedAt, `${site.main_domain} ${source}`).toMatch(ISO_UTC);
        // rounded to the millisecond from microseconds: within half a millisecond of the exact instant
        expect(Math.abs(Date.parse(updatedAt!) - exactMs(source)), `${site.main_domain} ${source}`).toBeLessThanOrEqual(0.5);
        checked++;
      });
    }
    expect(checked).toBe(254);
    expect(raw.flatMap((s) => s.available_alternatives).some((a) => a.updated_at?.includes(' '))).toBe(true);
    expect(raw.flatMap((s) => s.available_alternatives).some((a) => a.updated_at?.includes('T'))).toBe(true);
  });

  it('uses created_at when updated_at is missing, and no date when neither is there', () => {
    const parsed = parseMirrorList(
      v2List([
        {
          main_domain: 'dates.example.org',
          available_alternatives: [
            { proto: 'https', type: 'mirror', url: 'https://a.example.net', created_at: '2023-01-02 03:04:05.678901+00:00', updated_at: null },
            { proto: 'https', type: 'mirror', url: 'https://b.example.net', created_at: null, updated_at: null },
          ],
        },
      ]),
      'dates',
    );
    expect(parsed.sites[0]!.alternates.map((a) => a.updatedAt)).toEqual(['2023-01-02T03:04:05.679Z', null]);
  });
});

describe('mirror lists: crafted v2 lists', () => {
  const CRAFTED = v2List([
    {
      main_domain: 'example.org',
      available_alternatives: [
        { proto: 'https', type: 'mirror', url: '', created_at: '2024-01-01 00:00:00+00:00', updated_at: '2024-01-01 00:00:00+00:00' },
        { proto: 'https', type: 'mirror', url: 'https://good.example.net', created_at: '2024-02-01T00:00:00+00:00', updated_at: '2024-02-01T00:00:00+00:00' },
      ],
    },
    {
      main_domain: 'null-url.example.com',
      available_alternatives: [{ proto: 'tor', type: 'eotk', url: null, created_at: '2024-01-01 00:00:00+00:00', updated_at: '2024-01-01 00:00:00+00:00' }],
    },
  ]);

  it('an empty url and a null url are skipped, each with a warning line naming the list and the site', async () => {
    const file = await writeList('crafted-v2.json', CRAFTED);
    const { directory, logs } = await loader.load([{ path: file }], new Date('2026-06-01T00:00:00Z'));
    const lines = warnings(logs);
    expect(lines).toHaveLength(2);
    const empty = lines.find((l) => l.msg.includes('example.org') && !l.msg.includes('null-url'));
    const nullUrl = lines.find((l) => l.msg.includes('null-url.example.com'));
    for (const line of [empty, nullUrl]) {
      expect(line, JSON.stringify(lines)).toBeDefined();
      expect(line!.msg).toContain(file);
      expect(line!.list).toBe(file);
      expect(line!.msg).toMatch(/empty URL/);
    }
    // the site's usable alternate is kept; the site with only a null URL has none
    expect(directory!.lookup('example.org').map((a) => a.url)).toEqual(['https://good.example.net/']);
    expect(directory!.lookup('null-url.example.com')).toEqual([]);
  });

  it('a whitespace-only url, a missing url and a non-http url are skipped too', () => {
    const parsed = parseMirrorList(
      v2List([
        {
          main_domain: 'odd.example.org',
          available_alternatives: [
            { proto: 'https', type: 'mirror', url: '   ' },
            { proto: 'https', type: 'mirror' },
            { proto: 'https', type: 'mirror', url: 'ftp://files.example.net/' },
            { proto: 'https', type: 'mirror', url: 'kept.example.net' },
          ],
        },
      ]),
      'odd.json',
    );
    expect(parsed.sites[0]!.alternates.map((a) => a.url)).toEqual(['https://kept.example.net/']);
    expect(parsed.skipped).toHaveLength(3);
    expect(parsed.skipped.every((line) => line.includes('odd.example.org'))).toBe(true);
  });

  it('a site without main_domain is skipped with a warning naming its position', async () => {
    const file = await writeList('no-domain.json', JSON.stringify({ version: '2.0', sites: [{ available_alternatives: [] }, { main_domain: 'ok.example.org', available_alternatives: [] }] }));
    const { directory, logs } = await loader.load([{ path: file }], new Date('2026-06-01T00:00:00Z'));
    expect(directory!.size).toBe(1);
    const lines = warnings(logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain(file);
    expect(lines[0]!.msg).toContain('sites[0]');
  });
});

describe('mirror lists: v1 format', () => {
  it('available_mirrors become https alternates and available_onions tor alternates, undated, in list order', async () => {
    const file = await writeList(
      'v1.json',
      JSON.stringify({
        version: 1,
        sites: [
          {
            main_domain: 'v1.example.org',
            available_mirrors: ['mirror-one.example.net', 'https://mirror-two.example.net/path/'],
            available_onions: ['http://v1exampleonionaddressxyzv1exampleonionaddressxyzabcd.onion'],
          },
        ],
      }),
    );
    const { directory, logs } = await loader.load([{ path: file }], new Date('2026-06-01T00:00:00Z'));
    expect(warnings(logs)).toEqual([]);
    expect(directory!.lookup('v1.example.org')).toEqual([
      { url: 'https://mirror-one.example.net/', kind: 'https', type: 'mirror', updatedAt: null, list: file },
      { url: 'https://mirror-two.example.net/path/', kind: 'https', type: 'mirror', updatedAt: null, list: file },
      { url: 'http://v1exampleonionaddressxyzv1exampleonionaddressxyzabcd.onion/', kind: 'tor', type: 'onion', updatedAt: null, list: file },
    ]);
  });

  it('a v1 and a v2 list for the same host are merged, freshest (dated) first', async () => {
    const v1 = await writeList('merge-v1.json', JSON.stringify({ sites: [{ main_domain: 'merge.example.org', available_mirrors: ['undated.example.net'] }] }));
    const v2 = await writeList(
      'merge-v2.json',
      v2List([{ main_domain: 'www.merge.example.org', available_alternatives: [{ proto: 'https', type: 'mirror', url: 'https://dated.example.net', updated_at: '2025-01-01 00:00:00+00:00' }] }]),
    );
    const { directory } = await loader.load([{ path: v1 }, { path: v2 }], new Date('2026-06-01T00:00:00Z'));
    expect(directory!.lookup('merge.example.org').map((a) => [a.url, a.list])).toEqual([
      ['https://dated.example.net/', v2],
      ['https://undated.example.net/', v1],
    ]);
  });
});

describe('mirror lists: broken lists never fail a run', () => {
  const BROKEN: { name: string; text: string | null; reason: RegExp }[] = [
    { name: 'invalid JSON', text: '{ "version": "2.0", "sites": [ { "main_domain": ', reason: /invalid JSON/ },
    { name: 'JSON that is not a list ([])', text: '[]', reason: /not a bypass-mirrors list/ },
    { name: 'a missing file', text: null, reason: /ENOENT|no such file/ },
  ];

  for (const c of BROKEN) {
    it(`${c.name}: one warning naming the list, the other lists still load`, async () => {
      const file = c.text === null ? path.join(dir, 'does-not-exist.json') : await writeList(`broken-${c.name.replace(/\W+/g, '-')}.json`, c.text);
      const { directory, logs } = await loader.load([{ path: file }, { path: REAL_LIST }], new Date('2026-06-01T00:00:00Z'));
      const lines = warnings(logs);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.msg).toContain(file);
      expect(lines[0]!.msg).toMatch(c.reason);
      expect(directory!.size).toBe(165);
    });
  }

  it('CLI: an invalid JSON list is a warning; the run exits 0 and still publishes', async () => {
    const project = await projects.create(projectConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }], mirrorLists: [{ path: 'broken.json' }] }), ['000_d7ec912073c84491.txt']);
    await writeFile(project.ws.file('broken.json'), '{ not json');
    const result = expectRunOk(await project.run());
    const lines = logsMatching(result.logs, /mirror list/, LOG_WARN);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain(project.ws.file('broken.json'));
    expect(lines[0]!.msg).toMatch(/invalid JSON/);
    expect(result.logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(await listFiles(project.feedsDir)).toEqual(expect.arrayContaining(['all/atom.xml', 'all/feed.json', 'all/rss.xml', 'articles/d7ec912073c84491.html', 'mirrors.json']));
    expect(await project.output('all/rss.xml')).toContain('<item>');
  });
});

describe('mirror lists: a warning once per change of the list, not every run', () => {
  it('CLI: the same broken list warns on the first run only (debug after); a change, or a fix then the same break, warns again', async () => {
    const project = await projects.create(projectConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }], mirrorLists: [{ path: 'list.json' }] }), ['000_d7ec912073c84491.txt']);
    const list = project.ws.file('list.json');
    const run = async () => expectRunOk(await runCliInProcess(['run', '--config', project.ws.configPath, '--log-format', 'json', '--log-level', 'debug'], { cwd: project.ws.dir }));
    const warned = (result: CliResult) => logsMatching(result.logs, /mirror list/, LOG_WARN).map((l) => l.msg);

    await writeFile(list, v2List([{ main_domain: 'example.org', available_alternatives: [{ proto: 'https', type: 'mirror', url: '' }, { proto: 'https', type: 'mirror', url: null }] }]));
    const first = await run();
    expect(warned(first)).toHaveLength(2);
    const second = await run();
    expect(warned(second)).toEqual([]);
    expect(logsMatching(second.logs, /mirror list .*\(as on the last run\)$/).filter((l) => l.level === 20)).toHaveLength(2);

    await writeFile(list, '{ not json');
    expect(warned(await run())).toEqual([expect.stringMatching(/invalid JSON/)]);
    expect(warned(await run())).toEqual([]);
    await writeFile(list, v2List([{ main_domain: 'fine.example.org', available_alternatives: [{ proto: 'https', type: 'mirror', url: 'https://fine.example.net/' }] }]));
    expect(warned(await run())).toEqual([]);
    await writeFile(list, '{ not json');
    expect(warned(await run())).toEqual([expect.stringMatching(/invalid JSON/)]);
  });
});

describe('mirror lists: from a URL, cached in the store and refreshed by interval', () => {
  const T0 = new Date('2026-06-01T00:00:00Z');
  const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);

  it('fetched once, served from the store until "refresh" has passed, then fetched again; a failed refresh keeps the last good copy', async () => {
    const server = await servers.start({ '/lists/mirrorSites.json': 'mirrorSites.json' });
    const lists = [{ url: server.url('/lists/mirrorSites.json'), refresh: '6h' }];

    const first = await loader.load(lists, T0);
    expect(first.directory!.size).toBe(165);
    expect(server.requests).toEqual(['/lists/mirrorSites.json']);

    const cached = await loader.load(lists, at(5));
    expect(cached.directory!.size).toBe(165);
    expect(server.requests).toHaveLength(1);

    const refreshed = await loader.load(lists, at(7));
    expect(refreshed.directory!.size).toBe(165);
    expect(server.requests).toHaveLength(2);
    expect(warnings(refreshed.logs)).toEqual([]);

    await server.close();
    const stale = await loader.load(lists, at(14));
    expect(stale.directory!.size).toBe(165);
    const lines = warnings(stale.logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain(lists[0]!.url);
    expect(lines[0]!.msg).toMatch(/could not be refreshed/);
    // dated by the injected clock of the last good fetch, not the wall clock
    expect(lines[0]!.msg).toContain(at(7).toISOString());
  });

  it('a list URL that never answered: one warning, no directory entries, no failure', async () => {
    const server = await servers.start({});
    const url = server.url('/nowhere.json');
    await server.close();
    const { directory, logs } = await loader.load([{ url, refresh: '1h' }], T0);
    expect(directory!.size).toBe(0);
    const lines = warnings(logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain(url);
  });
});
