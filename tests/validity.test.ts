import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFolder } from './helpers/serve.js';
import { feedparser, jingAtom, newsboatRead, validateJsonFeed, xmllint } from './helpers/validators.js';
import { unexpectedWarnings, w3cValidate } from './helpers/w3c-validator.js';
import { createWorkspace, defaultConfig, runCli, SAMPLE_HEADLINE, SAMPLE_ID, type CliResult, type Workspace } from './helpers/workspace.js';

/**
 * End to end, as a user runs it: `feedmirror run` in a fresh folder holding the sample seed and a
 * config with a site mirror; then the generated files go before every external judge.
 */
const SITE_URL = 'http://127.0.0.1:8080/';
const SITE_MIRROR = 'https://feeds-mirror.example.net/';
const PAGE_URL = `${SITE_URL}articles/${SAMPLE_ID}.html`;
const MIRROR_PAGE_URL = `${SITE_MIRROR}articles/${SAMPLE_ID}.html`;

let ws: Workspace;
let run: CliResult;
const feedFile = (name: string) => path.join(ws.feedsDir, 'all', name);

beforeAll(async () => {
  const config = defaultConfig();
  config.site = { ...config.site, url: SITE_URL, mirrors: [SITE_MIRROR] };
  ws = await createWorkspace({ config });
  run = await runCli(['run'], { cwd: ws.dir });
});
afterAll(async () => {
  await ws?.cleanup();
});

describe('end to end: the sample seed published by `feedmirror run`', () => {
  it('runs cleanly', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.logs.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('rss.xml and atom.xml pass xmllint (exit 0, nothing on stderr)', async () => {
    for (const name of ['rss.xml', 'atom.xml']) {
      expect(await xmllint(feedFile(name)), name).toMatchObject({ ok: true, code: 0, stderr: '' });
    }
  });

  it('atom.xml passes the Atom 1.0 RELAX NG schema (jing)', async () => {
    expect(await jingAtom(feedFile('atom.xml'))).toMatchObject({ ok: true, errors: [] });
  });

  it('rss.xml and atom.xml pass the W3C Feed Validator: no error, no warning but the accepted ones', async () => {
    const reports = await w3cValidate([feedFile('rss.xml'), feedFile('atom.xml')]);
    for (const [file, report] of reports) {
      expect(report.errors, file).toEqual([]);
      expect(unexpectedWarnings(report), file).toEqual([]);
    }
  });

  for (const name of ['rss.xml', 'atom.xml']) {
    it(`${name} parses in feedparser without bozo, with the right title, link and date`, async () => {
      const parsed = await feedparser(feedFile(name));
      expect(parsed.bozo, String(parsed.bozo_exception)).toBe(false);
      expect(parsed.version).toBe(name === 'rss.xml' ? 'rss20' : 'atom10');
      expect(parsed.feed.title).toBe('All articles');
      expect(parsed.entries).toHaveLength(1);
      const [entry] = parsed.entries;
      expect(entry!.title).toBe(SAMPLE_HEADLINE);
      expect(entry!.link).toBe(PAGE_URL);
      expect(entry!.id).toBe(`urn:feedmirror:seed:${SAMPLE_ID}`);
      expect(entry!.published?.slice(0, 10)).toBe('2016-12-15');
    });

    it(`${name}: the feed links its copy on the site mirror, the item its page there (rel="duplicate")`, async () => {
      const parsed = await feedparser(feedFile(name));
      expect(parsed.feed.links.filter((l) => l.rel === 'duplicate').map((l) => l.href)).toEqual([`${SITE_MIRROR}all/${name}`]);
      expect(parsed.entries[0]!.links.filter((l) => l.rel === 'duplicate').map((l) => l.href)).toEqual([MIRROR_PAGE_URL]);
    });
  }

  it('feed.json validates against the JSON Feed 1.1 schema and carries _feedmirror', async () => {
    expect((await validateJsonFeed(feedFile('feed.json'))).messages).toEqual([]);
    const json = JSON.parse(await readFile(feedFile('feed.json'), 'utf8')) as { version: string; items: Record<string, unknown>[]; _feedmirror: unknown };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json._feedmirror).toEqual({ mirrors: [`${SITE_MIRROR}all/feed.json`] });
    expect(json.items).toHaveLength(1);
    expect(json.items[0]).toMatchObject({
      id: `urn:feedmirror:seed:${SAMPLE_ID}`,
      url: PAGE_URL,
      title: SAMPLE_HEADLINE,
      date_published: '2016-12-15T12:00:00.000Z',
      _feedmirror: { source: 'seeds', publisher: { name: 'Press TV', hosts: ['www.presstv.co.uk'] } },
    });
  });

  it('feed.json: the item\'s _feedmirror.mirrors is its page on the site mirror', async () => {
    const json = JSON.parse(await readFile(feedFile('feed.json'), 'utf8')) as { items: { _feedmirror: { mirrors: { url: string }[] } }[] };
    expect(json.items[0]!._feedmirror.mirrors).toEqual([{ url: MIRROR_PAGE_URL, kind: 'https', source: 'site' }]);
  });

  it('writes the article page the items link to', async () => {
    const page = await readFile(path.join(ws.feedsDir, 'articles', `${SAMPLE_ID}.html`), 'utf8');
    expect(page).toContain('<h1>US anti-Syria hysteria hits new high: Kerry accuses Assad of &#39;massacre&#39;</h1>');
    expect(page.match(/<figure><figcaption>/g)).toHaveLength(3);
    expect(page).toContain('Press TV can also be reached at: <a href="https://www.presstv.co.uk/">www.presstv.co.uk</a>');
  });

  it('the article page links its copy on the site mirror', async () => {
    const page = await readFile(path.join(ws.feedsDir, 'articles', `${SAMPLE_ID}.html`), 'utf8');
    expect(page).toContain(`<a href="${MIRROR_PAGE_URL}">feeds-mirror.example.net</a>`);
  });

  it('newsboat reads rss.xml served over 127.0.0.1', async () => {
    const server = await serveFolder(ws.feedsDir);
    try {
      const result = await newsboatRead(`${server.url}all/rss.xml`);
      expect(server.requests).toContain('/all/rss.xml');
      expect(result.titles, `newsboat exit ${result.code}: ${result.stderr}`).toEqual([SAMPLE_HEADLINE]);
    } finally {
      await server.close();
    }
  });
});
