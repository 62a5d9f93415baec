import { escapeXml } from './xml-text.js';
import { CSS_FILE } from './feed-targets.js';

/** Adds a CSS stylesheet instruction after the XSL one `feed` writes, for browsers without XSLT. */
export function withCssFallback(xml: string, xslHref: string | null): string {
  if (!xslHref) return xml;
  const cssHref = new URL(CSS_FILE, xslHref).href;
  return xml.replace(/(<\?xml-stylesheet [^?]*type="text\/xsl"\?>)/, `$1<?xml-stylesheet href="${escapeXml(cssHref)}" type="text/css"?>`);
}
