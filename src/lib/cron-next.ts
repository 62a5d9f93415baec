import { createTask } from 'node-cron';

const MINUTE_MS = 60_000;
/** How far ahead a cron expression is searched; one that matches less often falls back to daily. */
const SEARCH_MINUTES = 31 * 24 * 60;

/** Sources usually share a few schedules: the answer for one minute is computed once. */
const cache = new Map<string, Date>();
const MAX_CACHE = 1000;

/** The first minute after `after` that a cron expression matches, in `timezone`. */
export function nextCronTime(expression: string, after: Date, timezone: string): Date {
  const key = `${expression}\n${timezone}\n${Math.floor(after.getTime() / MINUTE_MS)}`;
  const known = cache.get(key);
  if (known) return known;
  const next = searchCron(expression, after, timezone);
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, next);
  return next;
}

function searchCron(expression: string, after: Date, timezone: string): Date {
  // A task that is never started only answers match(); it schedules nothing.
  const task = createTask(expression, () => undefined, { timezone });
  try {
    const start = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    for (let i = 0; i < SEARCH_MINUTES; i++) {
      const candidate = new Date(start + i * MINUTE_MS);
      if (task.match(candidate)) return candidate;
    }
    return new Date(after.getTime() + 24 * 60 * MINUTE_MS);
  } finally {
    void task.destroy();
  }
}
