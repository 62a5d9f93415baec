import type { Article } from '../../src/model/article.js';
import { hashArticleContent } from '../../src/normalize/content-hash.js';

/**
 * A fresh, valid Article on every call. `contentHash` is computed from the final title, summary,
 * content and media unless the overrides set it, so changing the content changes the hash as
 * the normalizer would.
 */
export function makeArticle(overrides: Partial<Article> = {}): Article {
  const id = overrides.id ?? 'article-1';
  const base: Omit<Article, 'contentHash'> = {
    id,
    guid: `urn:feedmirror:test:${id}`,
    sourceId: 'seeds',
    kind: 'seed',
    title: `Article ${id}`,
    url: `https://feeds.example.org/articles/${id}.html`,
    mirrors: [],
    hostMirrors: [],
    published: '2020-01-01T12:00:00.000Z',
    dateSource: 'text',
    updated: null,
    authors: [],
    summary: `Summary of ${id}.`,
    contentHtml: `<p>Content of ${id}.</p>`,
    images: [],
    enclosures: [],
    categories: [],
    language: null,
    publisher: null,
    ...overrides,
    itemKey: overrides.itemKey ?? id,
  };
  return { ...base, contentHash: overrides.contentHash ?? hashArticleContent(base) };
}
