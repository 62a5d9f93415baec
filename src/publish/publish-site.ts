import path from 'node:path';
import type { StoredArticle } from '../model/article.js';
import type { OutputSelection } from '../model/output-selection.js';
import { seedPagePath } from '../lib/site-paths.js';
import { writeFileAtomic, type FileText } from '../lib/atomic-write.js';
import { newestItemDate } from './feed-view.js';
import { CSS_FILE, STYLESHEET_FILE } from './feed-targets.js';
import { FEED_CSS, FEED_STYLESHEET } from './feed-stylesheet.js';
import { resolveLinks } from './link-policy.js';
import type { PublishInput, PublishOutput } from './publish-types.js';
import { renderIndexPage, type OutputSummary } from './render-index.js';
import { renderMirrorMap } from './render-mirror-map.js';
import { renderOpml } from './render-opml.js';
import { renderArticlePage } from './render-page.js';
import { siteCopies, type SiteCopy } from './site-copies.js';

/** What the index page says of one output. */
export function summarizeOutput(output: PublishOutput, selection: OutputSelection): OutputSummary {
  return { output, items: selection.current.length, archivePages: selection.pages.length, updated: newestItemDate(selection.current) };
}

export interface SiteFiles {
  input: PublishInput;
  copy: SiteCopy;
  copies: SiteCopy[];
  seedArticles: StoredArticle[];
  summaries: OutputSummary[];
  /** Writes one file (path relative to outputDir) when its bytes changed. */
  write(relative: string, content: FileText): Promise<void>;
}

/** The site-wide files of one site copy: seed article pages, mirrors.json, the feed stylesheet, sources.opml, index.html last. */
export async function writeSiteFiles({ input, copy, copies, seedArticles, summaries, write }: SiteFiles): Promise<void> {
  const policy = copy.isCanonical ? ({ kind: 'canonical' } as const) : ({ kind: 'site-copy', host: copy.host } as const);
  for (const article of seedArticles) {
    const { duplicates } = resolveLinks(article, policy);
    await write(`${copy.dir}${seedPagePath(article.id)}`, renderArticlePage(article, { siteTitle: input.site.title, homeHref: '../', mirrors: duplicates }));
  }
  await write(`${copy.dir}mirrors.json`, renderMirrorMap(input.mirrorMap ?? { hosts: [] }, seedArticles, copies));
  await write(`${copy.dir}${STYLESHEET_FILE}`, FEED_STYLESHEET);
  await write(`${copy.dir}${CSS_FILE}`, FEED_CSS);
  await write(`${copy.dir}sources.opml`, renderOpml(input, copy));
  await write(`${copy.dir}index.html`, renderIndexPage({ input, copy, copies, outputs: summaries, seedArticles }));
}

/**
 * Only the site-wide files, for every site copy, each written atomically and only when its bytes
 * changed (so a second call with the same store writes nothing); the files written, relative to outputDir.
 */
export async function publishSite(input: PublishInput, plan: { selections: Map<string, OutputSelection>; seedArticles: StoredArticle[] }): Promise<string[]> {
  const copies = siteCopies(input.site.url, input.site.mirrors);
  const summaries = input.outputs.map((output) => summarizeOutput(output, plan.selections.get(output.id)!));
  const written: string[] = [];
  const write = async (relative: string, content: FileText) => {
    if (await writeFileAtomic(path.join(input.outputDir, relative), content)) written.push(relative);
  };
  for (const copy of copies) await writeSiteFiles({ input, copy, copies, seedArticles: plan.seedArticles, summaries, write });
  return written.sort();
}
