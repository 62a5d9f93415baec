import type { SourceState } from '../model/source-state.js';
import { durationMs } from '../config/duration.js';
import { nextCronTime } from '../lib/cron-next.js';

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

/** When a source that was just fetched is due again: its cron schedule, its interval, or the next run. */
export function nextAttemptAfterSuccess(source: { interval?: number | string | undefined; schedule?: string | undefined }, now: Date, timezone: string): string | null {
  if (source.schedule) return nextCronTime(source.schedule, now, timezone).toISOString();
  if (source.interval !== undefined) {
    const ms = durationMs(source.interval);
    return ms > 0 ? new Date(now.getTime() + ms).toISOString() : null;
  }
  return null;
}
