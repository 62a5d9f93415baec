import path from 'node:path';
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
import { commitFile, discardFile, removeStaleTempFiles, stageFile, type FileText, type StagedFile } from '../lib/atomic-write.js';

export type { PublishInput, PublishOutput, PublishParts, PublishPlan, PublishReport, PublishResult, PublishSite, PublishSource, SourceHealth } from './publish-types.js';

const EVERY_PART: PublishParts = { outputs: true, siteFiles: true, sweepTempFiles: true };

const RENDERERS: Record<FeedFormat, (view: FeedView) => FileText> = { rss: renderRss, atom: renderAtom, json: renderJson };

/**
 * A publish changes the files on disk at its end, all together, or not at all. Each new file is
 * staged (written and fsynced under a temp name) as soon as it is rendered, a few at a time, while
 * the next one renders; `commit` then renames them into place. A failed write stops the publish
 * and removes what was staged, so every previous file stays as it was.
 */
const PARALLEL_WRITES = 8;
/** Renames are cheap; a few at a time still beats one round trip to the thread pool per file. */
const PARALLEL_RENAMES = 32;

interface Writer {
  /** Stages the file when its bytes differ. */
  write(relative: string, content: FileText, url?: string): Promise<void>;
  /** Stages only a file that does not exist yet (archive pages never change). */
  writeOnce(relative: string, content: () => FileText): Promise<void>;
  /** Waits for every staged write, then renames them into place; on a failure throws it and changes no file. */
  commit(): Promise<void>;
  /** Removes whatever was staged: the publish failed elsewhere. */
  discard(): Promise<void>;
}

interface Staged {
  relative: string;
  file: StagedFile;
  url: string | undefined;
  isArchivePage: boolean;
}

/**
 * Every output (current document, variants, archive pages) and every site file, once per site
 * copy; or only the parts the plan names (see PublishParts).
 */
export async function publishOutputs(input: PublishInput, plan: PublishPlan): Promise<PublishResult> {
  const parts = plan.parts ?? EVERY_PART;
  const report: PublishReport = { written: [], unchanged: 0, changedFeeds: [] };
  if (parts.sweepTempFiles) await removeStaleTempFiles(input.outputDir);
  const writer = createWriter(input.outputDir, report);
  const copies = siteCopies(input.site.url, input.site.mirrors);
  const summaries: OutputSummary[] = parts.outputs ? [] : (plan.summaries ?? []);
  const manifest = previousManifest(plan.manifest, input.outputDir);
  const next: PublishManifest = { ...manifest, outputs: {} };
  const rendered: { id: string; fingerprint: string; files: string[] }[] = [];
  const site = siteFingerprint(input);
  try {
    for (const output of parts.outputs ? input.outputs : []) {
      const selection = plan.selections.get(output.id)!;
      const fingerprint = outputFingerprint(site, output, selection);
      const files = [...currentFeedFiles(output, copies), ...outputPageFiles(output, copies)];
      const previous = manifest.outputs[output.id];
      const upToDate = await isUpToDate(input.outputDir, previous, fingerprint, files);
      if (upToDate) {
        next.outputs[output.id] = previous!;
        report.unchanged += files.length;
      } else rendered.push({ id: output.id, fingerprint, files });
      for (const copy of copies) await publishOutput({ input, output, selection, copy, copies, writer, readArticles: plan.readArticles }, !upToDate);
      summaries.push(summarizeOutput(output, selection));
    }
    if (parts.siteFiles) for (const copy of copies) await writeSiteFiles({ input, copy, copies, seedArticles: plan.seedArticles, summaries, write: (relative, content) => writer.write(relative, content) });
  } catch (error) {
    await writer.discard();
    throw error;
  }
  await writer.commit();
  // Only now, with every file in place: a failed publish leaves the previous manifest.
  for (const { id, fingerprint, files } of rendered) {
    const record = await stampOutputFiles(input.outputDir, fingerprint, files);
    if (record) next.outputs[id] = record;
  }
  const changed = rendered.length > 0 || Object.keys(next.outputs).length !== Object.keys(manifest.outputs).length || plan.manifest === null;
  return { report, manifest: changed ? next : null, summaries };
}

function createWriter(outputDir: string, report: PublishReport): Writer {
  const pending = new Set<Promise<void>>();
  const staged: Staged[] = [];
  let failure: unknown = null;
  const start = async (task: () => Promise<void>) => {
    while (pending.size >= PARALLEL_WRITES) await Promise.race(pending);
    // Stops the publish at the next file once one failed: nothing after it would be kept.
    if (failure) throw failure;
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => pending.delete(running));
    pending.add(running);
  };
  const stage = (relative: string, content: FileText, isArchivePage: boolean, url?: string) =>
    start(async () => {
      const file = await stageFile(path.join(outputDir, relative), content);
      if (file) staged.push({ relative, file, url, isArchivePage });
      else report.unchanged++;
    });
  const discard = async () => {
    await Promise.allSettled(pending);
    await Promise.all(staged.splice(0).map(({ file }) => discardFile(file)));
  };
  return {
    write: (relative, content, url) => stage(relative, content, false, url),
    async writeOnce(relative, content) {
      if (await fileExists(path.join(outputDir, relative))) {
        report.unchanged++;
        return;
      }
      await stage(relative, content(), true);
    },
    async commit() {
      await Promise.allSettled(pending);
      if (failure) {
        await discard();
        throw failure;
      }
      // Archive pages first (a stable sort), never in one batch with the documents that link them.
      staged.sort((x, y) => Number(y.isArchivePage) - Number(x.isArchivePage));
      while (staged.length > 0) {
        const otherKind = staged.findIndex((s) => s.isArchivePage !== staged[0]!.isArchivePage);
        const batch = staged.splice(0, Math.min(PARALLEL_RENAMES, otherKind === -1 ? staged.length : otherKind));
        const results = await Promise.allSettled(batch.map(({ file }) => commitFile(file)));
        batch.forEach(({ relative, url }, i) => {
          if (results[i]!.status !== 'fulfilled') return;
          report.written.push(relative);
          if (url) report.changedFeeds.push(url);
        });
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) {
          await discard();
          throw failed.reason;
        }
      }
      // Renames finish in any order; the report should not.
      report.written.sort();
      report.changedFeeds.sort();
    },
    discard,
  };
}

/** What publishing one output in one site copy works with. */
interface OutputJob {
  input: PublishInput;
  output: PublishOutput;
  selection: OutputSelection;
  copy: SiteCopy;
  copies: SiteCopy[];
  writer: Writer;
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
  for (const format of output.formats) await writer.write(feedFile(copy, folder, format), RENDERERS[format](view), view.selfUrls[format]);
  const page = currentPageContext(input, output, copy, folder, selection.pages.map((p) => p.page));
  await writer.write(`${copy.dir}${outputPageFile(folder)}`, renderOutputPage(view, page));
}

/** Pages sealed now are written now; older ones only if missing (a new copy or variant, or a file new in this version). */
async function archivePagesToWrite({ input, output, selection, copy }: OutputJob, folder: string): Promise<OutputSelection['pages']> {
  const newest = selection.pages.at(-1)?.page ?? null;
  if (newest === null) return selection.sealed;
  const newestFiles = [feedFile(copy, archivePath(folder, newest), output.formats[0]!), `${copy.dir}${outputPageFile(archivePath(folder, newest))}`];
  for (const file of newestFiles) if (!(await fileExists(path.join(input.outputDir, file)))) return selection.pages;
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
  for (const format of output.formats) await writer.writeOnce(feedFile(copy, pageFolder, format), () => RENDERERS[format](view));
  await writer.writeOnce(`${copy.dir}${outputPageFile(pageFolder)}`, () => renderOutputPage(view, archivePageContext(input, output, folder, page.page)));
}
