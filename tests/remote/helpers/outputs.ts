/** What readers of our generated feeds see, read back from the files (not from the store). */
import { childNamed, childrenNamed, parseXml } from '../../helpers/xml.js';
import type { Harness } from './harness.js';
import { OUTPUT } from './harness.js';

export interface PublishedItem {
  /** RSS guid / Atom id / JSON Feed id */
  id: string;
  /** RSS guid isPermaLink attribute (RSS only). */
  isPermaLink?: string;
  updated?: string;
}

export interface PublishedIds {
  rss: Record<string, PublishedItem>;
  atom: Record<string, PublishedItem>;
  json: Record<string, PublishedItem>;
}

/** Each format's items keyed by the item's link. */
export async function publishedItems(h: Harness, output = OUTPUT): Promise<PublishedIds> {
  const rss = parseXml(await h.output(`${output}/rss.xml`));
  const atom = parseXml(await h.output(`${output}/atom.xml`));
  const json = JSON.parse(await h.output(`${output}/feed.json`)) as { items: { id: string; url?: string; date_modified?: string }[] };
  const result: PublishedIds = { rss: {}, atom: {}, json: {} };
  for (const item of childrenNamed(childNamed(rss, 'channel'), 'item')) {
    const guid = childNamed(item, 'guid');
    result.rss[childNamed(item, 'link').text.trim()] = { id: guid.text.trim(), isPermaLink: guid.attributes.isPermaLink ?? 'true' };
  }
  for (const entry of childrenNamed(atom, 'entry')) {
    const link = childrenNamed(entry, 'link').find((l) => (l.attributes.rel ?? 'alternate') === 'alternate');
    result.atom[link?.attributes.href ?? ''] = { id: childNamed(entry, 'id').text.trim(), updated: childNamed(entry, 'updated').text.trim() };
  }
  for (const item of json.items) result.json[item.url ?? ''] = { id: item.id, ...(item.date_modified ? { updated: item.date_modified } : {}) };
  return result;
}
