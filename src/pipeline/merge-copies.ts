import type { StoredArticle } from '../model/article.js';
import type { DuplicateCandidate } from '../store/store.js';
import { isGlobalId } from '../lib/global-id.js';

type Identified = Pick<DuplicateCandidate, 'kind' | 'guid' | 'url' | 'urlIsUnique'>;

/**
 * What makes two feeds' items one article: the same globally unique guid; a guid unique only
 * inside a feed ("episode-12") together with the same link, as mirrors of one feed serve it; or
 * the same URL where that URL names exactly one item of each feed (a homepage link every episode
 * carries names none). Seed articles live on our own site and are never a copy of anything.
 */
export function copyKeys(article: Identified): string[] {
  if (article.kind !== 'feed') return [];
  const keys: string[] = [];
  if (isGlobalId(article.guid)) keys.push(`guid ${article.guid}`);
  else if (article.url && !article.guid.startsWith(GENERATED_ID)) keys.push(`guid ${article.guid} at ${article.url}`);
  if (article.url && article.urlIsUnique) keys.push(`url ${article.url}`);
  return keys;
}

/** Ids we made up for an item from its own source's data: they name nothing in another source. */
const GENERATED_ID = 'urn:feedmirror:';

/**
 * The articles of `batch` a merged output leaves out as copies of another source's: an article
 * is shown unless one of its copies was already archived by the output, or comes from a source
 * listed before its own in the output's `sources` (`ranking`), or from the same rank but was seen
 * earlier. `copies` holds the stored articles sharing a key with some article of the batch.
 */
export function hiddenCopies(batch: StoredArticle[], copies: DuplicateCandidate[], ranking: string[]): Set<string> {
  const byKey = new Map<string, DuplicateCandidate[]>();
  for (const copy of copies) for (const key of copyKeys(copy)) byKey.set(key, [...(byKey.get(key) ?? []), copy]);
  const rank = (sourceId: string) => {
    const index = ranking.indexOf(sourceId);
    return index === -1 ? ranking.length : index;
  };
  const hidden = new Set<string>();
  for (const article of batch) {
    const others = copyKeys(article).flatMap((key) => byKey.get(key) ?? []).filter((c) => c.id !== article.id && c.sourceId !== article.sourceId);
    if (others.length === 0) continue;
    if (others.some((c) => c.inOutput === 'archived')) {
      hidden.add(article.id);
      continue;
    }
    const precedes = (c: DuplicateCandidate) =>
      rank(c.sourceId) - rank(article.sourceId) || c.firstSeen.localeCompare(article.firstSeen) || c.id.localeCompare(article.id);
    if (others.some((c) => precedes(c) < 0)) hidden.add(article.id);
  }
  return hidden;
}

/** The guids and urls to look up copies of `batch` by. */
export function copyLookup(batch: StoredArticle[]): { guids: string[]; urls: string[] } {
  const guids = new Set<string>();
  const urls = new Set<string>();
  for (const article of batch) {
    for (const key of copyKeys(article)) {
      if (key.startsWith('guid ')) guids.add(article.guid);
      else urls.add(article.url!);
    }
  }
  return { guids: [...guids], urls: [...urls] };
}
