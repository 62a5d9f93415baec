import { z } from 'zod';

/** "90s", "30m", "6h", "1d", or a number of seconds. */
const DURATION = 'a duration such as "30m", "6h" or "1d", or a whole number of seconds';
export const duration = z.union([z.number().int().min(0), z.string().regex(/^\d+\s*[smhd]$/i, DURATION)], { error: DURATION });

export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value * 1000;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[value.trim().slice(-1).toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return Number.parseInt(value, 10) * unit;
}
