import { z } from 'zod';
import { duration } from './duration.js';

/** How a fleet of workers on one PostgreSQL store shares the work (ignored on SQLite). */
export const CLUSTER_DEFAULTS = {
  /**
   * An output is published once it has been dirty this long: the changes of a burst of ingests
   * (many workers committing batches) go out in one publish instead of one each.
   */
  publishDebounce: '10s' as number | string,
};

export const clusterSchema = z
  .strictObject({ publishDebounce: duration })
  .partial()
  .transform((value) => ({ ...CLUSTER_DEFAULTS, ...value }));
