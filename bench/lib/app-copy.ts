/**
 * The copy of feedmirror a benchmark measures: bin/, dist/ and package.json taken at one moment
 * (node_modules linked), so a rebuild in the working tree while a benchmark runs cannot mix two
 * versions into one report. With `ref`, the copy is built from that commit instead.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface AppCopyOptions {
  /** The repository (its working tree is copied). */
  root: string;
  /** Where the copy goes (emptied first). */
  app: string;
  /** A commit to build instead of the working tree (git archive + tsc). */
  ref?: string;
  /** Copy dist/ as it is instead of building it first. */
  noBuild?: boolean;
  log: (message: string) => void;
}

export function buildAppCopy(options: AppCopyOptions): void {
  const { root, app, log } = options;
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  if (options.ref) {
    // a committed version, e.g. --ref HEAD for the figures before the working tree's changes
    log(`building ${options.ref} (git archive) in ${app}`);
    const tar = execFileSync('git', ['archive', '--format=tar', options.ref, 'src', 'bin', 'package.json', 'tsconfig.json', 'tsconfig.build.json'], { cwd: root, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', app], { input: tar });
    symlinkSync(path.join(root, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    tsc(root, app, log);
    return;
  }
  if (!options.noBuild) {
    log('npm run build');
    tsc(root, root, log);
  }
  for (const entry of ['bin', 'dist', 'package.json']) cpSync(path.join(root, entry), path.join(app, entry), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(app, 'node_modules'), 'dir');
}

function tsc(root: string, dir: string, log: (message: string) => void) {
  try {
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  } catch {
    log('WARNING: the build reported errors; measuring what tsc emitted');
  }
}

/** The options of a bench script that measures a copy of feedmirror in a work folder (a `parseArgs` spec). */
export const WORKSPACE_OPTIONS = {
  'pg-url': { type: 'string' },
  app: { type: 'string' },
  'no-build': { type: 'boolean', default: false },
  'max-load': { type: 'string' },
  work: { type: 'string' },
  keep: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/**
 * The work folder (`--work`, else a new temp folder named after `prefix`) and the copy measured:
 * `--app` as it is, else a copy built into the work folder (of `ref`, if given).
 */
export function prepareWorkspace(values: { work?: string; app?: string; 'no-build'?: boolean }, options: { root: string; prefix: string; ref?: string; log: (message: string) => void }): { work: string; app: string } {
  const work = values.work ? path.resolve(values.work) : mkdtempSync(path.join(tmpdir(), options.prefix));
  mkdirSync(work, { recursive: true });
  const app = values.app ? path.resolve(values.app) : path.join(work, 'app');
  if (!values.app) buildAppCopy({ root: options.root, app, ref: options.ref, noBuild: values['no-build'], log: options.log });
  return { work, app };
}
