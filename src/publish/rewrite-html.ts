import sanitize from 'sanitize-html';

/** What a URL in content is: a link to follow, or media a reader's client loads by itself. */
export type UrlRole = 'link' | 'media';

const URL_ATTRIBUTES: Record<string, Record<string, UrlRole>> = {
  a: { href: 'link' },
  img: { src: 'media', srcset: 'media' },
  source: { src: 'media', srcset: 'media' },
  video: { src: 'media', poster: 'media' },
  audio: { src: 'media' },
  blockquote: { cite: 'link' },
  q: { cite: 'link' },
};

/**
 * Re-points the URLs of already-sanitized HTML (for mirror variants and media rewriting). Everything
 * else passes through: allowedTags/allowedAttributes false means "keep what is there", which is
 * safe only because the input was sanitized when it was stored.
 */
export function rewriteHtmlUrls(html: string, move: (url: string, role: UrlRole) => string): string {
  if (html === '') return html;
  const transform = (tagName: string, attribs: sanitize.Attributes) => {
    const out = { ...attribs };
    for (const [key, role] of Object.entries(URL_ATTRIBUTES[tagName] ?? {})) {
      const value = out[key];
      if (value === undefined) continue;
      out[key] = key === 'srcset' ? value.split(/,\s+/).map((part) => part.replace(/^\S+/, (url) => move(url, role))).join(', ') : move(value, role);
    }
    return { tagName, attribs: out };
  };
  return sanitize(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    transformTags: Object.fromEntries(Object.keys(URL_ATTRIBUTES).map((tag) => [tag, transform])),
  });
}

/** Every media URL in sanitized HTML (img and source src/srcset, video src/poster, audio src). */
export function mediaUrlsIn(html: string): string[] {
  const urls = new Set<string>();
  rewriteHtmlUrls(html, (url, role) => {
    if (role === 'media') urls.add(url);
    return url;
  });
  return [...urls];
}
