import path from 'node:path';
import { commitFile, discardFile, removeStaleTempFiles, stageFile } from '../lib/atomic-write.js';
import { fileExists, fileStamp } from '../lib/file-access.js';
import type { PublishTarget } from './publish-target.js';

/** The output folder: each file staged under a temp name and renamed into place when the publish commits. */
export function folderTarget(outputDir: string): PublishTarget {
  const full = (relative: string) => path.join(outputDir, relative);
  return {
    name: outputDir,
    isAtomic: true,
    knowsEveryFile: false,
    async prepare(olderThanMs) {
      await removeStaleTempFiles(outputDir, olderThanMs);
    },
    exists: (relative) => fileExists(full(relative)),
    async stamp(relative) {
      const stamp = await fileStamp(full(relative));
      return stamp ? stamp.join(':') : null;
    },
    async stage(relative, content) {
      const file = await stageFile(full(relative), content);
      return file && { relative, commit: () => commitFile(file), discard: () => discardFile(file) };
    },
  };
}
