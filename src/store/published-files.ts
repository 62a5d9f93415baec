/**
 * What an object-store target holds: the sha256 of each file last written there, by its path in
 * the output tree, so a publish PUTs only the files whose bytes changed (a folder target compares
 * with the file on disk instead). A target is named by where it is (endpoint, bucket, prefix): the
 * hashes of one bucket say nothing about another.
 */
export interface PublishedFileStore {
  /** path → sha256 of every file recorded for the target; empty when none is. */
  getPublishedFiles(target: string): Promise<Map<string, string>>;
  /** Records files written to the target (path → sha256), in one transaction; others stay as they were. */
  savePublishedFiles(target: string, files: Map<string, string>): Promise<void>;
}
