/**
 * PostgreSQL text cannot hold U+0000, which a feed's guid or link and a fetched document may
 * carry (SQLite stores it). Such a value is stored as a marked JSON string; so is any value that
 * starts with the mark, which keeps the encoding one-to-one: a lookup by an encoded value finds
 * exactly the records stored with that value. Everything else is stored as it is.
 */
const MARK = '\u0001json:';

export function encodeText(value: string): string {
  return value.includes('\u0000') || value.startsWith(MARK) ? `${MARK}${JSON.stringify(value)}` : value;
}

export function encodeNullable(value: string | null): string | null {
  return value === null ? null : encodeText(value);
}

export function decodeText(value: string): string {
  return value.startsWith(MARK) ? (JSON.parse(value.slice(MARK.length)) as string) : value;
}

export function decodeNullable(value: string | null): string | null {
  return value === null ? null : decodeText(value);
}
