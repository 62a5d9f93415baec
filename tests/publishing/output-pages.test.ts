/**
 * Each feed folder's web page (<output>/index.html, and the same for variants, site copies and
 * archive pages) as published from a store: hostile text stays text, links only to web URLs,
 * summaries cut at a word (or at the limit in text without spaces) with an ellipsis, each copy's
 * and variant's own links, archive pages linked, and every relative link leading to a file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../src/model/article.js';
import type { PublishInput } from '../../src/publish/publish-outputs.js';
import { publishAll } from '../../src/pipeline/publish-step.js';
import type { Store } from '../../src/store/store.js';
import { makeArticle } from '../helpers/builders.js';
import { openTestStore } from '../helpers/test-store.js';
import { xmllint } from '../helpers/validators.js';
import { listFiles } from '../helpers/workspace.js';
import { parseXml, type XmlNode } from '../helpers/xml.js';
import { checkHtml } from './helpers/validate-tree.js';

const NOW = new Date('2024-06-01T00:00:00.000Z');
const HOSTILE = `</p><script>alert('T')</script> <b>bold</b> & "quoted" 'single' ]]> <!-- x -->`;
const LONG_SUMMARY = `${'A sentence about the harbour tram line and its many stops along the coast. '.repeat(8)}The end.`;
const CJK_SUMMARY = '港口电车线路获得批准'.repeat(40);
/** Elements our pages are made of; anything else in a page came out of the input. */
const OUR_ELEMENTS = new Set(['html', 'head', 'meta', 'title', 'link', 'style', 'body', 'p', 'a', 'h1', 'section', 'ul', 'li', 'code', 'ol', 'time', 'footer']);

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-pages-'));
  store = openTestStore(path.join(dir, 'data', 'feedmirror.db'));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function input(overrides: Partial<PublishInput> = {}): PublishInput {
  return {
    site: { url: 'https://feeds.example.org/', title: `Site ${HOSTILE}`, language: 'en', mirrors: ['https://mirror.example.net/'] },
    sources: [{ id: 'remote', title: `Source ${HOSTILE}`, url: 'https://example.org/feed.xml', tags: [], kind: 'feed' }],
    outputs: [{ id: 'all', title: `Feed ${HOSTILE}`, description: `About ${HOSTILE}`, sources: ['*'], limit: 100, formats: ['rss', 'atom', 'json'], variants: [{ id: 'onion', kind: 'tor' }] }],
    outputDir: path.join(dir, 'feeds'),
    generator: 'feedmirror test',
    now: NOW,
    ...overrides,
  };
}

function remote(id: string, overrides: Partial<Article> = {}): Article {
  return makeArticle({ id, guid: `https://example.org/${id}`, sourceId: 'remote', kind: 'feed', url: `https://example.org/${id}`, dateSource: 'feed', ...overrides });
}

async function publish(articles: Article[], overrides: Partial<PublishInput> = {}) {
  await store.upsertArticles(articles, NOW);
  await publishAll(input(overrides), store);
  return (relative: string) => readFile(path.join(dir, 'feeds', relative), 'utf8');
}

function all(node: XmlNode): XmlNode[] {
  return [node, ...node.children.flatMap(all)];
}

/** Every li of the item list, by its title text. */
function items(page: XmlNode): Map<string, XmlNode> {
  const list = all(page).find((n) => n.name === 'ol' && n.attributes.class === 'items')!;
  return new Map(list.children.map((li) => [all(li).find((n) => n.attributes.class === 'title')!.children[0]?.text ?? all(li).find((n) => n.attributes.class === 'title')!.text, li]));
}

describe('a feed\'s web page', () => {
  it('hostile titles, names, summaries, languages and URLs stay text: valid HTML, no element or attribute of theirs, no link but to the web', async () => {
    const read = await publish([
      remote('hostile', {
        title: HOSTILE,
        summary: HOSTILE,
        language: `ar" onload="alert('L')`,
        url: "javascript:alert('U')",
        mirrors: [
          { url: 'data:text/html,<script>alert(1)</script>', kind: 'https', origin: 'config' },
          { url: 'https://mirror.example.net/hostile', kind: 'https', origin: 'config' },
        ],
        publisher: { name: `Publisher ${HOSTILE}`, hosts: ['example.org', 'abcdefghijklmnop.onion'] },
      }),
    ]);
    for (const file of ['all/index.html', 'all/onion/index.html', 'mirrors/mirror.example.net/all/index.html']) {
      const html = await read(file);
      const absolute = path.join(dir, 'feeds', file);
      expect(await xmllint(absolute), file).toMatchObject({ ok: true, code: 0 });
      expect(await checkHtml(absolute), file).toEqual({ code: 0, errors: [] });
      const page = parseXml(html);
      for (const node of all(page)) {
        expect(OUR_ELEMENTS.has(node.name), `${file}: <${node.name}>`).toBe(true);
        for (const [name, value] of Object.entries(node.attributes)) {
          expect(name.startsWith('on'), `${file}: ${name}`).toBe(false);
          if (name === 'href') expect(value, file).toMatch(/^(https?:\/\/|\.\.\/|[a-z0-9])/);
          if (name === 'href') expect(value, file).not.toMatch(/^(javascript|data):/i);
        }
      }
      const item = [...items(page).entries()].find(([title]) => title === HOSTILE);
      expect(item, `${file}: the title as text`).toBeDefined();
      const li = item![1];
      expect(li.attributes.lang).toBe(`ar" onload="alert('L')`);
      expect(all(li).find((n) => n.attributes.class === 'summary')!.text).toBe(HOSTILE);
      // the javascript: link is not a link; the data: mirror is text, the https one a link
      expect(all(li).find((n) => n.attributes.class === 'title')!.children).toEqual([]);
      expect(all(page).find((n) => n.name === 'h1')!.text).toBe(`Feed ${HOSTILE}`);
      expect(all(page).find((n) => n.name === 'title')!.text).toBe(`Feed ${HOSTILE}`);
    }
    const page = parseXml(await read('all/index.html'));
    const more = all(items(page).get(HOSTILE)!).filter((n) => n.attributes.class === 'more');
    expect(more.flatMap((p) => p.children.filter((a) => a.name === 'a').map((a) => a.attributes.href))).toEqual([
      'https://mirror.example.net/hostile',
      'https://example.org/',
      'http://abcdefghijklmnop.onion/',
    ]);
  });

  it('summaries: cut at a word with an ellipsis; text without spaces at the limit; a short one whole; none, no paragraph', async () => {
    const read = await publish([
      remote('long', { title: 'Long', summary: LONG_SUMMARY, published: '2024-05-04T00:00:00.000Z' }),
      remote('cjk', { title: 'CJK', summary: CJK_SUMMARY, published: '2024-05-03T00:00:00.000Z' }),
      remote('short', { title: 'Short', summary: 'A short summary.', published: '2024-05-02T00:00:00.000Z' }),
      remote('none', { title: 'None', summary: null, published: '2024-05-01T00:00:00.000Z' }),
    ]);
    const list = items(parseXml(await read('all/index.html')));
    const summary = (title: string) => all(list.get(title)!).find((n) => n.attributes.class === 'summary')?.text;
    const long = summary('Long')!;
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long.endsWith('…')).toBe(true);
    expect(LONG_SUMMARY.startsWith(long.slice(0, -1))).toBe(true);
    expect(LONG_SUMMARY[long.length - 1]).toBe(' ');
    expect(summary('CJK')).toBe(`${CJK_SUMMARY.slice(0, 299)}…`);
    expect(summary('Short')).toBe('A short summary.');
    expect(summary('None')).toBeUndefined();
  });

  it('a variant\'s page links that variant\'s feeds and items; a site copy\'s page its own feeds; each names the other versions', async () => {
    const onion = 'abcdefghijklmnop.onion';
    const read = await publish([
      remote('story', {
        mirrors: [{ url: `http://${onion}/story`, kind: 'tor', origin: 'config' }],
        hostMirrors: [{ host: 'example.org', bases: [{ base: `http://${onion}/`, kind: 'tor', origin: 'config' }] }],
      }),
    ]);
    const codes = (page: XmlNode) => all(page).filter((n) => n.name === 'code').map((n) => n.text);
    const titleLink = (page: XmlNode) => all(page).find((n) => n.attributes.class === 'title')!.children[0]!.attributes.href;
    const variant = parseXml(await read('all/onion/index.html'));
    expect(codes(variant)).toEqual(['rss.xml', 'atom.xml', 'feed.json'].map((f) => `https://feeds.example.org/all/onion/${f}`));
    expect(titleLink(variant)).toBe(`http://${onion}/story`);
    const main = parseXml(await read('all/index.html'));
    expect(titleLink(main)).toBe('https://example.org/story');
    const copy = parseXml(await read('mirrors/mirror.example.net/all/index.html'));
    expect(codes(copy)).toEqual(['rss.xml', 'atom.xml', 'feed.json'].map((f) => `https://mirror.example.net/all/${f}`));
    const versions = (page: XmlNode) => all(page).filter((n) => n.name === 'a' && /^(\.\.\/)+all\//.test(n.attributes.href ?? '')).map((a) => [a.attributes.href, a.text]);
    expect(versions(main)).toEqual([['../all/onion/', 'tor mirrors (onion)']]);
    expect(versions(variant)).toEqual([['../../all/', 'original links']]);
  });

  it('archive pages have pages of their own, linked from the feed\'s page and to each other; every relative link of every page leads to a file', async () => {
    const articles = [1, 2, 3, 4].map((n) => remote(`a${n}`, { title: `Item ${n}`, published: `2024-05-0${n}T00:00:00.000Z` }));
    const read = await publish(articles, { outputs: [{ id: 'all', title: 'Archived', sources: ['*'], limit: 1, formats: ['rss', 'atom', 'json'] }] });
    const files = await listFiles(path.join(dir, 'feeds'));
    const pages = files.filter((f) => f.endsWith('index.html'));
    expect(pages.filter((f) => f.startsWith('all/'))).toEqual(['all/archive/1/index.html', 'all/archive/2/index.html', 'all/archive/3/index.html', 'all/index.html']);
    const main = parseXml(await read('all/index.html'));
    const older = all(main).filter((n) => n.name === 'a' && n.attributes.href?.includes('archive/'));
    expect(older.map((a) => [a.attributes.href, a.text])).toEqual([['../all/archive/3/', 'page 3'], ['../all/archive/2/', 'page 2'], ['../all/archive/1/', 'page 1']]);
    const second = parseXml(await read('all/archive/2/index.html'));
    expect(all(second).find((n) => n.name === 'h1')!.text).toBe('Archived: older items');
    expect(all(second).filter((n) => n.name === 'a' && n.attributes.href?.startsWith('../')).map((a) => a.attributes.href)).toEqual(['../../../', '../../../all/', '../../../all/archive/1/']);
    // the subscribe box of an archive page names the feed, not the page
    expect(all(second).filter((n) => n.name === 'code').map((n) => n.text)).toEqual(['rss.xml', 'atom.xml', 'feed.json'].map((f) => `https://feeds.example.org/all/${f}`));
    for (const page of pages) {
      for (const a of all(parseXml(await read(page))).filter((n) => n.name === 'a' && !/^[a-z]+:/.test(n.attributes.href ?? ''))) {
        const target = path.posix.join(path.posix.dirname(page), a.attributes.href!);
        const file = a.attributes.href!.endsWith('/') || target === '.' ? path.posix.join(target, 'index.html') : target;
        expect(files, `${page} → ${a.attributes.href}`).toContain(file);
      }
    }
  });

  it('an output with no items says so', async () => {
    const read = await publish([], { outputs: [{ id: 'empty', title: 'Empty', sources: ['*'], limit: 10, formats: ['atom'] }] });
    const page = parseXml(await read('empty/index.html'));
    expect(all(page).some((n) => n.name === 'p' && n.text === 'No items yet.')).toBe(true);
    expect(all(page).filter((n) => n.name === 'code').map((n) => n.text)).toEqual(['https://feeds.example.org/empty/atom.xml']);
  });
});
