/** What full text did for one source's harvest: the run summary and /metrics add these up. */
export interface FullTextCounts {
  /** Page requests made (one per page, whether the origin or a mirror answered). */
  fetched: number;
  /** Of those, answered 304: the remembered article still stands. */
  notModified: number;
  /** Of those, failed (the origin and every mirror). */
  failed: number;
  /** Items whose page was remembered for their version: no request. */
  reused: number;
  /** Items that now carry the article from their page. */
  extracted: number;
  /** Items that keep their feed content: the page failed, gave no article or a shorter one. */
  kept: number;
  /** Items left for the next run: over `maxPerRun`, or the page (and its mirrors) unreachable for now. */
  deferred: number;
}

export function emptyFullTextCounts(): FullTextCounts {
  return { fetched: 0, notModified: 0, failed: 0, reused: 0, extracted: 0, kept: 0, deferred: 0 };
}
