import type { ParsedSeed } from '../model/seed.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
/** "December 15, 2016", "Dec. 15 2016", "15 December 2016", "2016-12-15". */
const DATE_FORMS: { pattern: RegExp; pick: (m: RegExpExecArray) => [string, string, string] }[] = [
  { pattern: new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'gi'), pick: (m) => [m[3]!, m[1]!, m[2]!] },
  { pattern: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})\\b`, 'gi'), pick: (m) => [m[3]!, m[2]!, m[1]!] },
  { pattern: /\b(\d{4})-(\d{2})-(\d{2})\b/g, pick: (m) => [m[1]!, m[2]!, m[3]!] },
];
const WEEKDAY = /\b(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/gi;
/** Seed dates have no time of day; noon UTC shows the same calendar day in every time zone from -11 to +11. */
const NOON_UTC_MS = 12 * 3600_000;
const DAY_MS = 86_400_000;
/** An article cannot mention its own publication date after the file was saved; later dates are about the future, unless all are. */
const FUTURE_SLACK_MS = DAY_MS;

interface Candidate {
  day: number; // ms since epoch at 00:00 UTC
  count: number;
  firstAt: number;
}

/**
 * The date the seed text gives for itself: the most mentioned calendar date (a date whose weekday
 * the text also names counts extra), else the last named weekday on or before the file's mtime,
 * else the mtime.
 */
export function findSeedDate(text: string, mtime: Date): ParsedSeed['date'] {
  const weekdays = new Set([...text.matchAll(WEEKDAY)].map((m) => WEEKDAYS.indexOf(m[1]!.toLowerCase())));
  const all = collectDates(text);
  const past = all.filter((c) => c.day <= mtime.getTime() + FUTURE_SLACK_MS);
  // When every date is "after" the mtime, the mtime is the unreliable one (an archive that reset it).
  const candidates = past.length > 0 ? past : all;
  const score = (c: Candidate) => c.count + (weekdays.has(new Date(c.day).getUTCDay()) ? 2 : 0);
  const best = candidates.sort((a, b) => score(b) - score(a) || a.firstAt - b.firstAt)[0];
  if (best) return { iso: new Date(best.day + NOON_UTC_MS).toISOString(), from: 'text' };
  if (weekdays.size > 0) return { iso: new Date(lastWeekdayBefore(mtime, weekdays) + NOON_UTC_MS).toISOString(), from: 'text-weekday' };
  return { iso: new Date(Math.floor(mtime.getTime() / 1000) * 1000).toISOString(), from: 'mtime' };
}

function collectDates(text: string): Candidate[] {
  const byDay = new Map<number, Candidate>();
  for (const form of DATE_FORMS) {
    for (const match of text.matchAll(form.pattern)) {
      const day = toUtcDay(...form.pick(match));
      if (day === null) continue;
      const known = byDay.get(day);
      if (known) {
        known.count++;
        known.firstAt = Math.min(known.firstAt, match.index);
      } else byDay.set(day, { day, count: 1, firstAt: match.index });
    }
  }
  return [...byDay.values()];
}

function toUtcDay(year: string, month: string, day: string): number | null {
  const m = /^\d+$/.test(month) ? Number(month) - 1 : MONTHS.indexOf(month.slice(0, 3).toLowerCase());
  const y = Number(year);
  const d = Number(day);
  if (m < 0 || m > 11 || d < 1 || d > 31 || y < 1900 || y > 2200) return null;
  const time = Date.UTC(y, m, d);
  return new Date(time).getUTCDate() === d ? time : null; // rejects "February 30"
}

function lastWeekdayBefore(mtime: Date, weekdays: Set<number>): number {
  const today = Date.UTC(mtime.getUTCFullYear(), mtime.getUTCMonth(), mtime.getUTCDate());
  for (let back = 0; back < 7; back++) {
    const day = today - back * DAY_MS;
    if (weekdays.has(new Date(day).getUTCDay())) return day;
  }
  return today;
}
