import { mirrorBase } from '../lib/mirror-hosts.js';
import { escapeHtml, escapeHtmlText } from '../lib/text.js';

/** Schemes a page may link to; anything else (javascript:, data:, a stored oddity) is shown as text. */
const LINKABLE = new Set(['http:', 'https:', 'ipfs:', 'ipns:']);

/** An <a> to `url` with `text`, or the text alone when the URL is not one a page should link. */
export function linkTo(url: string | null, text: string): string {
  return url !== null && isLinkable(url) ? `<a href="${escapeHtml(url)}">${escapeHtmlText(text)}</a>` : escapeHtmlText(text);
}

export function isLinkable(url: string): boolean {
  try {
    return LINKABLE.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** A publisher's host ("www.presstv.co.uk", "abc….onion") as a link to its home page. */
export function hostLink(host: string): string {
  return linkTo(mirrorBase(host)?.href ?? null, host);
}

/** The host of a URL, for link text ("mirror.example.net"); the URL itself when it has none. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** From a folder of the site ("all/onion/") back to its root: "../../". */
export function rootFrom(folder: string): string {
  return '../'.repeat(folder.split('/').filter(Boolean).length);
}
