import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_FILE } from '../config/config-error.js';
import { makeFolders } from '../lib/make-folders.js';
import { escapeControls } from '../lib/escape-controls.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { startingConfig } from './starting-config.js';

/** The sample seeds shipped with the package (its `seeds/` folder, beside `dist/` and `src/`). */
const SAMPLE_SEEDS = fileURLToPath(new URL('../../seeds/', import.meta.url));

/**
 * A project to start from: a commented config and a `seeds/` folder with the sample, in `dir`
 * (made if missing). Nothing is overwritten: when any of the files exists, none is written.
 */
export async function initCommand(dir: string, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const root = path.resolve(dir);
  const samples = (await readdir(SAMPLE_SEEDS)).filter((name) => name.endsWith('.txt')).sort();
  const files = [
    { file: path.join(root, DEFAULT_CONFIG_FILE), text: startingConfig() },
    ...(await Promise.all(samples.map(async (name) => ({ file: path.join(root, 'seeds', name), text: await readFile(path.join(SAMPLE_SEEDS, name), 'utf8') })))),
  ];
  const existing = (await Promise.all(files.map(async ({ file }) => ((await exists(file)) ? file : null)))).filter((file) => file !== null);
  if (existing.length > 0) throw new CliError('FM_USAGE', `init: ${existing.map(escapeControls).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing written (move ${existing.length === 1 ? 'it' : 'them'} away, or init another folder)`, EXIT.USAGE);
  await makeFolders(path.join(root, 'seeds'), { code: 'FM_USAGE', label: 'init' });
  // 'wx': a file that appeared since the check above is still not overwritten
  for (const { file, text } of files) await writeFile(file, text, { flag: 'wx' });
  io.stdout.write(nextSteps(root, files.map(({ file }) => file)));
  return EXIT.OK;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, (error: NodeJS.ErrnoException) => error.code !== 'ENOENT' && error.code !== 'ENOTDIR');
}

function nextSteps(root: string, written: string[]): string {
  const cd = path.resolve(root) === process.cwd() ? '' : `cd ${quoteForShell(root)} && `;
  return [
    'wrote:',
    ...written.map((file) => `  ${escapeControls(file)}`),
    'next:',
    `  ${cd}feedmirror run      # publishes the sample into feeds/`,
    `  ${cd}feedmirror serve    # serves it at http://127.0.0.1:8080/`,
    '',
  ].join('\n');
}

/** A path as a POSIX shell reads it: bare when it is plain, else in single quotes. */
function quoteForShell(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${escapeControls(value).replaceAll("'", "'\\''")}'`;
}
