import type { SourceState } from '../model/source-state.js';

const BASE_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 6 * 3600_000;

/** 1 min, 2, 4, … up to 6 h after consecutive failures; a longer Retry-After wins. */
export function nextAttemptAfterFailure(failures: number, now: Date, retryAfterMs?: number): string {
  const backoff = Math.min(BASE_BACKOFF_MS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
  return new Date(now.getTime() + Math.max(backoff, retryAfterMs ?? 0)).toISOString();
}

export function isDue(state: SourceState | undefined, now: Date): boolean {
  return !state?.nextFetchAt || state.nextFetchAt <= now.toISOString();
}
