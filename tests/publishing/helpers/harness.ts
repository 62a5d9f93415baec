/**
 * The publish stage on its own: a temp folder with a store (SQLite, or PostgreSQL on that pass), articles from the builder and
 * publishAll() with a fixed `now`, so filters by age and every byte are deterministic.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Article } from '../../../src/model/article.js';
import type { FeedFormat } from '../../../src/publish/feed-view.js';
import type { PublishInput, PublishOutput, PublishReport, PublishSource } from '../../../src/publish/publish-outputs.js';
import { publishAll } from '../../../src/pipeline/publish-step.js';
import type { ItemFilter } from '../../../src/publish/select-items.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { dropTestDatabase, testDatabase } from '../../helpers/test-store.js';
import { makeArticle } from '../../helpers/builders.js';

export const SITE_URL = 'https://feeds.example.org/';
/** The run's time for every publish here: maxAgeDays counts back from it. */
export const NOW = new Date('2024-06-01T00:00:00.000Z');
export const ALL_FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];
export const DAY_MS = 86_400_000;

/** Fresh on every call: a seed folder and three remote feeds with tags. */
export function testSources(): PublishSource[] {
  return [
    { id: 'seeds', title: 'Seed articles', tags: ['local'], kind: 'seeds' },
    { id: 'alpha', title: 'Alpha News', url: 'https://alpha.example/feed.xml', tags: ['news'], kind: 'feed' },
    { id: 'beta', title: 'Beta Daily', url: 'https://beta.example/rss', tags: ['news', 'daily'], kind: 'feed' },
    { id: 'gamma', title: 'Gamma Blog', url: 'https://gamma.example/atom.xml', tags: ['blogs'], kind: 'feed' },
  ];
}

/** An output as the config schema would give it (defaults filled in). */
export function makeOutput(overrides: Partial<PublishOutput> & { id: string }): PublishOutput {
  return { title: `Output ${overrides.id}`, sources: ['*'], limit: 50, formats: [...ALL_FORMATS], ...overrides };
}

/** A filter as the config schema would give it (defaults filled in). */
export function makeFilter(overrides: Partial<ItemFilter>): ItemFilter {
  return { include: [], exclude: [], fields: ['title', 'content'], categories: [], ...overrides };
}

/** An article of one source; the id doubles as the last path segment of its guid and link. */
export function makeItem(id: string, sourceId: string, published: string, overrides: Partial<Article> = {}): Article {
  const isSeed = sourceId === 'seeds';
  const url = isSeed ? `${SITE_URL}articles/${id}.html` : `https://${sourceId}.example/posts/${id}`;
  return makeArticle({
    id,
    guid: isSeed ? `urn:feedmirror:seed:${id}` : url,
    sourceId,
    kind: isSeed ? 'seed' : 'feed',
    title: `Item ${id}`,
    url,
    published,
    dateSource: isSeed ? 'text' : 'feed',
    summary: `Summary of ${id}.`,
    contentHtml: `<p>Body of ${id}.</p>`,
    ...overrides,
  });
}

/** `n` days before NOW, as an ISO date. */
export function daysAgo(n: number): string {
  return new Date(NOW.getTime() - n * DAY_MS).toISOString();
}

export interface PublishHarness {
  dir: string;
  outputDir: string;
  store: Store;
  /** Stores articles as a fetch at `at` (default NOW) would. */
  add(articles: Article[], at?: Date): Promise<void>;
  /** publishAll with the test site and sources unless overridden. */
  publish(outputs: PublishOutput[], overrides?: Partial<PublishInput>): Promise<PublishReport>;
  read(relative: string): Promise<string>;
  file(relative: string): string;
  cleanup(): Promise<void>;
}

export async function createPublishHarness(): Promise<PublishHarness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-publishing-'));
  const outputDir = path.join(dir, 'feeds');
  const database = await testDatabase(path.join(dir, 'data', 'feedmirror.db'));
  let store: Store;
  try {
    store = await openStore(database);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    outputDir,
    store,
    add: async (articles, at = NOW) => void (await store.upsertArticles(articles, at)),
    publish: (outputs, overrides = {}) => publishAll(publishInput(outputDir, outputs, overrides), store),
    read: (relative) => readFile(path.join(outputDir, relative), 'utf8'),
    file: (relative) => path.join(outputDir, relative),
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
      await dropTestDatabase(database);
    },
  };
}

export function publishInput(outputDir: string, outputs: PublishOutput[], overrides: Partial<PublishInput> = {}): PublishInput {
  return {
    site: { url: SITE_URL, title: 'Publishing tests', description: 'Site description', language: 'en', mirrors: [] },
    sources: testSources(),
    outputs,
    outputDir,
    generator: 'feedmirror test',
    now: NOW,
    ...overrides,
  };
}

/** Output id → feed title, for the validity checks. */
export function titlesOf(outputs: PublishOutput[]): Record<string, string> {
  return Object.fromEntries(outputs.map((o) => [o.id, o.title]));
}
