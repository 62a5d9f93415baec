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

/** How far a run got: sources done of the total, items read, and the sources in flight with when each started (ms since the epoch). */
export interface ProgressSnapshot {
  done: number;
  total: number;
  items: number;
  inFlight: ReadonlyMap<string, number>;
}

/** Someone watching the run as it goes (the CLI's line on a terminal): told of each change, and when the run ends. */
export interface ProgressWatcher {
  update(snapshot: ProgressSnapshot): void;
  end(): void;
}

export interface ProgressOptions {
  intervalMs: number;
  now?: () => number;
  watcher?: ProgressWatcher;
}

/**
 * What a long run tells its log while it goes: a `debug` line as each source finishes, and every
 * `intervalMs` an `info` line with the sources done so far, the new items and the sources it is
 * still waiting on. A run shorter than one interval logs no progress line at all. A watcher, if
 * any, sees every change as it happens.
 */
export function startProgress(logger: Logger, total: number, { intervalMs, now = Date.now, watcher }: ProgressOptions): RunProgress {
  const state = { done: 0, total, items: 0, inFlight: new Map<string, number>() };
  const timer = setInterval(() => {
    logger.info(
      { event: 'progress', done: state.done, total, items: state.items, waiting: waitingOn(state, now()).map((w) => w.id) },
      `progress: ${describeProgress(state, now())}`,
    );
  }, intervalMs);
  timer.unref();
  return {
    started(sourceId) {
      state.inFlight.set(sourceId, now());
      watcher?.update(state);
    },
    finished(sourceId, newItems, outcome) {
      state.inFlight.delete(sourceId);
      state.done++;
      state.items += newItems;
      watcher?.update(state);
      logger.debug({ event: 'source-done', source: sourceId, outcome, newItems, done: state.done, total }, `source ${sourceId} done (${outcome}, ${plural(newItems, 'item')} read); ${state.done}/${total}`);
    },
    stop() {
      clearInterval(timer);
      watcher?.end();
    },
  };
}

/** "2/3 sources done, 2 items read; waiting on slow (12 s)": the longest-waiting sources first. */
export function describeProgress(snapshot: ProgressSnapshot, now: number): string {
  const waiting = waitingOn(snapshot, now);
  const names = waiting.slice(0, LISTED_SLOW).map((w) => `${w.id} (${Math.round(w.ms / 1000)} s)`).join(', ') + (waiting.length > LISTED_SLOW ? ', …' : '');
  return `${snapshot.done}/${plural(snapshot.total, 'source')} done, ${plural(snapshot.items, 'item')} read${waiting.length > 0 ? `; waiting on ${names}` : ''}`;
}

function waitingOn(snapshot: ProgressSnapshot, now: number): { id: string; ms: number }[] {
  return [...snapshot.inFlight].sort(([, a], [, b]) => a - b).map(([id, since]) => ({ id, ms: now - since }));
}
