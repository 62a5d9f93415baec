/**
 * Rewrites URLs under the base of the mirror that served a document (feed or page) back onto the
 * publisher's own base: mirror base URL (with any path prefix) → canonical base.
 */
export function canonicalizer(aliases: Record<string, string>): (url: string) => string {
  const entries = Object.entries(aliases);
  if (entries.length === 0) return (url) => url;
  return (url) => {
    const match = entries.find(([mirror]) => url.startsWith(mirror));
    return match ? new URL(url.slice(match[0].length), match[1]).href : url;
  };
}
