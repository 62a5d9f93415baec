import type { Article } from '../model/article.js';
import { sha256Hex } from '../lib/text.js';

/**
 * Hash of what a reader reads: title, summary, content and media. It is published with each item
 * (so a copy served by a third-party mirror can be checked) and decides whether `updated` moves.
 */
export function hashArticleContent(article: Pick<Article, 'title' | 'summary' | 'contentHtml' | 'images' | 'enclosures'>): string {
  return sha256Hex(JSON.stringify([article.title, article.summary, article.contentHtml, article.images, article.enclosures]));
}
