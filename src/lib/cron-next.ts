import { createTask } from 'node-cron';

const MINUTE_MS = 60_000;
const SECOND_MS = 1000;
/** How far ahead, in seconds, an expression with a seconds field is searched second by second. */
const SEARCH_SECONDS = 3600;
/** How far ahead a cron expression is searched; one that matches less often falls back to daily. */
const SEARCH_MINUTES = 31 * 24 * 60;

/** Sources usually share a few schedules: the answer for one minute is computed once. */
const cache = new Map<string, Date>();
const MAX_CACHE = 1000;

/**
 * The first time after `after` that a cron expression matches, in `timezone`: a minute, or with a
 * seconds field (six fields, "* * * * * *") a second within the next hour.
 */
export function nextCronTime(expression: string, after: Date, timezone: string): Date {
  const step = hasSeconds(expression) ? SECOND_MS : MINUTE_MS;
  const key = `${expression}\n${timezone}\n${Math.floor(after.getTime() / step)}`;
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
    if (hasSeconds(expression)) {
      const first = Math.floor(after.getTime() / SECOND_MS) * SECOND_MS + SECOND_MS;
      for (let i = 0; i < SEARCH_SECONDS; i++) {
        const candidate = new Date(first + i * SECOND_MS);
        if (task.match(candidate)) return candidate;
      }
    }
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

function hasSeconds(expression: string): boolean {
  return expression.trim().split(/\s+/).length === 6;
}
