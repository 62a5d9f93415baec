/**
 * What `/media/<hash>` may fetch: the media URLs that published items referenced, by their hash.
 * Only these are ever fetched, so `feedmirror serve` is no open proxy.
 */
export interface MediaUrlStore {
  /** Records media URLs by hash (mediaHash of the URL); known ones stay as they are. */
  saveMediaUrls(entries: { hash: string; url: string }[], now: Date): Promise<void>;
  /** The URL recorded for a hash, or null when no published item referenced one. */
  getMediaUrl(hash: string): Promise<string | null>;
}
