import type { Logger } from '../log/logger.js';
import { plural } from '../lib/plural.js';

/** How long a run goes before it says how far it got, and how often after that (ms). */
export const PROGRESS_INTERVAL_MS = 5_000;
/** Sources named in a progress line, longest-waiting first. */
const LISTED_SLOW = 5;

export interface RunProgress {
  started(sourceId: string): void;
  finished(sourceId: string, newItems: number, outcome: string): void;
  stop(): void;
}

/**
 * What a long run tells its log while it goes: a `debug` line as each source finishes, and every
 * `intervalMs` an `info` line with the sources done so far, the new items and the sources it is
 * still waiting on. A run shorter than one interval logs no progress line at all.
 */
export function startProgress(logger: Logger, total: number, intervalMs: number, now: () => number = Date.now): RunProgress {
  let done = 0;
  let items = 0;
  const inFlight = new Map<string, number>();
  const timer = setInterval(() => {
    const waiting = [...inFlight].sort(([, a], [, b]) => a - b).map(([id, since]) => ({ id, ms: now() - since }));
    const names = waiting.slice(0, LISTED_SLOW).map((w) => `${w.id} (${Math.round(w.ms / 1000)} s)`).join(', ') + (waiting.length > LISTED_SLOW ? ', …' : '');
    logger.info(
      { event: 'progress', done, total, items, waiting: waiting.map((w) => w.id) },
      `progress: ${done}/${plural(total, 'source')} done, ${plural(items, 'item')} read${waiting.length > 0 ? `; waiting on ${names}` : ''}`,
    );
  }, intervalMs);
  timer.unref();
  return {
    started: (sourceId) => void inFlight.set(sourceId, now()),
    finished(sourceId, newItems, outcome) {
      inFlight.delete(sourceId);
      done++;
      items += newItems;
      logger.debug({ event: 'source-done', source: sourceId, outcome, newItems, done, total }, `source ${sourceId} done (${outcome}, ${plural(newItems, 'item')} read); ${done}/${total}`);
    },
    stop: () => clearInterval(timer),
  };
}
