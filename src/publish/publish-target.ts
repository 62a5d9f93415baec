import type { FileText } from '../lib/atomic-write.js';

/**
 * Where a publish writes: a folder (temp file + rename, folder-target.ts) or an S3 bucket (one PUT
 * per file, s3-target.ts). Paths are relative to the output tree ("all/rss.xml"), "/"-separated.
 */
export interface PublishTarget {
  /** How messages name it: the folder's path, or "s3://bucket/prefix". */
  readonly name: string;
  /**
   * true: every file of a publish lands at its end, or none does (a folder's renames). false: files
   * go up one by one (S3 has no write across keys), so the writer orders them and carries on past
   * a failed one where that leaves no link dangling.
   */
  readonly isAtomic: boolean;
  /** true: `exists` answers from memory (S3's recorded hashes), so checking every file costs no I/O. */
  readonly knowsEveryFile: boolean;
  /**
   * Before a publish: a folder removes the temp files a killed run left; with `olderThanMs`, only
   * those last written that long ago (a shared folder: younger ones may be a live worker's).
   */
  prepare(olderThanMs?: number): Promise<void>;
  /** Whether the file is there (a folder: on disk; S3: a PUT recorded in the store). */
  exists(relative: string): Promise<boolean>;
  /** What tells the file as it was left (a folder: size, mtime and inode; S3: the sha256 PUT); null when absent. */
  stamp(relative: string): Promise<string | null>;
  /** Makes the new bytes ready to land; null when the file already holds exactly these bytes. */
  stage(relative: string, content: FileText): Promise<StagedWrite | null>;
}

/** New bytes ready to land at one path. */
export interface StagedWrite {
  relative: string;
  /** Puts the bytes in place; throws (code FM_PUBLISH or FM_S3) and leaves the old file when it cannot. */
  commit(): Promise<void>;
  /** Lets go of the staged bytes: the publish failed elsewhere. */
  discard(): Promise<void>;
}
