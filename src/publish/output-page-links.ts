import { archivePath, outputTargets } from './feed-targets.js';
import type { PublishInput, PublishOutput } from './publish-types.js';
import { outputPageFile, type OutputPageContext, type PageLink } from './render-output-page.js';
import type { SiteCopy } from './site-copies.js';

/**
 * What each web page of an output links besides its items: the other versions of the feed (main
 * and variants) and its archive pages. Folders are those of one site copy; pages link them
 * relatively, so each copy's pages stay on that copy.
 */

/** The page of the subscription document in `folder` (the main feed or a variant). */
export function currentPageContext(input: PublishInput, output: PublishOutput, copy: SiteCopy, folder: string, archivePages: number[]): OutputPageContext {
  return {
    siteTitle: input.site.title,
    folder,
    formats: output.formats,
    versions: versionsOf(output, copy, folder),
    current: null,
    archives: [...archivePages].sort((a, b) => b - a).map((n) => archiveLink(folder, n)),
  };
}

/** An archive page's page: sealed like the feed files beside it, it links only what never goes away (the feed, older pages). */
export function archivePageContext(input: PublishInput, output: PublishOutput, folder: string, page: number): OutputPageContext {
  return {
    siteTitle: input.site.title,
    folder: archivePath(folder, page),
    formats: output.formats,
    versions: [],
    current: { label: output.title, folder },
    archives: Array.from({ length: page - 1 }, (_, i) => archiveLink(folder, page - 1 - i)),
  };
}

/** The page of each feed folder of an output (main and variants), in every site copy. */
export function outputPageFiles(output: PublishOutput, copies: SiteCopy[]): string[] {
  return copies.flatMap((copy) => outputTargets(output, copy).map(({ path: folder }) => `${copy.dir}${outputPageFile(folder)}`));
}

function versionsOf(output: PublishOutput, copy: SiteCopy, folder: string): PageLink[] {
  const labels = new Map([[`${output.id}/`, 'original links'], ...(output.variants ?? []).map((v) => [`${output.id}/${v.id}/`, `${v.kind} mirrors (${v.id})`] as const)]);
  return outputTargets(output, copy)
    .filter((t) => t.path !== folder)
    .map((t) => ({ label: labels.get(t.path) ?? t.path, folder: t.path }));
}

function archiveLink(folder: string, page: number): PageLink {
  return { label: `page ${page}`, folder: archivePath(folder, page) };
}
