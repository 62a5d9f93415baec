import type { FileText } from '../lib/atomic-write.js';
import type { PublishReport } from './publish-types.js';
import type { PublishTarget, StagedWrite } from './publish-target.js';
import { S3WriteError } from './s3-errors.js';
import { FeedmirrorError } from '../model/errors.js';

/**
 * What a file is, for the order files land in: archive pages first (nothing links them until the
 * documents do), then each output's documents and pages, then the site files (index.html, OPML,
 * seed pages) that link the outputs. A reader never follows a link to a file not there yet.
 */
export const RANK = { archive: 0, output: 1, site: 2 } as const;
export type Rank = (typeof RANK)[keyof typeof RANK];

/** One file of a publish: where it goes, its rank, the output it belongs to (null: a site file), its feed URL. */
export interface PlannedFile {
  relative: string;
  rank: Rank;
  output: string | null;
  url?: string | undefined;
}

/** A file a non-atomic target could not take; the files of its output that would link it were held back. */
export interface WriteFailure {
  relative: string;
  output: string | null;
  error: Error;
}

export interface Writer {
  /** Stages the file when its bytes differ. */
  write(file: PlannedFile, content: FileText): Promise<void>;
  /** Stages only a file that is not there yet (archive pages never change). */
  writeOnce(file: PlannedFile, content: () => FileText): Promise<void>;
  /**
   * Waits for every staged write, then lands them rank by rank. An atomic target: a failure throws
   * and changes no file. Otherwise the failures are answered, with the outputs they touched.
   */
  commit(): Promise<{ failures: WriteFailure[]; heldBack: number }>;
  /** Lets go of whatever was staged: the publish failed elsewhere. */
  discard(): Promise<void>;
}

/**
 * Files are staged (rendered and written under a temp name, or hashed) a few at a time while the
 * next one renders. On a target that lands files one by one, archive pages go up as soon as they
 * are staged, so a large first publish never holds them all in memory.
 */
const PARALLEL_WRITES = 8;
/** Renames are cheap; a few at a time still beats one round trip to the thread pool per file. */
const PARALLEL_COMMITS = 32;

interface Staged extends PlannedFile {
  write: StagedWrite;
}

export function createWriter(target: PublishTarget, report: PublishReport): Writer {
  const pending = new Set<Promise<void>>();
  const staged: Staged[] = [];
  const landing = landingState(target, report);
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
  const stage = (file: PlannedFile, content: FileText) =>
    start(async () => {
      const write = await target.stage(file.relative, content);
      if (!write) report.unchanged++;
      else if (!target.isAtomic && file.rank === RANK.archive) await landing.land([{ ...file, write }]);
      else staged.push({ ...file, write });
    });
  const discard = async () => {
    await Promise.allSettled(pending);
    await Promise.all(staged.splice(0).map(({ write }) => write.discard()));
  };
  return {
    write: stage,
    async writeOnce(file, content) {
      if (await target.exists(file.relative)) {
        report.unchanged++;
        return;
      }
      await stage(file, content());
    },
    async commit() {
      await Promise.allSettled(pending);
      if (failure) {
        await discard();
        throw failure;
      }
      staged.sort((x, y) => x.rank - y.rank);
      while (staged.length > 0) {
        const otherRank = staged.findIndex((s) => s.rank !== staged[0]!.rank);
        const batch = staged.splice(0, Math.min(PARALLEL_COMMITS, otherRank === -1 ? staged.length : otherRank));
        try {
          await landing.land(batch);
        } catch (error) {
          await discard();
          throw error;
        }
      }
      // Files land in any order; the report should not.
      report.written.sort();
      report.changedFeeds.sort();
      return { failures: landing.failures, heldBack: landing.heldBack };
    },
    discard,
  };
}

/**
 * Lands batches of staged files. On an atomic target the first failure is thrown. Otherwise a
 * failure is kept and the publish goes on: a file of an output that already failed is held back
 * (it may link the file that is missing), and after a failure no key of the target can take
 * (no bucket, no connection, bad credentials) nothing more is tried.
 */
function landingState(target: PublishTarget, report: PublishReport) {
  const state = { failures: [] as WriteFailure[], heldBack: 0, failedOutputs: new Set<string>(), targetDown: false };
  const isHeldBack = (file: Staged) => state.targetDown || (file.output !== null && state.failedOutputs.has(file.output));
  return {
    get failures() {
      return state.failures;
    },
    get heldBack() {
      return state.heldBack;
    },
    async land(batch: Staged[]) {
      const ready = batch.filter((file) => !isHeldBack(file));
      state.heldBack += batch.length - ready.length;
      const results = await Promise.allSettled(ready.map(({ write }) => write.commit()));
      ready.forEach((file, i) => {
        const result = results[i]!;
        if (result.status === 'fulfilled') {
          report.written.push(file.relative);
          if (file.url) report.changedFeeds.push(file.url);
          return;
        }
        if (target.isAtomic) return;
        // A target's commit throws its own errors (S3WriteError); anything else is still a failure of this file.
        const error = result.reason instanceof Error ? result.reason : new FeedmirrorError('FM_PUBLISH', `${target.name}: ${file.relative}: ${String(result.reason)}`);
        state.failures.push({ relative: file.relative, output: file.output, error });
        if (file.output !== null) state.failedOutputs.add(file.output);
        if (error instanceof S3WriteError && error.isTargetWide) state.targetDown = true;
      });
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed && target.isAtomic) throw failed.reason;
    },
  };
}
