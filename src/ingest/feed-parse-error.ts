/** A body that could not be read as a feed; the harvest records it as the source's error. */
export class FeedParseError extends Error {
  readonly code: 'FM_PARSE' | 'FM_NOT_A_FEED' = 'FM_PARSE';
}

/** The body parsed, but it is not a feed (an HTML page without feed links, an image, JSON of another kind). */
export class NotAFeedError extends FeedParseError {
  override readonly code = 'FM_NOT_A_FEED';
}
