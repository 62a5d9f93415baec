import { z } from 'zod';
import { validateDetailed } from 'node-cron';

/** A cron expression of 5 or 6 fields, as node-cron reads it; the error names the field that is wrong. */
export const cronExpression = z.string().superRefine((value, ctx) => {
  const result = validateDetailed(value);
  if (!result.valid) ctx.addIssue({ code: 'custom', message: `a cron expression (${result.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'invalid'})` });
});
