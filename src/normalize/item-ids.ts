import { sha256Hex } from '../lib/text.js';

export interface ItemIdentity {
  /** Internal key, unique in the store: derived from the source and the item key. */
  id: string;
  /** Identity inside the source (see Article.itemKey). */
  itemKey: string;
  /** What readers see as the item's id. */
  guid: string;
}

export interface IdentityInput {
  sourceId: string;
  guid: string | null;
  link: string | null;
  /** Several items of this feed carry `link` (a show's homepage, a section page): it does not name one item. */
  linkIsShared: boolean;
  title: string;
  date: string | null;
}

/**
 * The item's id inside its feed: its guid, else its link when no other item of the feed has that
 * link, else a stable URN from what the item says about itself. Only the source makes it unique in
 * the store: two feeds serving the same guid keep two records.
 */
export function identifyItem(input: IdentityInput): ItemIdentity {
  const key = input.guid ?? (input.link && !input.linkIsShared ? input.link : generatedGuid(input));
  return { id: internalId(input.sourceId, key), itemKey: key, guid: key };
}

/**
 * A later item of one feed with the key of an earlier one but another link (a guid reused for
 * another story): an item of its own, under a URN drawn from its link (its title when it has none).
 */
export function identifyRepeat(article: ItemIdentity & RepeatFields): ItemIdentity {
  const key = `urn:feedmirror:item:${sha256Hex(`repeat:${article.sourceId}:${article.itemKey}:${article.url ?? `title:${article.title}`}`).slice(0, 32)}`;
  return { id: internalId(article.sourceId, key), itemKey: key, guid: key };
}

interface RepeatFields {
  sourceId: string;
  url: string | null;
  title: string;
}

export function internalId(sourceId: string, itemKey: string): string {
  return sha256Hex(`${sourceId}\n${itemKey}`).slice(0, 32);
}

function generatedGuid({ sourceId, link, title, date }: IdentityInput): string {
  // Without a link this is the formula earlier versions used, so those items keep their ids.
  const basis = link ? `hash:${sourceId}:${link}:${title}:${date ?? ''}` : `hash:${sourceId}:${title}:${date ?? ''}`;
  return `urn:feedmirror:item:${sha256Hex(basis).slice(0, 32)}`;
}

/** Links that more than one guid-less item of a feed carries (compared as written in the feed). */
export function sharedLinks(items: { guid: string | null; link: string | null }[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const item of items) {
    const link = item.link?.trim();
    if (!link || item.guid?.trim()) continue;
    if (seen.has(link)) shared.add(link);
    seen.add(link);
  }
  return shared;
}
