import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { duration } from './duration.js';

const cronExpression = z.string().superRefine((value, ctx) => {
  const result = validateDetailed(value);
  if (!result.valid) ctx.addIssue({ code: 'custom', message: `a cron expression (${result.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'invalid'})` });
});

/** When the fleet's chores run (on PostgreSQL only; each fire on one worker of the fleet). */
export const CHORE_DEFAULTS = {
  /** index.html, sources.opml and the other site-wide files, from the store. */
  site: '*/1 * * * *',
  /** retention, orphan temp files in outputDir, old chore records. */
  housekeeping: '*/15 * * * *',
};

const choresSchema = z.strictObject({
  site: cronExpression.default(CHORE_DEFAULTS.site),
  housekeeping: cronExpression.default(CHORE_DEFAULTS.housekeeping),
});

/** Running several workers on one PostgreSQL store (ignored on SQLite). */
export const clusterSchema = z.strictObject({
  /** This worker's name in the store (claims, chore records); default "<hostname>:<pid>". */
  workerId: z.string().min(1).max(200).optional(),
  /**
   * An output is published once it has been dirty this long: the changes of a burst of ingests
   * (many workers committing batches) go out in one publish instead of one each.
   */
  publishDebounce: duration.default('10s'),
  chores: choresSchema.default(CHORE_DEFAULTS),
});

export const CLUSTER_DEFAULTS = { publishDebounce: '10s', chores: CHORE_DEFAULTS };

export const CLUSTER_KNOWN_KEYS: { path: RegExp; keys: string[] }[] = [
  { path: /^cluster$/, keys: Object.keys(clusterSchema.shape) },
  { path: /^cluster\.chores$/, keys: Object.keys(CHORE_DEFAULTS) },
];
