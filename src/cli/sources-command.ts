import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { addSourcesToConfig, removeSourceFromConfig, uniqueId } from './edit-config.js';
import { formatTable } from './format-table.js';
import { slugify } from '../lib/text.js';
import { USER_AGENT } from '../version.js';
import { createHttpAgent } from '../sources/http/http-client.js';
import { fetchFeed } from '../sources/http/fetch-feed.js';
import { parseFeedBody } from '../ingest/parse-feed.js';
import { feedTitle } from '../normalize/normalize-item.js';

export async function sourcesListCommand(options: CommonOptions & { json?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const rows = config.sources.map((s) => ({ id: s.id, kind: s.kind, location: s.kind === 'feed' ? s.url : s.seeds, title: s.title ?? '', tags: s.tags, mirrors: s.mirrors }));
  if (options.json) out.write(`${JSON.stringify(rows, null, 2)}\n`);
  else out.write(`${formatTable(['ID', 'KIND', 'TITLE', 'TAGS', 'URL OR FOLDER'], rows.map((r) => [r.id, r.kind, r.title, r.tags.join(','), r.location]))}\n`);
  return EXIT.OK;
}

/**
 * Adds a remote source after checking that the URL serves a feed (an HTML page that advertises
 * one is followed to it). The id comes from the feed's title unless given.
 */
export async function sourcesAddCommand(url: string, options: CommonOptions & { id?: string; title?: string; tag?: string[] }, out: NodeJS.WritableStream = process.stdout): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  if (config.sources.some((s) => s.kind === 'feed' && s.url === url)) throw new CliError(`sources add: ${url} is already a source`, EXIT.USAGE);
  const http = { ...config.fetch, userAgent: config.fetch.userAgent ?? USER_AGENT };
  const dispatcher = createHttpAgent(http);
  let feedUrl = url;
  let title: string | null = null;
  try {
    for (let hop = 0; hop < 2; hop++) {
      const fetched = await fetchFeed({ url: feedUrl, etag: null, lastModified: null }, http, dispatcher);
      if (fetched.kind !== 'ok') throw new Error(`unexpected HTTP ${fetched.status}`);
      const parsed = await parseFeedBody(fetched.bytes, fetched.contentType, fetched.finalUrl);
      if (parsed.kind === 'feed') {
        title = feedTitle(parsed.feed, config.limits);
        feedUrl = fetched.movedTo ?? feedUrl;
        break;
      }
      out.write(`${feedUrl} is a page; using the feed it advertises: ${parsed.feedUrls[0]}\n`);
      feedUrl = parsed.feedUrls[0]!;
    }
  } catch (error) {
    throw new CliError(`sources add: ${url} is not a feed feedmirror can read: ${(error as Error).message}`, EXIT.USAGE);
  } finally {
    await dispatcher.close();
  }
  const taken = new Set(config.sources.map((s) => s.id));
  if (options.id && taken.has(options.id)) throw new CliError(`sources add: the id "${options.id}" is already used`, EXIT.USAGE);
  const id = options.id ?? uniqueId(slugify(options.title ?? title ?? '') || slugify(new URL(feedUrl).hostname) || 'feed', taken);
  const name = options.title ?? title ?? undefined;
  await addSourcesToConfig(config.configPath, [{ id, url: feedUrl, ...(name ? { title: name } : {}), ...(options.tag?.length ? { tags: options.tag } : {}) }]);
  out.write(`added source "${id}"${name ? ` (${name})` : ''}: ${feedUrl}\n`);
  return EXIT.OK;
}

export async function sourcesRemoveCommand(id: string, options: CommonOptions, out: NodeJS.WritableStream = process.stdout): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const users = config.outputs.filter((o) => o.sources.includes(id)).map((o) => o.id);
  if (users.length > 0) throw new CliError(`sources remove: outputs ${users.join(', ')} name "${id}"; change them first`, EXIT.USAGE);
  if (!(await removeSourceFromConfig(config.configPath, id))) throw new CliError(`sources remove: no source "${id}" in ${config.configPath}`, EXIT.USAGE);
  out.write(`removed source "${id}" (its stored articles stay in the store and in archives)\n`);
  return EXIT.OK;
}
