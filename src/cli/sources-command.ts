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
import { readFollowingFeedLink } from '../pipeline/follow-feed-link.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import { FeedmirrorError } from '../model/errors.js';
import type { Config } from '../config/config.js';

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
  if (config.sources.some((s) => s.kind === 'feed' && s.url === url)) throw new CliError('FM_USAGE', `sources add: ${url} is already a source`, EXIT.USAGE);
  const { feedUrl, title } = await probeFeed(url, config, out);
  const taken = new Set(config.sources.map((s) => s.id));
  if (options.id && taken.has(options.id)) throw new CliError('FM_USAGE', `sources add: the id "${options.id}" is already used`, EXIT.USAGE);
  const id = options.id ?? uniqueId(slugify(options.title ?? title ?? '') || slugify(new URL(feedUrl).hostname) || 'feed', taken);
  const name = options.title ?? title ?? undefined;
  await addSourcesToConfig(config.configPath, [{ id, url: feedUrl, ...(name ? { title: name } : {}), ...(options.tag?.length ? { tags: options.tag } : {}) }]);
  out.write(`added source "${id}"${name ? ` (${name})` : ''}: ${feedUrl}\n`);
  return EXIT.OK;
}

/** Where the feed of `url` is (an HTML page is followed to the feed it advertises) and its title. */
async function probeFeed(url: string, config: Config, out: NodeJS.WritableStream): Promise<{ feedUrl: string; title: string | null }> {
  const http = { ...config.fetch, userAgent: config.fetch.userAgent ?? USER_AGENT };
  const dispatcher = createHttpAgent(http);
  const fetchOk = async (location: string) => {
    const fetched = await fetchFeed({ url: location, etag: null, lastModified: null }, http, dispatcher);
    if (fetched.kind !== 'ok') throw new FetchError('FM_HTTP_STATUS', `unexpected HTTP ${fetched.status}`, { status: fetched.status });
    return fetched;
  };
  try {
    const fetched = await fetchOk(url);
    const followed = await readFollowingFeedLink(fetched, {
      read: (body) => parseFeedBody(body.bytes, body.contentType, body.finalUrl),
      fetch: fetchOk,
      onFollow: (feedUrl) => out.write(`${url} is a page; using the feed it advertises: ${feedUrl}\n`),
    });
    const feedUrl = followed.fetched.movedTo ?? followed.feedUrl ?? url;
    return { feedUrl, title: followed.feed && feedTitle(followed.feed.feed, config.limits) };
  } catch (error) {
    const code = error instanceof FeedmirrorError ? error.code : 'FM_PARSE';
    throw new CliError(code, `sources add: ${url} is not a feed feedmirror can read: ${(error as Error).message}`, EXIT.USAGE, { cause: error });
  } finally {
    await dispatcher.close();
  }
}

export async function sourcesRemoveCommand(id: string, options: CommonOptions, out: NodeJS.WritableStream = process.stdout): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const users = config.outputs.filter((o) => o.sources.includes(id)).map((o) => o.id);
  if (users.length > 0) throw new CliError('FM_USAGE', `sources remove: outputs ${users.join(', ')} name "${id}"; change them first`, EXIT.USAGE);
  if (!(await removeSourceFromConfig(config.configPath, id))) throw new CliError('FM_USAGE', `sources remove: no source "${id}" in ${config.configPath}`, EXIT.USAGE);
  out.write(`removed source "${id}" (its stored articles stay in the store and in archives)\n`);
  return EXIT.OK;
}
