import type { StoredArticle } from '../model/article.js';
import { htmlToText } from '../lib/html-text.js';

export interface ItemFilter {
  include: string[];
  exclude: string[];
  fields: ('title' | 'content')[];
  categories: string[];
  maxAgeDays?: number | undefined;
}

/**
 * Whole-word, case-insensitive word and phrase matching. "\b" is ASCII-only in JS, so word
 * boundaries are "not a letter, digit or mark" in any script.
 */
function wordPattern(words: string[]): RegExp | null {
  if (words.length === 0) return null;
  const alternatives = words.map((w) => w.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}\\p{M}])`, 'iu');
}

/** A predicate for one output's filter; `now` bounds maxAgeDays. */
export function compileFilter(filter: ItemFilter | undefined, now: Date): (article: StoredArticle) => boolean {
  if (!filter) return () => true;
  const include = wordPattern(filter.include);
  const exclude = wordPattern(filter.exclude);
  const categories = new Set(filter.categories.map((c) => c.toLowerCase()));
  const oldest = filter.maxAgeDays === undefined ? null : new Date(now.getTime() - filter.maxAgeDays * 86_400_000).toISOString();
  return (article) => {
    if (oldest !== null && article.published < oldest) return false;
    if (categories.size > 0 && !article.categories.some((c) => categories.has(c.toLowerCase()))) return false;
    if (!include && !exclude) return true;
    const text = searchableText(article, filter.fields);
    if (include && !include.test(text)) return false;
    return !(exclude && exclude.test(text));
  };
}

function searchableText(article: StoredArticle, fields: ItemFilter['fields']): string {
  const parts: string[] = [];
  if (fields.includes('title')) parts.push(article.title);
  if (fields.includes('content')) parts.push(article.summary ?? '', htmlToText(article.contentHtml));
  return parts.join('\n');
}
