import path from 'node:path';
import type { StoredArticle } from '../model/article.js';
import type { ArticleQuery } from '../store/store.js';
import { mirrorBase, mirrorKind } from '../lib/mirror-hosts.js';
import { seedPagePath } from '../lib/site-paths.js';
import { EMPTY_FEED_UPDATED, FEED_FILES, itemUpdated, type FeedFormat, type FeedView, type ItemView } from './feed-view.js';
import { renderAtom } from './render-atom.js';
import { renderJson } from './render-json.js';
import { renderArticlePage } from './render-page.js';
import { renderRss } from './render-rss.js';
import { removeStaleTempFiles, writeFileAtomic } from './write-files.js';

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
}

export interface PublishInput {
  site: PublishSite;
  sources: PublishSource[];
  outputs: PublishOutput[];
  outputDir: string;
  generator: string;
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

export async function publishOutputs(input: PublishInput, store: ArticleReader): Promise<PublishReport> {
  const report: PublishReport = { written: [], unchanged: 0 };
  await removeStaleTempFiles(input.outputDir);
  const write = async (relative: string, content: string) => {
    if (await writeFileAtomic(path.join(input.outputDir, relative), content)) report.written.push(relative);
    else report.unchanged++;
  };
  for (const output of input.outputs) {
    const articles = await store.listArticles({ sourceIds: resolveSourceIds(output.sources, input.sources), limit: output.limit });
    const view = buildFeedView(input, output, articles);
    for (const format of output.formats) await write(`${output.id}/${FEED_FILES[format]}`, RENDERERS[format](view));
  }
  await publishSeedPages(input, store, write);
  return report;
}

const RENDERERS: Record<FeedFormat, (view: FeedView) => string> = { rss: renderRss, atom: renderAtom, json: renderJson };

/** "*" is every source; anything else is a source id or a tag. */
export function resolveSourceIds(refs: string[], sources: PublishSource[]): string[] | undefined {
  if (refs.includes('*')) return undefined;
  return sources.filter((s) => refs.includes(s.id) || s.tags.some((tag) => refs.includes(tag))).map((s) => s.id);
}

export function buildFeedView(input: PublishInput, output: PublishOutput, articles: StoredArticle[]): FeedView {
  const selfUrls = feedUrls(input.site.url, output.id);
  const sources = new Map(input.sources.map((s) => [s.id, s]));
  return {
    outputId: output.id,
    feedId: selfUrls.atom,
    title: output.title,
    description: output.description ?? input.site.description ?? null,
    language: input.site.language ?? null,
    homeUrl: input.site.url,
    selfUrls,
    copies: input.site.mirrors.flatMap((spec) => {
      const base = mirrorBase(spec);
      return base ? [{ url: feedUrls(base.href, output.id), kind: mirrorKind(base) }] : [];
    }),
    updated: articles.reduce((max, a) => (itemUpdated(a) > max ? itemUpdated(a) : max), EMPTY_FEED_UPDATED),
    author: input.site.title,
    generator: input.generator,
    items: articles.map((article): ItemView => {
      const source = sources.get(article.sourceId);
      return {
        article,
        link: article.url,
        mirrors: article.mirrors,
        source: { id: article.sourceId, title: source?.title ?? article.sourceId, url: source?.kind === 'feed' ? source.url ?? null : null },
      };
    }),
  };
}

function feedUrls(base: string, outputId: string): Record<FeedFormat, string> {
  const url = (file: string) => new URL(`${outputId}/${file}`, base).href;
  return { rss: url(FEED_FILES.rss), atom: url(FEED_FILES.atom), json: url(FEED_FILES.json) };
}

async function publishSeedPages(input: PublishInput, store: ArticleReader, write: (relative: string, content: string) => Promise<void>) {
  const seedSources = input.sources.filter((s) => s.kind === 'seeds').map((s) => s.id);
  if (seedSources.length === 0) return;
  const articles = await store.listArticles({ sourceIds: seedSources, limit: ALL_PAGES });
  for (const article of articles.filter((a) => a.kind === 'seed')) {
    const page = renderArticlePage(article, { siteTitle: input.site.title, homeHref: '../', mirrors: article.mirrors });
    await write(seedPagePath(article.id), page);
  }
}

