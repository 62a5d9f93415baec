import { readFile, writeFile } from 'node:fs/promises';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { parseOpml } from '../ingest/parse-opml.js';
import { FeedmirrorError } from '../model/errors.js';
import { renderOpml } from '../publish/render-opml.js';
import { siteCopies } from '../publish/site-copies.js';
import { buildMirrorMap } from '../pipeline/mirror-map.js';
import { GENERATOR } from '../version.js';
import { addSourcesToConfig } from './edit-config.js';
import { planImport } from './plan-import.js';
import { plural } from '../lib/plural.js';
import { escapeControls } from '../lib/escape-controls.js';

/** Adds every feed of an OPML file that is not configured yet (same URL) as a source; says what it left out and why. */
export async function importOpmlCommand(file: string, options: CommonOptions & { dryRun?: boolean }, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  let feeds;
  try {
    feeds = await parseOpml(await readFile(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof FeedmirrorError ? error.message : `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    throw new CliError('FM_OPML', `import-opml: ${file}: ${reason}`, EXIT.USAGE, { cause: error });
  }
  const { added, skipped } = planImport(feeds, config.sources);
  if (added.length > 0 && !options.dryRun) await addSourcesToConfig(config.configPath, added.map(({ notes: _notes, ...source }) => source));
  const skippedNote = skipped.length > 0 ? `; ${skipped.length} skipped` : '';
  io.stdout.write(`${options.dryRun ? 'would add' : 'added'} ${plural(added.length, 'source')} to ${config.configPath}${skippedNote}\n`);
  for (const source of added) io.stdout.write(`  ${source.id}  ${escapeControls(source.url)}${source.notes.length > 0 ? `  (${source.notes.join('; ')})` : ''}\n`);
  if (skipped.length > 0) io.stdout.write('skipped:\n');
  for (const skip of skipped) io.stdout.write(`  ${escapeControls(skip.outline)}: ${escapeControls(skip.reason)}\n`);
  return EXIT.OK;
}

/** The configured remote sources as OPML 2.0, to stdout or a file. */
export async function exportOpmlCommand(options: CommonOptions & { output?: string }, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const opml = renderOpml(
    {
      site: config.site,
      sources: config.sources.map((s) => ({ ...s, url: s.kind === 'feed' ? s.url : undefined })),
      outputs: [],
      outputDir: config.outputDir,
      generator: GENERATOR,
      now: new Date(0),
      mirrorMap: buildMirrorMap(config, null),
    },
    siteCopies(config.site.url, [])[0]!,
  );
  if (options.output) await writeFile(options.output, opml);
  else io.stdout.write(opml);
  return EXIT.OK;
}

