import { sha256Hex } from './text.js';

/** The name of a media URL under `/media/`: publish writes it, the pipeline records it, serve looks it up. */
export function mediaHash(url: string): string {
  return sha256Hex(url).slice(0, 32);
}

/** A media hash as `/media/<hash>` accepts it. */
export const MEDIA_HASH = /^[0-9a-f]{32}$/;
