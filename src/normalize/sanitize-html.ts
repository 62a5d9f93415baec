import sanitize from 'sanitize-html';

/**
 * An explicit allowlist: structure, links, images, video and audio (with controls, never autoplay),
 * lists, tables, quotes and code survive;
 * scripts, styles, frames, forms, event handlers and non-http(s) URLs do not (no data: URLs either:
 * they can be megabytes and hide SVG scripts).
 */
const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'a', 'img', 'picture', 'source', 'figure', 'figcaption', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'blockquote', 'q', 'cite', 'code', 'pre', 'kbd', 'samp',
  'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'sub', 'sup', 'small', 'mark', 'abbr', 'time', 'span', 'div',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'details', 'summary', 'video', 'audio',
];
const ALLOWED_ATTRIBUTES: sanitize.IOptions['allowedAttributes'] = {
  a: ['href', 'title'],
  img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height'],
  source: ['src', 'srcset', 'sizes', 'type', 'media'],
  // Never autoplay: a reader decides; `controls` is what makes them usable without scripts.
  video: ['src', 'poster', 'controls', 'width', 'height', 'preload', 'loop', 'muted'],
  audio: ['src', 'controls', 'preload', 'loop'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan', 'scope'],
  blockquote: ['cite'],
  q: ['cite'],
  abbr: ['title'],
  time: ['datetime'],
  ol: ['start', 'reversed'],
};
/** Lazy-loading scripts keep the real image here and a placeholder in src. */
const LAZY_SRC = ['data-src', 'data-original', 'data-lazy-src', 'data-url'];
const LAZY_SRCSET = ['data-srcset', 'data-lazy-srcset'];

/**
 * Sanitizes untrusted HTML and makes every URL in it absolute against `base`.
 * The caller caps the input size first: sanitize-html 2.17 slows down badly on some nested input.
 */
export function sanitizeHtml(html: string, base: string | null, mapUrl: (url: string) => string = (url) => url): string {
  return sanitize(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'], source: ['http', 'https'], video: ['http', 'https'], audio: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'poster'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math'],
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: withAbsolute(attribs, ['href'], base, mapUrl) }),
      img: (tagName, attribs) => ({ tagName, attribs: withAbsolute(unlazy(attribs), ['src', 'srcset'], base, mapUrl) }),
      source: (tagName, attribs) => ({ tagName, attribs: withAbsolute(unlazy(attribs), ['src', 'srcset'], base, mapUrl) }),
      video: (tagName, attribs) => ({ tagName, attribs: withAbsolute(attribs, ['src', 'poster'], base, mapUrl) }),
      audio: (tagName, attribs) => ({ tagName, attribs: withAbsolute(attribs, ['src'], base, mapUrl) }),
      blockquote: (tagName, attribs) => ({ tagName, attribs: withAbsolute(attribs, ['cite'], base, mapUrl) }),
      q: (tagName, attribs) => ({ tagName, attribs: withAbsolute(attribs, ['cite'], base, mapUrl) }),
    },
    // Tracking pixels and images whose source was refused carry nothing a reader can see.
    exclusiveFilter: (frame) => frame.tag === 'img' && (!frame.attribs.src || (frame.attribs.width === '1' && frame.attribs.height === '1')),
  }).trim();
}

function unlazy(attribs: sanitize.Attributes): sanitize.Attributes {
  const lazySrc = LAZY_SRC.map((key) => attribs[key]).find((v) => v?.trim());
  const lazySrcset = LAZY_SRCSET.map((key) => attribs[key]).find((v) => v?.trim());
  return { ...attribs, ...(lazySrc ? { src: lazySrc } : {}), ...(lazySrcset ? { srcset: lazySrcset } : {}) };
}

function withAbsolute(attribs: sanitize.Attributes, keys: string[], base: string | null, mapUrl: (url: string) => string): sanitize.Attributes {
  const out = { ...attribs };
  for (const key of keys) {
    const value = out[key];
    if (value === undefined) continue;
    const resolved = key === 'srcset' ? resolveSrcset(value, base, mapUrl) : mapOrNull(resolveUrl(value, base), mapUrl);
    if (resolved) out[key] = resolved;
    else delete out[key];
  }
  return out;
}

/** An absolute http(s)/mailto URL, or null for anything else (javascript:, data:, unparsable). */
export function resolveUrl(value: string, base: string | null): string | null {
  try {
    const url = base ? new URL(value.trim(), base) : new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}

function mapOrNull(url: string | null, mapUrl: (url: string) => string): string | null {
  return url && !url.startsWith('mailto:') ? mapUrl(url) : url;
}

function resolveSrcset(value: string, base: string | null, mapUrl: (url: string) => string): string | null {
  const candidates = value
    .split(/,\s+/)
    .map((part) => {
      const [url, ...descriptor] = part.trim().split(/\s+/);
      const resolved = url ? mapOrNull(resolveUrl(url, base), mapUrl) : null;
      return resolved ? [resolved, ...descriptor].join(' ') : null;
    })
    .filter((c): c is string => c !== null);
  return candidates.length > 0 ? candidates.join(', ') : null;
}

export { htmlToText } from '../lib/html-text.js';
