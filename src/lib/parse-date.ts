/**
 * Dates in the forms feeds actually use, to UTC ISO 8601. Lenient helper: returns null for
 * anything it cannot read with confidence, never throws.
 */

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** Offsets in minutes. RFC 822 zones, plus the abbreviations publishers use anyway. */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, IST: 330, CET: 60, CEST: 120, MET: 60, MEST: 120,
  EET: 120, EEST: 180, MSK: 180, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360,
  PST: -480, PDT: -420, AKST: -540, AKDT: -480, HST: -600, AST: -240, ADT: -180, NST: -210, NDT: -150,
  JST: 540, KST: 540, HKT: 480, SGT: 480, AWST: 480, ACST: 570, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780,
  PKT: 300, WIB: 420, ICT: 420, PHT: 480,
};

/** Dates outside this window are typos or placeholders (year 0, 9999); the caller falls back to first-seen. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const RFC822 =
  /^(?:[a-z]{2,9}\.?,?\s*)?(\d{1,2})[\s-]+([a-z]{3})[a-z]*\.?[\s-]+(\d{2,4})(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(.*)$/i;

export function parseFeedDate(raw: string | null | undefined): string | null {
  const text = raw?.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const ms = parseIso(text) ?? parseRfc822(text) ?? parseLoose(text);
  if (ms === null || !Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  return year >= MIN_YEAR && year <= MAX_YEAR ? new Date(ms).toISOString() : null;
}

function parseIso(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const offset = zoneOffset(zone ?? 'Z');
  // NaN, not null: the text is ISO-shaped but impossible, and no looser reading should rescue it
  if (offset === null || !isValidDay(Number(y), Number(mo) - 1, Number(d))) return Number.NaN;
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  return utcTime(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms) - offset * 60_000;
}

function parseRfc822(text: string): number | null {
  const m = RFC822.exec(text);
  if (!m) return null;
  const [, d, monthName, y, h = '0', mi = '0', s = '0', zoneText = ''] = m;
  const month = MONTHS[monthName!.toLowerCase()];
  if (month === undefined) return null;
  let year = Number(y);
  if (y!.length === 2) year += year < 50 ? 2000 : 1900; // RFC 822 two-digit years
  const offset = zoneOffset(zoneText.trim() || 'Z');
  if (offset === null || !isValidDay(year, month, Number(d))) return Number.NaN;
  return utcTime(year, month, Number(d), Number(h), Number(mi), Number(s), 0) - offset * 60_000;
}

/** What V8 can read that the strict forms above did not ("December 15, 2016 10:00 AM"). Assumed UTC when no zone is given. */
function parseLoose(text: string): number | null {
  if (!/[a-z]{3}|\d{4}/i.test(text)) return null;
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2}|\b(?:GMT|UTC|UT)\b)\s*$/i.test(text);
  const ms = Date.parse(hasZone ? text : `${text} UTC`);
  return Number.isNaN(ms) ? null : ms;
}

/** "+0530", "-08:00", "+02", "GMT+2", "UTC-05:30", "EST", "A"–"Z" military; null when unknown. */
function zoneOffset(zone: string): number | null {
  const z = zone.trim().toUpperCase().replace(/^\(|\)$/g, '');
  if (z === '') return 0;
  const numeric = /^(?:GMT|UTC|UT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return minutes > 18 * 60 ? null : (numeric[1] === '-' ? -1 : 1) * minutes;
  }
  const named = ZONES[z.split(/\s/)[0]!];
  if (named !== undefined) return named;
  return /^[A-IK-Z]$/.test(z) ? 0 : null; // military zones are used wrongly so often that RFC 1123 says to treat them as 0
}

/** Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not. */
function utcTime(year: number, month: number, day: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function isValidDay(year: number, month: number, day: number): boolean {
  const date = new Date(utcTime(year, month, day, 0, 0, 0, 0));
  return date.getUTCMonth() === month && date.getUTCDate() === day;
}
