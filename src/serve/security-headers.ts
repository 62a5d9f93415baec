import type { ServerResponse } from 'node:http';

/**
 * Content-Security-Policy by what a browser does with the response. Nothing may load from another
 * origin, no page may be framed, no <base> or form may redirect anything.
 *
 * - HTML (index.html, article pages, the 404 page): their only style is an inline <style> element
 *   and they load no script and no image of another site. `style-src 'unsafe-inline'` rather than
 *   hashes: the pages of any earlier feedmirror version keep working, and item HTML cannot use it
 *   (the sanitizer drops <style> elements and style attributes; with no script and nothing
 *   loadable from outside, CSS could not send anything anywhere).
 * - XML (rss.xml and atom.xml opened in a browser): feed.xsl is an XSLT load, which CSP 3 governs
 *   by script-src (request destination "xslt"), from 'self'; feed.css (the fallback where there
 *   is no XSLT) is a stylesheet from 'self'; the page the XSL writes has an inline <style>.
 *   'self' runs no file of ours as script: none is JavaScript, and nosniff stops the rest.
 * - Everything else (JSON, OPML, CSS, images, /healthz, /metrics): nothing at all, so a file
 *   opened on its own runs and loads nothing.
 */
const CLOSED = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const HTML = `default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
const XML = `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export function contentSecurityPolicyFor(contentType: string): string {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html') return HTML;
  if (type === 'image/svg+xml') return CLOSED; // an SVG opened on its own could run its scripts
  if (type.endsWith('/xml') || type.endsWith('+xml') || type === 'text/xsl') return XML;
  return CLOSED;
}

/**
 * On every response, before anything else is known: no MIME sniffing, no framing (for browsers
 * without frame-ancestors), and no Referer to the sites our pages link to (a reader of a mirror
 * copy may not want the publisher to learn which copy they read).
 */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', CLOSED);
}

/** Content-Type and the policy that goes with it. */
export function setContentType(res: ServerResponse, contentType: string): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Security-Policy', contentSecurityPolicyFor(contentType));
}
