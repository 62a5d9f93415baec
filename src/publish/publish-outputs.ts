import { fileExists } from '../lib/file-access.js';
import { type FeedFormat, type FeedHistory, type FeedView } from './feed-view.js';
import { archivePath, buildFeedView, currentFeedFiles, feedFile, feedUrls, outputTargets, type ViewTarget } from './feed-targets.js';
import type { LinkPolicy } from './link-policy.js';
import type { PublishInput, PublishOutput, PublishParts, PublishPlan, PublishReport, PublishResult } from './publish-types.js';
import { renderAtom } from './render-atom.js';
import type { OutputSummary } from './render-index.js';
import { renderJson } from './render-json.js';
import { outputPageFile, renderOutputPage } from './render-output-page.js';
import { archivePageContext, currentPageContext, outputPageFiles } from './output-page-links.js';
import { renderRss } from './render-rss.js';
import { isUpToDate, outputFingerprint, previousManifest, siteFingerprint, stampOutputFiles, type PublishManifest } from './output-manifest.js';
import type { OutputSelection } from '../model/output-selection.js';
import { siteCopies, type SiteCopy } from './site-copies.js';
import { summarizeOutput, writeSiteFiles } from './publish-site.js';
import type { FileText } from '../lib/atomic-write.js';
import { createWriter, RANK, type Writer } from './output-writer.js';
import type { PublishTarget } from './publish-target.js';

export type { PublishInput, PublishOutput, PublishParts, PublishPlan, PublishReport, PublishResult, PublishSite, PublishSource, SourceHealth } from './publish-types.js';

const EVERY_PART: PublishParts = { outputs: true, siteFiles: true, sweepTempFiles: true };

const RENDERERS: Record<FeedFormat, (view: FeedView) => FileText> = { rss: renderRss, atom: renderAtom, json: renderJson };

/**
 * Every output (current document, variants, archive pages) and every site file, once per site
 * copy, or only the parts the plan names (see PublishParts), written to `plan.target`. On a folder the files change at the end of the publish, all
 * together, or not at all (output-writer.ts); on S3, in the order that leaves no link dangling,
 * and a file that cannot be written is answered in `failures` with the rest of the publish done.
 */
export async function publishOutputs(input: PublishInput, plan: PublishPlan): Promise<PublishResult> {
  const { target } = plan;
  const parts = plan.parts ?? EVERY_PART;
  const report: PublishReport = { written: [], unchanged: 0, changedFeeds: [] };
  if (parts.sweepTempFiles) await target.prepare();
  const writer = createWriter(target, report);
  const copies = siteCopies(input.site.url, input.site.mirrors);
  const summaries: OutputSummary[] = parts.outputs ? [] : (plan.summaries ?? []);
  const manifest = previousManifest(plan.manifest, target.name);
  const next: PublishManifest = { ...manifest, outputs: {} };
  const rendered: { id: string; fingerprint: string; files: string[] }[] = [];
  const site = siteFingerprint(input);
  try {
    for (const output of parts.outputs ? input.outputs : []) {
      const selection = plan.selections.get(output.id)!;
      const fingerprint = outputFingerprint(site, output, selection);
      const files = [...currentFeedFiles(output, copies), ...outputPageFiles(output, copies)];
      const previous = manifest.outputs[output.id];
      const upToDate = await isUpToDate(target, previous, fingerprint, files);
      if (upToDate) {
        next.outputs[output.id] = previous!;
        report.unchanged += files.length;
      } else rendered.push({ id: output.id, fingerprint, files });
      for (const copy of copies) await publishOutput({ input, output, selection, copy, copies, writer, target, readArticles: plan.readArticles }, !upToDate);
      summaries.push(summarizeOutput(output, selection));
    }
    if (parts.siteFiles) for (const copy of copies) await writeSiteFiles({ input, copy, copies, seedArticles: plan.seedArticles, summaries, write: (relative, content) => writer.write({ relative, rank: RANK.site, output: null }, content) });
  } catch (error) {
    await writer.discard();
    throw error;
  }
  const { failures, heldBack } = await writer.commit();
  // Only now, with the files in place: a failed publish, or an output with a file missing, is rendered again next time.
  const failed = new Set(failures.map((f) => f.output));
  for (const { id, fingerprint, files } of rendered) {
    const record = failed.has(id) ? null : await stampOutputFiles(target, fingerprint, files);
    if (record) next.outputs[id] = record;
  }
  const changed = rendered.length > 0 || Object.keys(next.outputs).length !== Object.keys(manifest.outputs).length || plan.manifest === null;
  return { report, manifest: changed ? next : null, summaries, failures, heldBack };
}

/** What publishing one output in one site copy works with. */
interface OutputJob {
  input: PublishInput;
  output: PublishOutput;
  selection: OutputSelection;
  copy: SiteCopy;
  copies: SiteCopy[];
  writer: Writer;
  target: PublishTarget;
  readArticles: PublishPlan['readArticles'];
}

/** One output in one site copy: its subscription documents and pages (unless up to date) and its archive pages. */
async function publishOutput(job: OutputJob, renderCurrent: boolean) {
  for (const target of outputTargets(job.output, job.copy)) {
    if (renderCurrent) await publishCurrent(job, target);
    for (const page of await archivePagesToWrite(job, target.path)) await publishArchivePage(job, target, page);
  }
}

async function publishCurrent({ input, output, selection, copy, copies, writer }: OutputJob, { path: folder, policy }: { path: string; policy: LinkPolicy }) {
  const newest = selection.pages.at(-1)?.page ?? null;
  const history: FeedHistory = { isArchive: false, complete: selection.complete, prevArchive: newest ? feedUrls(copy.base, archivePath(folder, newest)) : null, current: null };
  const view = buildFeedView(input, output, selection.current, { copy, copies, path: folder, currentPath: folder, policy, history });
  const file = (relative: string, url?: string) => ({ relative, rank: RANK.output, output: output.id, url });
  for (const format of output.formats) await writer.write(file(feedFile(copy, folder, format), view.selfUrls[format]), RENDERERS[format](view));
  const page = currentPageContext(input, output, copy, folder, selection.pages.map((p) => p.page));
  await writer.write(file(`${copy.dir}${outputPageFile(folder)}`), renderOutputPage(view, page));
}

/**
 * Pages sealed now are written now; older ones only if missing (a new copy or variant, or a file
 * new in this version). On disk only the newest page is looked at; a target that knows every file
 * without I/O (S3's recorded hashes) checks each page, so one that failed to go up is written again.
 */
async function archivePagesToWrite({ output, selection, copy, target }: OutputJob, folder: string): Promise<OutputSelection['pages']> {
  const pageFiles = (page: number) => output.formats.map((format) => feedFile(copy, archivePath(folder, page), format)).concat(`${copy.dir}${outputPageFile(archivePath(folder, page))}`);
  const isMissing = async (page: number) => {
    for (const file of pageFiles(page)) if (!(await target.exists(file))) return true;
    return false;
  };
  if (target.knowsEveryFile) {
    const missing: OutputSelection['pages'] = [];
    for (const page of selection.pages) if (await isMissing(page.page)) missing.push(page);
    return missing;
  }
  const newest = selection.pages.at(-1)?.page ?? null;
  if (newest === null) return selection.sealed;
  const newestFiles = [feedFile(copy, archivePath(folder, newest), output.formats[0]!), `${copy.dir}${outputPageFile(archivePath(folder, newest))}`];
  for (const file of newestFiles) if (!(await target.exists(file))) return selection.pages;
  return selection.sealed;
}

async function publishArchivePage(job: OutputJob, { path: folder, policy }: { path: string; policy: LinkPolicy }, page: OutputSelection['pages'][number]) {
  const { input, output, selection, copy, copies, writer, readArticles } = job;
  const loaded = page.articleIds.map((id) => selection.sealedArticles.get(id));
  const articles = loaded.every((a) => a !== undefined) ? loaded : await readArticles(page.articleIds);
  const pageFolder = archivePath(folder, page.page);
  const history: FeedHistory = {
    isArchive: true,
    complete: false,
    prevArchive: page.page > 1 ? feedUrls(copy.base, archivePath(folder, page.page - 1)) : null,
    current: feedUrls(copy.base, folder),
  };
  const target: ViewTarget = { copy, copies, path: pageFolder, currentPath: folder, policy, history };
  const view = buildFeedView(input, output, articles, target);
  const file = (relative: string) => ({ relative, rank: RANK.archive, output: output.id });
  for (const format of output.formats) await writer.writeOnce(file(feedFile(copy, pageFolder, format)), () => RENDERERS[format](view));
  await writer.writeOnce(file(`${copy.dir}${outputPageFile(pageFolder)}`), () => renderOutputPage(view, archivePageContext(input, output, folder, page.page)));
}
