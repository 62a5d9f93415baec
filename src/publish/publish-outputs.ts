import path from 'node:path';
import type { StoredArticle } from '../model/article.js';
import type { ArticleQuery } from '../store/store.js';
import { seedPagePath } from '../lib/site-paths.js';
import { EMPTY_FEED_UPDATED, FEED_FILES, itemUpdated, type FeedFormat, type FeedView, type ItemView } from './feed-view.js';
import { resolveLinks, type LinkPolicy } from './link-policy.js';
import { renderAtom } from './render-atom.js';
import { renderJson } from './render-json.js';
import { renderArticlePage } from './render-page.js';
import { renderRss } from './render-rss.js';
import { siteCopies, type SiteCopy } from './site-copies.js';
import { removeStaleTempFiles, writeFileAtomic } from './write-files.js';
import { renderMirrorMap, type MirrorMapInput } from './render-mirror-map.js';

export interface PublishSite {
  url: string;
  title: string;
  description?: string | undefined;
  language?: string | undefined;
  mirrors: string[];
}

export interface PublishSource {
  id: string;
  title?: string | undefined;
  url?: string;
  tags: string[];
  kind: 'seeds' | 'feed';
}

export interface PublishOutput {
  id: string;
  title: string;
  description?: string | undefined;
  sources: string[];
  limit: number;
  formats: FeedFormat[];
  variants?: { id: string; kind: string }[];
}

export interface PublishInput {
  site: PublishSite;
  sources: PublishSource[];
  outputs: PublishOutput[];
  outputDir: string;
  generator: string;
  /** The mirror directory as a format-free map, for mirrors.json. */
  mirrorMap?: MirrorMapInput;
}

export interface ArticleReader {
  listArticles(query: ArticleQuery): Promise<StoredArticle[]>;
}

export interface PublishReport {
  written: string[];
  unchanged: number;
}

/** The number of seed pages is not capped by any output's limit: every stored seed article keeps its page. */
const ALL_PAGES = 1_000_000;

type Write = (relative: string, content: string) => Promise<void>;

/** Every output, variant and page, once per site copy (the canonical site and each mirror). */
export async function publishOutputs(input: PublishInput, store: ArticleReader): Promise<PublishReport> {
  const report: PublishReport = { written: [], unchanged: 0 };
  await removeStaleTempFiles(input.outputDir);
  const write: Write = async (relative, content) => {
    if (await writeFileAtomic(path.join(input.outputDir, relative), content)) report.written.push(relative);
    else report.unchanged++;
  };
  const copies = siteCopies(input.site.url, input.site.mirrors);
  for (const output of input.outputs) {
    const articles = await store.listArticles({ sourceIds: resolveSourceIds(output.sources, input.sources), limit: output.limit });
    for (const copy of copies) await publishOutput(input, output, articles, copy, copies, write);
  }
  const seedArticles = await listSeedArticles(input, store);
  const mirrorMap = renderMirrorMap(input.mirrorMap ?? { hosts: [] }, seedArticles, copies);
  for (const copy of copies) {
    await publishSeedPages(input, seedArticles, copy, write);
    await write(`${copy.dir}mirrors.json`, mirrorMap);
  }
  return report;
}

async function publishOutput(input: PublishInput, output: PublishOutput, articles: StoredArticle[], copy: SiteCopy, copies: SiteCopy[], write: Write) {
  const policy: LinkPolicy = copy.isCanonical ? { kind: 'canonical' } : { kind: 'site-copy', host: copy.host };
  const targets = [
    { path: `${output.id}/`, policy },
    ...(output.variants ?? []).map((v) => ({ path: `${output.id}/${v.id}/`, policy: { kind: 'variant', mirrorKind: v.kind } as LinkPolicy })),
  ];
  for (const target of targets) {
    const view = buildFeedView(input, output, articles, { copy, copies, path: target.path, policy: target.policy });
    for (const format of output.formats) await write(`${copy.dir}${target.path}${FEED_FILES[format]}`, RENDERERS[format](view));
  }
}

const RENDERERS: Record<FeedFormat, (view: FeedView) => string> = { rss: renderRss, atom: renderAtom, json: renderJson };

/** "*" is every source; anything else is a source id or a tag. */
export function resolveSourceIds(refs: string[], sources: PublishSource[]): string[] | undefined {
  if (refs.includes('*')) return undefined;
  return sources.filter((s) => refs.includes(s.id) || s.tags.some((tag) => refs.includes(tag))).map((s) => s.id);
}

export interface ViewTarget {
  copy: SiteCopy;
  copies: SiteCopy[];
  /** Folder of the feed files inside a copy: "all/" or "all/onion/". */
  path: string;
  policy: LinkPolicy;
}

export function buildFeedView(input: PublishInput, output: PublishOutput, articles: StoredArticle[], target: ViewTarget): FeedView {
  const sources = new Map(input.sources.map((s) => [s.id, s]));
  const canonical = target.copies[0]!;
  return {
    outputId: output.id,
    // One feed, one identity: every site copy shares the canonical id (a variant is its own feed).
    feedId: feedUrls(canonical.base, target.path).atom,
    title: output.title,
    description: output.description ?? input.site.description ?? null,
    language: input.site.language ?? null,
    homeUrl: target.copy.base,
    selfUrls: feedUrls(target.copy.base, target.path),
    copies: target.copies.filter((c) => c !== target.copy).map((c) => ({ url: feedUrls(c.base, target.path), kind: c.kind })),
    updated: articles.reduce((max, a) => (itemUpdated(a) > max ? itemUpdated(a) : max), EMPTY_FEED_UPDATED),
    author: input.site.title,
    generator: input.generator,
    items: articles.map((article): ItemView => {
      const source = sources.get(article.sourceId);
      const links = resolveLinks(article, target.policy);
      return {
        article,
        link: links.link,
        mirrors: links.duplicates,
        contentHtml: links.contentHtml,
        images: links.images,
        enclosures: links.enclosures,
        source: { id: article.sourceId, title: source?.title ?? article.sourceId, url: source?.kind === 'feed' ? source.url ?? null : null },
      };
    }),
  };
}

function feedUrls(base: string, folder: string): Record<FeedFormat, string> {
  const url = (file: string) => new URL(`${folder}${file}`, base).href;
  return { rss: url(FEED_FILES.rss), atom: url(FEED_FILES.atom), json: url(FEED_FILES.json) };
}

async function listSeedArticles(input: PublishInput, store: ArticleReader): Promise<StoredArticle[]> {
  const seedSources = input.sources.filter((s) => s.kind === 'seeds').map((s) => s.id);
  if (seedSources.length === 0) return [];
  return (await store.listArticles({ sourceIds: seedSources, limit: ALL_PAGES })).filter((a) => a.kind === 'seed');
}

async function publishSeedPages(input: PublishInput, articles: StoredArticle[], copy: SiteCopy, write: Write) {
  const policy: LinkPolicy = copy.isCanonical ? { kind: 'canonical' } : { kind: 'site-copy', host: copy.host };
  for (const article of articles) {
    const { duplicates } = resolveLinks(article, policy);
    const page = renderArticlePage(article, { siteTitle: input.site.title, homeHref: '../', mirrors: duplicates });
    await write(`${copy.dir}${seedPagePath(article.id)}`, page);
  }
}
