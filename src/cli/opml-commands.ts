import { readFile, writeFile } from 'node:fs/promises';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { parseOpml } from '../ingest/parse-opml.js';
import { FeedmirrorError } from '../model/errors.js';
import { renderOpml } from '../publish/render-opml.js';
import { siteCopies } from '../publish/site-copies.js';
import { buildMirrorMap } from '../pipeline/mirror-map.js';
import { GENERATOR } from '../version.js';
import { addSourcesToConfig, uniqueId, type NewSource } from './edit-config.js';
import { slugify } from '../lib/text.js';
import { isValidId } from '../config/schema.js';

/** Adds every feed of an OPML file that is not configured yet (same URL) as a source. */
export async function importOpmlCommand(file: string, options: CommonOptions & { dryRun?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  let feeds;
  try {
    feeds = await parseOpml(await readFile(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof FeedmirrorError ? error.message : `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    throw new CliError('FM_OPML', `import-opml: ${file}: ${reason}`, EXIT.USAGE, { cause: error });
  }
  const known = new Set(config.sources.flatMap((s) => (s.kind === 'feed' ? [s.url] : [])));
  const ids = new Set(config.sources.map((s) => s.id));
  const added: NewSource[] = [];
  for (const feed of feeds) {
    if (known.has(feed.xmlUrl) || !/^https?:\/\//i.test(feed.xmlUrl)) continue;
    known.add(feed.xmlUrl);
    const id = feed.id && isValidId(feed.id) && !ids.has(feed.id) ? (ids.add(feed.id), feed.id) : uniqueId(slugify(feed.title ?? '') || slugify(new URL(feed.xmlUrl).hostname) || 'feed', ids);
    added.push({ id, url: feed.xmlUrl, ...(feed.title ? { title: feed.title } : {}), ...(feed.mirrors.length ? { mirrors: feed.mirrors } : {}), ...(feed.folders.length ? { tags: feed.folders.map((f) => slugify(f)).filter(Boolean) } : {}) });
  }
  const skipped = feeds.length - added.length;
  if (added.length > 0 && !options.dryRun) await addSourcesToConfig(config.configPath, added);
  out.write(`${options.dryRun ? 'would add' : 'added'} ${added.length} source(s) to ${config.configPath}; ${skipped} already configured or not http(s)\n`);
  for (const source of added) out.write(`  ${source.id}  ${source.url}\n`);
  return EXIT.OK;
}

/** The configured remote sources as OPML 2.0, to stdout or a file. */
export async function exportOpmlCommand(options: CommonOptions & { output?: string }, out: NodeJS.WritableStream = process.stdout): Promise<ExitCode> {
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
  else out.write(opml);
  return EXIT.OK;
}

