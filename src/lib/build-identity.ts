import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hash } from 'node:crypto';

/**
 * A hash of every file under `root` whose name ends in one of `extensions` (paths and bytes, in a
 * fixed order): it changes whenever one of them does. The build writes it for `dist/`, so that what
 * a run skips as unchanged is keyed on the code that would redo it, not on the package version.
 */
export function treeHash(root: string, extensions: string[]): string {
  const parts: string[] = [];
  for (const file of listFiles(root).filter((f) => extensions.some((ext) => f.endsWith(ext))).sort()) {
    parts.push(file, hash('sha256', readFileSync(path.join(root, file)), 'hex'));
  }
  return hash('sha256', parts.join('\n'), 'hex');
}

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(path.join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) return listFiles(root, relative);
    return entry.isFile() ? [relative] : [];
  });
}

/** What the build records beside the compiled code (`dist/build-id.json`). */
export interface BuildRecord {
  /** treeHash of the compiled code. */
  code: string;
  /** treeHash of what it was compiled from (src/ and the compiler settings): a current build need not be redone. */
  sources: string;
}

export const BUILD_RECORD_FILE = 'build-id.json';
export const CODE_EXTENSIONS = ['.js', '.ts'];

/** treeHash of src/ with the files that decide how it compiles. */
export function sourcesHash(projectRoot: string): string {
  const settings = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((file) => hash('sha256', readFileSync(path.join(projectRoot, file)), 'hex'));
  return hash('sha256', [treeHash(path.join(projectRoot, 'src'), ['.ts']), ...settings].join('\n'), 'hex');
}
