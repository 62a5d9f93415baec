/**
 * Integrity: every item carries the sha256 of its normalized content (RSS and Atom
 * <feedmirror:hash algorithm="sha256">, JSON `_feedmirror.content_hash`), so a reader of a copy
 * on a third-party mirror can check the text. The hash is stable, follows the content, and
 * ignores everything that is not content (mirrors, which host served the feed).
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredArticle } from '../../src/model/article.js';
import { hashArticleContent } from '../../src/normalize/content-hash.js';
import { publishedIds } from '../../src/publish/published-ids.js';
import { FORMAT_FILES, FORMATS, readFeed } from './helpers/feed-items.js';
import { SAMPLE_ID, SAMPLE_SEED } from './helpers/full-project.js';
import { expectRunOk, ProjectScope, projectConfig, type Project } from './helpers/project.js';
import { ServerScope, type FeedServer } from './helpers/servers.js';

const servers = new ServerScope();
const projects = new ProjectScope();
let news: FeedServer;
let project: Project;
let first: StoredArticle[];
let second: StoredArticle[];
let secondFeeds: Record<string, string>;

const config = (mirrors: string[]) =>
  projectConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'news', url: news.url('/feeds/news.xml'), mirrors }] });

async function feedFiles(): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(FORMATS.map(async (f) => [f, await project.output(`all/${FORMAT_FILES[f]}`)] as const)));
}

/** id → content hash, as published in one format. */
function publishedHashes(format: (typeof FORMATS)[number], text: string): Record<string, string | null> {
  return Object.fromEntries(readFeed(format, text).items.map((i) => [i.id, i.hash]));
}

const byGuid = (articles: StoredArticle[]) => Object.fromEntries(articles.map((a) => [a.guid, a.contentHash]));

/** id → stored content hash, under the id each article is published with in this output (it merges two sources). */
function byPublishedId(format: (typeof FORMATS)[number], articles: StoredArticle[]): Record<string, string> {
  return Object.fromEntries(
    articles.map((a) => {
      const ids = publishedIds(a.sourceId, a.guid, null, true);
      return [format === 'atom' ? ids.atomId : ids.guid, a.contentHash];
    }),
  );
}

beforeAll(async () => {
  news = await servers.start({ '/feeds/news.xml': 'news.rss.xml' });
  project = await projects.create(config(['https://cdn-mirror.example.net/']), [SAMPLE_SEED]);
  expectRunOk(await project.run());
  first = await project.articles();
  expectRunOk(await project.run());
  second = await project.articles();
  secondFeeds = await feedFiles();
});

afterAll(async () => {
  await servers.closeAll();
  await projects.cleanupAll();
});

describe('content hash', () => {
  it('is stable across two runs with unchanged input (store and feeds)', () => {
    expect(first).toHaveLength(4);
    expect(byGuid(second)).toEqual(byGuid(first));
  });

  it('equals hashArticleContent (src/normalize/content-hash.ts) of the stored normalized content', () => {
    for (const article of second) expect(article.contentHash, article.title).toBe(hashArticleContent(article));
  });

  it('is the sha256, in hex, of the normalized title, summary, content and media', () => {
    for (const article of second) {
      const text = JSON.stringify([article.title, article.summary, article.contentHtml, article.images, article.enclosures]);
      expect(article.contentHash, article.title).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
    expect(new Set(second.map((a) => a.contentHash)).size).toBe(second.length);
  });

  for (const format of FORMATS) {
    it(`${format}: every item carries the stored hash${format === 'json' ? ' as _feedmirror.content_hash { algorithm: "sha256", value }' : ' as <feedmirror:hash algorithm="sha256">'}`, () => {
      const items = readFeed(format, secondFeeds[format]!).items;
      expect(items).toHaveLength(second.length);
      for (const item of items) expect(item.hashAlgorithm, item.id).toBe('sha256');
      expect(publishedHashes(format, secondFeeds[format]!)).toEqual(byPublishedId(format, second));
    });
  }

  it('RSS and Atom declare the feedmirror namespace for the hash element', () => {
    expect(secondFeeds.rss).toMatch(/<rss [^>]*xmlns:feedmirror="https:\/\/feedmirror\.org\/ns\/1\.0"/);
    expect(secondFeeds.atom).toMatch(/<feed [^>]*xmlns:feedmirror="https:\/\/feedmirror\.org\/ns\/1\.0"/);
  });

  it('does not change when only the mirrors change', async () => {
    await project.setConfig(config(['https://another-mirror.example.net/', 'mirrorhashtestonionaddressxyzmirrorhashtestonionaddressxyzab.onion']));
    expectRunOk(await project.run());
    const after = await project.articles();
    expect(after.find((a) => a.sourceId === 'news')!.mirrors.map((m) => new URL(m.url).host)).toContain('another-mirror.example.net');
    expect(byGuid(after)).toEqual(byGuid(second));
  });

  it('changes when the seed text changes, and only for that article; the feeds carry the new hash', async () => {
    const seedFile = path.join(project.ws.seedsDir, SAMPLE_SEED);
    const text = await readFile(seedFile, 'utf8');
    expect(text).toContain('humanitarian corridor');
    await writeFile(seedFile, text.replace('humanitarian corridor', 'humanitarian route'));
    const result = expectRunOk(await project.run());
    expect(result.logs.find((l) => l.event === 'run')).toMatchObject({ updated: 1 });
    const after = await project.articles();
    const seedGuid = `urn:feedmirror:seed:${SAMPLE_ID}`;
    const before = byGuid(second);
    const now = byGuid(after);
    expect(now[seedGuid]).toMatch(/^[0-9a-f]{64}$/);
    expect(now[seedGuid]).not.toBe(before[seedGuid]);
    const seed = after.find((a) => a.guid === seedGuid)!;
    expect(seed.contentHtml).toContain('humanitarian route');
    expect(seed.contentHash).toBe(hashArticleContent(seed));
    for (const guid of Object.keys(before).filter((g) => g !== seedGuid)) expect(now[guid], guid).toBe(before[guid]);
    const feeds = await feedFiles();
    for (const format of FORMATS) expect(publishedHashes(format, feeds[format]!)[seedGuid], format).toBe(now[seedGuid]);
  });
});
