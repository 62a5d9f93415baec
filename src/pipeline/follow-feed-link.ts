import { FeedmirrorError } from '../model/errors.js';
import type { FetchResult } from '../sources/http/fetch-feed.js';

type FetchedBody = FetchResult & { kind: 'ok' };

/** An HTML page and the feeds it advertises (`<link rel="alternate">`), best first. */
export interface AdvertisingPage {
  kind: 'html-page';
  feedUrls: string[];
}

export interface FollowSteps<Feed> {
  /** A fetched body read as a feed, or as the page that advertises one. */
  read: (fetched: FetchedBody) => Promise<Feed | AdvertisingPage>;
  fetch: (url: string) => Promise<FetchResult>;
  /** Told before the advertised feed is fetched. */
  onFollow: (feedUrl: string) => void;
}

export interface Followed<Feed> {
  /** The response the feed came from (or the advertised feed's 304). */
  fetched: FetchResult;
  /** The feed URL the page advertised, when a page was followed. */
  feedUrl: string | null;
  /** Null only when the advertised feed answered 304. */
  feed: Feed | null;
}

/**
 * Reads a fetched body; an HTML page that advertises a feed (a site's home page given for its
 * feed) leads to that feed, fetched once. A page advertised by a page is not followed further:
 * one hop is what a user means, and more would let a site send us round in circles.
 */
export async function readFollowingFeedLink<Feed extends { kind: 'feed' }>(fetched: FetchedBody, steps: FollowSteps<Feed>): Promise<Followed<Feed>> {
  const first = await steps.read(fetched);
  if (first.kind === 'feed') return { fetched, feedUrl: null, feed: first };
  const feedUrl = first.feedUrls[0]!;
  steps.onFollow(feedUrl);
  const next = await steps.fetch(feedUrl);
  if (next.kind !== 'ok') return { fetched: next, feedUrl, feed: null };
  const second = await steps.read(next);
  if (second.kind !== 'feed') throw new FeedmirrorError('FM_NOT_A_FEED', `the feed ${feedUrl} advertised by the page is itself an HTML page`);
  return { fetched: next, feedUrl, feed: second };
}
