import { sha256Hex } from '../lib/text.js';
import { isGlobalId } from '../lib/global-id.js';


export interface ItemIdentity {
  /** Internal key: stable across runs, shared by two sources publishing the same article. */
  id: string;
  /** What readers see as the item's id: the original guid, else the link, else a stable URN. */
  guid: string;
}

/**
 * guid/id, else link, else a hash of title and date. Ids that are only unique inside one feed
 * ("12345") are qualified with the source, so unrelated feeds never collide.
 */
export function identifyItem(sourceId: string, guid: string | null, link: string | null, title: string, date: string | null): ItemIdentity {
  const key = guid ? (isGlobalId(guid) ? `guid:${guid}` : `source-guid:${sourceId}:${guid}`) : link ? `url:${link}` : `hash:${sourceId}:${title}:${date ?? ''}`;
  const id = sha256Hex(key).slice(0, 32);
  return { id, guid: guid ?? link ?? `urn:feedmirror:item:${id}` };
}
