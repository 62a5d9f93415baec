/**
 * output_members.page: n >= 1 is archive page n; EXCLUDED marks an article the output leaves out
 * (cleared when it changes or the output's filter does); -1, written by migrate-identity.ts, a copy
 * of an archived article, out for good.
 */
export const EXCLUDED = 0;

/** History for metrics, not an audit log: the newest runs are enough. */
export const RUNS_KEPT = 1000;

/** documents key of the counter that goes up whenever articles are inserted or changed. */
export const VERSION_KEY = 'store-version';
