import type { DateSource } from '../model/article.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "15 Dec 2016, 09:30 UTC": the form feed.xsl writes for RSS and Atom alike. Built by hand rather
 * than with Intl: ICU's output differs between Node versions (spaces, punctuation), and the pages'
 * bytes must not change with the Node that renders them. An invalid date gives the input back.
 */
export function humanDate(iso: string, withTime = true): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
  if (!withTime) return day;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day}, ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/** Seed dates read from the text carry no time of day (they are stored at noon UTC): only the day means something. */
export function hasTimeOfDay(dateSource: DateSource): boolean {
  return dateSource !== 'text' && dateSource !== 'text-weekday';
}
