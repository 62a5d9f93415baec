import sanitize from 'sanitize-html';

const URL_ATTRIBUTES: Record<string, string[]> = { a: ['href'], img: ['src', 'srcset'], source: ['srcset'], blockquote: ['cite'], q: ['cite'] };

/**
 * Re-points the URLs of already-sanitized HTML (for mirror variants). Everything else passes
 * through: allowedTags/allowedAttributes false means "keep what is there", which is safe only
 * because the input was sanitized when it was stored.
 */
export function rewriteHtmlUrls(html: string, move: (url: string) => string): string {
  if (html === '') return html;
  const transform = (tagName: string, attribs: sanitize.Attributes) => {
    const out = { ...attribs };
    for (const key of URL_ATTRIBUTES[tagName] ?? []) {
      const value = out[key];
      if (value === undefined) continue;
      out[key] = key === 'srcset' ? value.split(/,\s+/).map((part) => part.replace(/^\S+/, (url) => move(url))).join(', ') : move(value);
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
