/** The key that holds a comment, in any object of the config (npm's package.json convention). */
export const COMMENT_KEY = '//';

/**
 * The config without its comments. JSON has no comment syntax, and a "//" key is one that
 * survives the edits `sources add` and `import-opml` make (they rewrite the file as JSON).
 */
export function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== COMMENT_KEY).map(([key, inner]) => [key, withoutComments(inner)]));
}
