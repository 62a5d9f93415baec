import type { ArticleImage, Enclosure, MirrorUrl, StoredArticle } from '../model/article.js';
import { rehost } from '../lib/mirror-hosts.js';
import { rewriteHtmlUrls } from './rewrite-html.js';
import { moveMedia, type MediaPolicy } from './media-policy.js';

/**
 * Which of an article's addresses a feed file points at. The canonical feed uses canonical
 * URLs; a site-mirror copy points site pages at its own host; a variant points every link,
 * image and enclosure at a chosen kind of mirror. The article's mirrors were all computed in
 * the normalize stage: a policy only chooses among them.
 */
export type LinkPolicy = { kind: 'canonical' } | { kind: 'site-copy'; host: string } | { kind: 'variant'; mirrorKind: string };

export interface ResolvedLinks {
  link: string | null;
  /** Every other address of the article (the canonical one included when the link is a mirror). */
  duplicates: MirrorUrl[];
  contentHtml: string;
  images: ArticleImage[];
  enclosures: Enclosure[];
}

/**
 * `media` moves the media of canonical and site-copy documents (see media-policy.ts); a variant
 * points everything, media included, at its kind of mirror.
 */
export function resolveLinks(article: StoredArticle, policy: LinkPolicy, media: MediaPolicy | null = null): ResolvedLinks {
  const own = { contentHtml: article.contentHtml, images: article.images, enclosures: article.enclosures };
  const plain = media && policy.kind !== 'variant' ? moveMedia(article, own, media) : own;
  if (policy.kind === 'canonical' || article.url === null) return { link: article.url, duplicates: article.mirrors, ...plain };
  const chosen =
    policy.kind === 'site-copy'
      ? article.mirrors.find((m) => m.origin === 'site' && new URL(m.url).host === policy.host)
      : article.mirrors.find((m) => m.kind === policy.mirrorKind);
  const link = chosen?.url ?? article.url;
  const duplicates = chosen ? [{ url: article.url, kind: canonicalKind(article.url), origin: 'canonical' as const }, ...article.mirrors.filter((m) => m !== chosen)] : article.mirrors;
  if (policy.kind === 'site-copy') return { link, duplicates, ...plain };
  const move = (url: string) => moveToKind(url, article, policy.mirrorKind);
  return {
    link,
    duplicates,
    contentHtml: rewriteHtmlUrls(article.contentHtml, move),
    images: article.images.map((img) => ({ ...img, url: img.url ? move(img.url) : null })),
    enclosures: article.enclosures.map((e) => ({ ...e, url: move(e.url) })),
  };
}

/** The URL on the first mirror of `kind` its host has, or unchanged when its host has none. */
function moveToKind(url: string, article: StoredArticle, kind: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const base = article.hostMirrors.find((h) => h.host === parsed.host)?.bases.find((b) => b.kind === kind);
  return base ? rehost(parsed, new URL(base.base)).href : url;
}

function canonicalKind(url: string): string {
  return new URL(url).protocol.replace(':', '');
}
