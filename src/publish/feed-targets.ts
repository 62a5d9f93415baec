import type { StoredArticle } from '../model/article.js';
import { FEED_FILES, newestItemDate, type FeedFormat, type FeedHistory, type FeedView, type ItemView } from './feed-view.js';
import { resolveLinks, type LinkPolicy } from './link-policy.js';
import type { MediaMode, MediaPolicy } from './media-policy.js';
import type { PublishInput, PublishOutput, PublishSource } from './publish-types.js';
import { publishedIds } from './published-ids.js';
import type { SiteCopy } from './site-copies.js';

export const STYLESHEET_FILE = 'feed.xsl';
export const CSS_FILE = 'feed.css';

/** One feed document to write: a copy of the site, a folder in it, and how links are chosen. */
export interface ViewTarget {
  copy: SiteCopy;
  copies: SiteCopy[];
  /** Folder of the feed files inside a copy: "all/", "all/onion/", "all/archive/3/". */
  path: string;
  /** The subscription document's folder, for archive pages' rel="current". */
  currentPath: string;
  policy: LinkPolicy;
  history: FeedHistory;
}

/** The subscription document and each variant of one output, for one site copy. */
export function outputTargets(output: PublishOutput, copy: SiteCopy): { path: string; policy: LinkPolicy }[] {
  const base: LinkPolicy = copy.isCanonical ? { kind: 'canonical' } : { kind: 'site-copy', host: copy.host };
  return [
    { path: `${output.id}/`, policy: base },
    ...(output.variants ?? []).map((v) => ({ path: `${output.id}/${v.id}/`, policy: { kind: 'variant', mirrorKind: v.kind } as LinkPolicy })),
  ];
}

/** Where one feed document lives, relative to the output folder: "mirrors/cdn.example.com/all/onion/rss.xml". */
export function feedFile(copy: SiteCopy, folder: string, format: FeedFormat): string {
  return `${copy.dir}${folder}${FEED_FILES[format]}`;
}

/** The subscription documents of an output: every format of every variant, in every site copy. */
export function currentFeedFiles(output: PublishOutput, copies: SiteCopy[]): string[] {
  return copies.flatMap((copy) => outputTargets(output, copy).flatMap(({ path: folder }) => output.formats.map((format) => feedFile(copy, folder, format))));
}

export function archivePath(targetPath: string, page: number): string {
  return `${targetPath}archive/${page}/`;
}

export function feedUrls(base: string, folder: string): Record<FeedFormat, string> {
  const url = (file: string) => new URL(`${folder}${file}`, base).href;
  return { rss: url(FEED_FILES.rss), atom: url(FEED_FILES.atom), json: url(FEED_FILES.json) };
}

export function buildFeedView(input: PublishInput, output: PublishOutput, articles: StoredArticle[], target: ViewTarget): FeedView {
  const sources = new Map(input.sources.map((s) => [s.id, s]));
  const canonical = target.copies[0]!;
  const merged = mergesSources(output, input.sources);
  return {
    outputId: output.id,
    // One feed, one identity: every site copy shares the canonical id (a variant or archive page is its own document).
    feedId: feedUrls(canonical.base, target.path).atom,
    title: output.title,
    description: output.description ?? input.site.description ?? null,
    language: output.language ?? input.site.language ?? null,
    homeUrl: target.copy.base,
    selfUrls: feedUrls(target.copy.base, target.path),
    copies: target.copies.filter((c) => c !== target.copy).map((c) => ({ url: feedUrls(c.base, target.path), kind: c.kind })),
    updated: newestItemDate(articles),
    author: { name: output.author?.name ?? input.site.title, email: output.author?.email ?? null, url: output.author?.url ?? null },
    generator: input.generator,
    icon: output.icon ?? null,
    logo: output.logo ?? null,
    copyright: output.copyright ?? null,
    stylesheet: new URL(STYLESHEET_FILE, target.copy.base).href,
    hub: input.site.websub?.hub ?? null,
    history: target.history,
    items: articles.map((article): ItemView => {
      const source = sources.get(article.sourceId);
      const links = resolveLinks(article, target.policy, mediaPolicy(output.media ?? source?.media, target.copy));
      return {
        article,
        ids: publishedIds(article.sourceId, article.guid, links.link, merged),
        link: links.link,
        mirrors: links.duplicates,
        contentHtml: links.contentHtml,
        images: links.images,
        enclosures: links.enclosures,
        source: { id: article.sourceId, title: source?.title ?? article.sourceId, url: source?.kind === 'feed' ? (source.url ?? null) : null },
      };
    }),
  };
}

/** What an item's effective `media` means in one site copy's documents. */
function mediaPolicy(mode: MediaMode | undefined, copy: SiteCopy): MediaPolicy | null {
  if (mode === 'mirror') return { mode: 'mirror' };
  if (mode === 'proxy') return { mode: 'proxy', siteBase: copy.base };
  return null;
}

/**
 * Whether an output draws on several sources: "*", ids and tags resolved against the configured
 * sources. Decided by the config, never by the items of the day, so an item's published id does
 * not change while the config stays the same.
 */
export function mergesSources(output: PublishOutput, sources: PublishSource[]): boolean {
  const all = output.sources.includes('*');
  return sources.filter((s) => all || output.sources.includes(s.id) || s.tags.some((tag) => output.sources.includes(tag))).length > 1;
}
