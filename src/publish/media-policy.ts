import type { ArticleImage, Enclosure, StoredArticle } from '../model/article.js';
import { rehost } from '../lib/mirror-hosts.js';
import { mediaHash } from '../lib/media-hash.js';
import { mediaUrlsIn, rewriteHtmlUrls } from './rewrite-html.js';

/** `media` of an output or a source: where readers load an item's images, video, audio and enclosures from. */
export type MediaMode = 'mirror' | 'proxy';

/** How media URLs are moved in one feed document: onto a mirror, or onto this site copy's /media/. */
export type MediaPolicy = { mode: 'mirror' } | { mode: 'proxy'; siteBase: string };

/** Mirror kinds readers' clients can load media from, best first (an onion needs Tor). */
const LOADABLE_KINDS = ['https', 'http'];

export interface MediaParts {
  contentHtml: string;
  images: ArticleImage[];
  enclosures: Enclosure[];
}

/** The article's media (in content, images and enclosures) moved by the policy; links are left alone. */
export function moveMedia(article: StoredArticle, parts: MediaParts, policy: MediaPolicy): MediaParts {
  const move = mediaMover(article, policy);
  return {
    contentHtml: rewriteHtmlUrls(parts.contentHtml, (url, role) => (role === 'media' ? move(url) : url)),
    images: parts.images.map((img) => ({ ...img, url: img.url ? move(img.url) : null })),
    enclosures: parts.enclosures.map((e) => ({ ...e, url: move(e.url) })),
  };
}

/**
 * Moves a URL on one of the publisher's hosts (the article's own, or one the mirror lists name):
 * `mirror` onto the same path on that host's first https mirror (http when it has none), `proxy`
 * onto `<site copy>/media/<hash>`. URLs on other hosts are left as they are.
 */
function mediaMover(article: StoredArticle, policy: MediaPolicy): (url: string) => string {
  const blocked = publisherHosts(article);
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return url;
    }
    if (!blocked.has(parsed.host)) return url;
    if (policy.mode === 'proxy') return new URL(`media/${mediaHash(parsed.href)}`, policy.siteBase).href;
    return loadableMirrors(article, parsed)[0] ?? url;
  };
}

/** The URL on each https mirror of its host, then on each http one. */
function loadableMirrors(article: StoredArticle, url: URL): string[] {
  const bases = article.hostMirrors.find((h) => h.host === url.host)?.bases ?? [];
  return LOADABLE_KINDS.flatMap((kind) => bases.filter((b) => b.kind === kind).map((b) => rehost(url, new URL(b.base)).href));
}

function publisherHosts(article: StoredArticle): Set<string> {
  const hosts = new Set(article.hostMirrors.map((h) => h.host));
  if (article.url) hosts.add(new URL(article.url).host);
  return hosts;
}

/** The URLs `proxy` mode turns into /media/<hash> for this article, with their mirrors: what /media may fetch. */
export function proxiedMedia(article: StoredArticle): { url: string; alternates: string[] }[] {
  const blocked = publisherHosts(article);
  const all = [...mediaUrlsIn(article.contentHtml), ...article.images.flatMap((i) => (i.url ? [i.url] : [])), ...article.enclosures.map((e) => e.url)];
  const found = new Map<string, string[]>();
  for (const url of all) {
    try {
      const parsed = new URL(url);
      if (blocked.has(parsed.host) && !found.has(parsed.href)) found.set(parsed.href, loadableMirrors(article, parsed));
    } catch {
      // not a URL: nothing to proxy
    }
  }
  return [...found].map(([url, alternates]) => ({ url, alternates }));
}
