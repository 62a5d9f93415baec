import type { z } from 'zod';

/**
 * zod's own wording ("Too small: expected array to have >=1 items") speaks of its types, not of
 * the config: this map says what a key expected in the config's words. Given to every parse of the
 * config (a schema's own message, such as "an absolute http(s) URL of a feed", still wins).
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? `a value of type ${issue.expected}`;
    case 'too_small':
      return bound('at least', issue.origin, issue.minimum, issue.inclusive);
    case 'too_big':
      return bound('at most', issue.origin, issue.maximum, issue.inclusive);
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_format':
      return `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a text (in quotes)',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list ([…])',
  object: 'an object ({…})',
};

function bound(word: string, origin: string, limit: number | bigint, inclusive: boolean | undefined): string {
  const n = Number(limit);
  switch (origin) {
    case 'array':
    case 'set':
      return n === 1 && word === 'at least' ? 'at least one entry (an empty list is not allowed)' : `${word} ${n} entr${n === 1 ? 'y' : 'ies'}`;
    case 'string':
      return n === 1 && word === 'at least' ? 'a text that is not empty' : `${word} ${n} character${n === 1 ? '' : 's'}`;
    default:
      if (inclusive === false) return `a number ${word === 'at least' ? 'greater' : 'less'} than ${n}`;
      return `a number ${word === 'at least' ? 'of at least' : 'of at most'} ${n}`;
  }
}

const MAX_ECHO_CHARS = 80;

/**
 * The offending value as the config wrote it, for an error line: JSON, cut short when long, or
 * null when the message quotes it already or it was missing (that is said instead).
 */
export function echoValue(value: unknown, message: string): string | null {
  if (value === undefined) return null;
  const json = hideCredentials(JSON.stringify(value));
  if (json === undefined || message.includes(json)) return null;
  return json.length > MAX_ECHO_CHARS ? `${json.slice(0, MAX_ECHO_CHARS - 1)}…` : json;
}

/**
 * A value echoed into an error message may be a proxy or database URL with a password in it
 * (`"socks5://user:secret@host"`, `"user:secret@host:3128"`, `?password=secret`): messages reach
 * logs and terminals, so a password is shown as *** wherever it stands.
 */
function hideCredentials(json: string | undefined): string | undefined {
  return json?.replace(/(["/\s])([^:@/\s"]*):[^@/\s"]*@/g, '$1$2:***@').replace(/([?&]password=)[^&#"]*/gi, '$1***');
}
