import { StatusLine, type TerminalStream } from '../log/status-line.js';
import { describeProgress, type ProgressSnapshot, type ProgressWatcher } from '../pipeline/run-progress.js';

/** How often the line is redrawn at most (ms): often enough that seconds tick, rarely enough to cost nothing. */
export const REDRAW_MS = 250;

const CHATTY_LEVELS = new Set(['trace', 'debug', 'info']);

/**
 * A person watching `run` at a terminal sees how far it got; cron mail, pipes, JSON logs and a
 * log level above info (asked to be quiet) never get the line.
 */
export function wantsProgressLine(stderr: TerminalStream, options: { logFormat: string; logLevel: string; progress?: boolean }): boolean {
  return stderr.isTTY === true && options.logFormat !== 'json' && CHATTY_LEVELS.has(options.logLevel) && options.progress !== false;
}

/**
 * The run's progress as one line on the status line, redrawn from a timer rather than at each
 * change (a thousand fast sources would otherwise be a thousand redraws), and erased at the end.
 */
export function progressLine(line: StatusLine, redrawMs = REDRAW_MS, now: () => number = Date.now): ProgressWatcher {
  let latest: ProgressSnapshot | null = null;
  const timer = setInterval(() => {
    if (latest) line.show(`feedmirror run: ${describeProgress(latest, now())}`);
  }, redrawMs);
  timer.unref();
  return {
    update: (snapshot) => void (latest = snapshot),
    end() {
      clearInterval(timer);
      line.close();
    },
  };
}
