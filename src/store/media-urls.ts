/**
 * What `/media/<hash>` may fetch: the media URLs that published items referenced, by their hash.
 * Only these are ever fetched, so `feedmirror serve` is no open proxy.
 */
export interface MediaUrlStore {
  /** Records media URLs by hash (mediaHash of the URL), with the publisher's mirrors of each. */
  saveMediaUrls(entries: MediaUrl[], now: Date): Promise<void>;
  /** What was recorded for a hash, or null when no published item referenced one. */
  getMediaUrl(hash: string): Promise<MediaUrl | null>;
}

export interface MediaUrl {
  hash: string;
  /** The canonical URL. */
  url: string;
  /** The same file on the publisher's mirrors, tried in order when the origin fails. */
  alternates: string[];
}
