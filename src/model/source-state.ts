/** What the store remembers about fetching one source between runs. */
export interface SourceState {
  sourceId: string;
  /** The URL in the config when this state was recorded; a different one resets the state. */
  configUrl: string | null;
  /** Current URL: the configured one, or where a permanent redirect moved it. */
  url: string | null;
  etag: string | null;
  lastModified: string | null;
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  /** HTTP status of the last answer, or null when none came (DNS, timeout…). */
  lastStatus: number | null;
  lastOutcome: 'ok' | 'not-modified' | 'error' | null;
  lastError: string | null;
  lastErrorCode: string | null;
  /** Failures in a row; drives the backoff. */
  failures: number;
  /** Not fetched again before this (schedule, backoff or Retry-After). */
  nextFetchAt: string | null;
  lastNewItems: number;
  /** The host that answered the last fetch (a mirror, when the primary was down). */
  servedBy: string | null;
  title: string | null;
  /**
   * What the last parse of the feed left out (items over limits.maxItemsPerSource, invalid items),
   * in one line; null when it read everything. Missing in states stored by older versions.
   */
  lastWarning?: string | null;
}

export function emptySourceState(sourceId: string): SourceState {
  return {
    sourceId, configUrl: null, url: null, etag: null, lastModified: null, lastFetchAt: null, lastSuccessAt: null, lastStatus: null, lastOutcome: null,
    lastError: null, lastErrorCode: null, failures: 0, nextFetchAt: null, lastNewItems: 0, servedBy: null, title: null, lastWarning: null,
  };
}
