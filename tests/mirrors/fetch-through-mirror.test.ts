/**
 * When a source's origin is down or blocked, the feed is fetched through a mirror and every URL in
 * it is mapped back to the origin before it is stored: what is stored never depends on which
 * host answered. Two 127.0.0.1 servers per case: the origin (closed port, 403 or 451) and the
 * mirror, which serves the same fixture with every link on its own host.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredArticle } from '../../src/model/article.js';
import type { CliResult } from '../helpers/workspace.js';
import { htmlUrls } from './helpers/feed-items.js';
import { v2List } from './helpers/lists.js';
import { expectRunOk, LOG_WARN, logsMatching, ProjectScope, projectConfig, type Project } from './helpers/project.js';
import { ServerScope, type FeedServer } from './helpers/servers.js';

const servers = new ServerScope();
const projects = new ProjectScope();
afterEach(async () => {
  await servers.closeAll();
  await projects.cleanupAll();
});

type Failure = 'closed' | 403 | 451;

interface FetchCase {
  name: string;
  fixture: string;
  feedPath: string;
  failure: Failure;
  /** Where the mirror comes from: the source's `mirrors`, or a mirror list file. */
  via: 'config' | 'list';
  /** The mirror serves the site under a path prefix ("http://127.0.0.1:P/mirror/"). */
  prefix?: string;
  items: number;
}

const RSS = { fixture: 'news.rss.xml', feedPath: '/feeds/news.xml', items: 3 };
const ATOM = { fixture: 'news.atom.xml', feedPath: '/feeds/news.atom', items: 2 };

const CASES: FetchCase[] = [
  { name: 'RSS, origin refuses connections (closed port), mirror in the source config', ...RSS, failure: 'closed', via: 'config' },
  { name: 'RSS, origin answers 403, mirror in the source config', ...RSS, failure: 403, via: 'config' },
  { name: 'RSS, origin answers 451, mirror in the source config', ...RSS, failure: 451, via: 'config' },
  { name: 'Atom, origin refuses connections, mirror in the source config', ...ATOM, failure: 'closed', via: 'config' },
  { name: 'RSS, origin refuses connections, mirror from a mirror list file', ...RSS, failure: 'closed', via: 'list' },
  { name: 'RSS, origin answers 403, mirror from a mirror list file', ...RSS, failure: 403, via: 'list' },
  { name: 'RSS, origin refuses connections, mirror with a path prefix (http://127.0.0.1:P/mirror/) in the source config', ...RSS, failure: 'closed', via: 'config', prefix: '/mirror' },
];

interface Setup {
  origin: FeedServer;
  mirror: FeedServer;
  mirrorBase: string;
  config: Record<string, unknown>;
}

async function setUp(c: FetchCase): Promise<Setup> {
  const prefix = c.prefix ?? '';
  const origin = await servers.start({ [c.feedPath]: c.fixture });
  const mirror = await servers.start({ [`${prefix}${c.feedPath}`]: c.fixture }, { prefix });
  const mirrorBase = `${mirror.origin}${prefix}/`;
  const source = { id: 'news', url: origin.url(c.feedPath), mirrors: c.via === 'config' ? [mirrorBase] : [] };
  const config = projectConfig({ sources: [source], ...(c.via === 'list' ? { mirrorLists: [{ path: 'mirror-list.json' }] } : {}) });
  return { origin, mirror, mirrorBase, config };
}

async function createProject(c: FetchCase, setup: Setup): Promise<Project> {
  const project = await projects.create(setup.config);
  if (c.via === 'list') {
    const list = v2List([
      {
        main_domain: setup.origin.host,
        available_alternatives: [{ proto: 'https', type: 'mirror', url: setup.mirrorBase.replace(/\/$/, ''), created_at: '2026-01-01 00:00:00+00:00', updated_at: '2026-01-02T00:00:00+00:00' }],
      },
    ]);
    await writeFile(project.ws.file('mirror-list.json'), list);
  }
  return project;
}

async function breakOrigin(origin: FeedServer, failure: Failure): Promise<void> {
  if (failure === 'closed') await origin.close();
  else origin.failWith(failure);
}

/** Everything about a stored article except when this store first saw it. */
function comparable(articles: StoredArticle[]): Omit<StoredArticle, 'firstSeen'>[] {
  return articles.map(({ firstSeen: _firstSeen, ...rest }) => rest).sort((a, b) => a.id.localeCompare(b.id));
}

/** The article's own URLs: link, guid (when a URL), images, enclosures and every URL in its content. */
function ownUrls(article: StoredArticle): string[] {
  return [
    ...(article.url ? [article.url] : []),
    ...(/^https?:/.test(article.guid) ? [article.guid] : []),
    ...article.images.flatMap((i) => (i.url ? [i.url] : [])),
    ...article.enclosures.map((e) => e.url),
    ...htmlUrls(article.contentHtml),
  ];
}

function mirrorWarnings(result: CliResult) {
  return logsMatching(result.logs, /through the mirror/, LOG_WARN);
}

describe('fetching through a mirror when the origin is down or blocked', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const setup = await setUp(c);
      const { origin, mirror } = setup;

      // the same config against the working origin: what must be stored whichever host answers
      const reference = await createProject(c, setup);
      expectRunOk(await reference.run());
      const expected = await reference.articles();
      expect(expected).toHaveLength(c.items);
      expect((await reference.status()).find((r) => r.source === 'news')!.servedBy).toBe(origin.host);
      expect(mirror.requests).toEqual([]);

      await breakOrigin(origin, c.failure);
      const project = await createProject(c, setup);
      const result = expectRunOk(await project.run());
      expect(mirror.requests).toEqual([`${c.prefix ?? ''}${c.feedPath}`]);

      const stored = await project.articles();
      expect(stored).toHaveLength(c.items);
      for (const article of stored) {
        for (const url of ownUrls(article)) {
          expect(new URL(url).host, `${article.title}: ${url}`).not.toBe(mirror.host);
          if (new URL(url).hostname === '127.0.0.1') expect(url.startsWith(`${origin.origin}/`), `${article.title}: ${url}`).toBe(true);
        }
        expect(new URL(article.url!).host).toBe(origin.host);
        // the mirror's prefix belongs to the mirror, not to the article
        if (c.prefix) expect(article.url!, article.title).not.toContain(`${c.prefix}/`);
      }
      // same ids, guids, URLs, content, hashes and mirrors as the run against the working origin
      expect(comparable(stored)).toEqual(comparable(expected));

      const row = (await project.status()).find((r) => r.source === 'news')!;
      expect(row).toMatchObject({ servedBy: mirror.host, outcome: 'ok', failures: 0, lastError: null, items: c.items });

      const warnings = mirrorWarnings(result);
      expect(warnings, result.stderr).toHaveLength(1);
      expect(warnings[0]!.msg).toContain(`${setup.mirrorBase}${c.feedPath.slice(1)}`);
      expect(warnings[0]).toMatchObject({ source: 'news', primary: origin.url(c.feedPath), mirror: `${setup.mirrorBase}${c.feedPath.slice(1)}` });
      expect(warnings[0]!.msg).toContain(c.failure === 'closed' ? 'connection' : `HTTP ${c.failure}`);
    });
  }

  it('guids that are URLs on the mirror are mapped back to the origin, other guids are kept as they are', async () => {
    const c = CASES[0]!;
    const setup = await setUp(c);
    await breakOrigin(setup.origin, 'closed');
    const project = await createProject(c, setup);
    expectRunOk(await project.run());
    const guids = (await project.articles()).map((a) => a.guid).sort();
    expect(guids).toEqual([`${setup.origin.origin}/?p=3`, `${setup.origin.origin}/news/2024/05/first.html`, 'mirror-test-story-2'].sort());
  });

  it('the published feeds carry the canonical links and ids, and the mirror only as a rel="duplicate"', async () => {
    const c = CASES[0]!;
    const setup = await setUp(c);
    await breakOrigin(setup.origin, 'closed');
    const project = await createProject(c, setup);
    expectRunOk(await project.run());
    const rss = await project.output('all/rss.xml');
    expect(rss).toContain(`<link>${setup.origin.origin}/news/2024/05/first.html</link>`);
    expect(rss).toContain(`<guid isPermaLink="true">${setup.origin.origin}/news/2024/05/first.html</guid>`);
    const onMirror = rss.split('\n').filter((line) => line.includes(setup.mirror.host));
    expect(onMirror.length).toBeGreaterThan(0);
    for (const line of onMirror) expect(line.trim()).toMatch(/^<atom:link rel="duplicate" href="[^"]+"\/>$|^<feedmirror:host>/);
  });

  it('when the origin is back, the next run is served by the origin again', async () => {
    const c = CASES[1]!;
    const setup = await setUp(c);
    const project = await createProject(c, setup);
    setup.origin.failWith(403);
    expectRunOk(await project.run());
    expect((await project.status())[0]!.servedBy).toBe(setup.mirror.host);
    setup.origin.failWith(null);
    const again = expectRunOk(await project.run());
    expect(mirrorWarnings(again)).toEqual([]);
    expect((await project.status())[0]!.servedBy).toBe(setup.origin.host);
    expect(again.logs.find((l) => l.event === 'run')).toMatchObject({ inserted: 0, updated: 0, failed: 0 });
  });

  it('a failure that is not a block (404) does not try the mirrors: the source fails', async () => {
    const c = CASES[0]!;
    const setup = await setUp(c);
    setup.origin.failWith(404);
    const project = await createProject(c, setup);
    const result = expectRunOk(await project.run());
    expect(setup.mirror.requests).toEqual([]);
    expect(mirrorWarnings(result)).toEqual([]);
    expect((await project.status())[0]).toMatchObject({ outcome: 'error', httpStatus: 404, servedBy: null, items: 0 });
  });

  it('onion mirrors are not tried without fetch.torProxy: the source fails with the origin\'s error (tests/proxy/proxy-cli.test.ts tries them through Tor)', async () => {
    const origin = await servers.start({});
    const url = origin.url('/feeds/news.xml');
    await origin.close();
    const project = await projects.create(projectConfig({ sources: [{ id: 'news', url, mirrors: ['mirrortestonionaddressxyzmirrortestonionaddressxyzabcdefgh.onion'] }] }));
    const result = expectRunOk(await project.run());
    expect(mirrorWarnings(result)).toEqual([]);
    const row = (await project.status())[0]!;
    expect(row).toMatchObject({ outcome: 'error', servedBy: null, items: 0 });
    expect(row.lastError).toMatch(/connection/);
  });

  it('a mirror that fails too is skipped and the next one answers (configured mirrors first, then the lists)', async () => {
    const c = CASES[4]!;
    const setup = await setUp(c);
    const dead = await servers.start({});
    await dead.close();
    await setup.origin.close();
    const project = await createProject(c, setup);
    await project.setConfig(projectConfig({ sources: [{ id: 'news', url: setup.origin.url(c.feedPath), mirrors: [`${dead.origin}/`] }], mirrorLists: [{ path: 'mirror-list.json' }] }));
    const result = expectRunOk(await project.run());
    expect((await project.status())[0]).toMatchObject({ servedBy: setup.mirror.host, outcome: 'ok', items: c.items });
    expect(mirrorWarnings(result)[0]!.mirror).toBe(`${setup.mirrorBase}${c.feedPath.slice(1)}`);
  });

  it('among list mirrors the freshest answers first', async () => {
    const origin = await servers.start({});
    const older = await servers.start({ '/feeds/news.xml': 'news.rss.xml' });
    const fresher = await servers.start({ '/feeds/news.xml': 'news.rss.xml' });
    const url = origin.url('/feeds/news.xml');
    await origin.close();
    const project = await projects.create(projectConfig({ sources: [{ id: 'news', url }], mirrorLists: [{ path: 'mirror-list.json' }] }));
    await writeFile(
      project.ws.file('mirror-list.json'),
      v2List([
        {
          main_domain: origin.host,
          available_alternatives: [
            { proto: 'https', type: 'mirror', url: older.origin, updated_at: '2022-01-01 00:00:00+00:00' },
            { proto: 'https', type: 'mirror', url: fresher.origin, updated_at: '2025-01-01T00:00:00+00:00' },
          ],
        },
      ]),
    );
    expectRunOk(await project.run());
    expect((await project.status())[0]!.servedBy).toBe(fresher.host);
    expect(older.requests).toEqual([]);
  });
});
