/**
 * Issue 19 as a reader behind a block meets it, through the whole CLI: a publisher whose feed
 * carries only summaries, whose origin is dead (a closed port) and whose mirror is live. The
 * published feeds carry each article's full text (the fixture page's body, word for word), their
 * images load from the mirror, and a warm run fetches no page. Then all of it again through a
 * SOCKS5 proxy (socks5h) with private networks off, where the publisher and its mirror exist only
 * as names the proxy alone knows: its log shows every connection asked for by name, never an
 * address, and only ever made to 127.0.0.1. node:dns is replaced by a resolver that knows no name
 * and records every lookup (as in tests/proxy/fetch-through-proxy.test.ts): none may happen here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { htmlToText } from '../../src/lib/html-text.js';
import { startSocksProxy } from '../helpers/socks5-server.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { expectRunOk, ProjectScope, projectConfig, type Project } from '../mirrors/helpers/project.js';
import { startFixtureServer, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { expectedBody, FEED_PATH, IMAGES, pageRequests, servePublisher } from './helpers/publisher.js';
import { closedOrigin, closedPort } from '../helpers/closed-port.js';

const lookups = vi.hoisted(() => [] as string[]);

vi.mock('node:dns', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:dns')>();
  const lookup = (hostname: string, _options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[] | string, family?: number) => void) => {
    lookups.push(hostname);
    setImmediate(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (fake resolver)`), { code: 'ENOTFOUND', hostname }), []));
  };
  return { ...actual, lookup, default: { ...actual, lookup } };
});

const projects = new ProjectScope();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await projects.cleanupAll();
});

const ARTICLES = [['The harbour reopens after the storm', 'harbour'], ['Council approves the new library', 'library']] as const;
/** A host the fixture pages use for media that are not the publisher's: left where they are. */
const OTHER_HOST = 'https://agency.example.net/';

async function server(): Promise<FixtureServer> {
  const started = await startFixtureServer();
  closers.push(() => started.close());
  return started;
}

interface JsonItem {
  title: string;
  url: string;
  content_html: string;
  image?: string;
  attachments?: { url: string }[];
}

/** Every media URL of an item's HTML: img/video/audio/source src, poster and each srcset candidate. */
function mediaUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|poster)="([^"]+)"|\ssrcset="([^"]+)"/g)].flatMap((m) => (m[1] ? [m[1]] : m[2]!.split(/,\s+/).map((c) => c.split(/\s+/)[0]!)));
}

/** What a reader gets, checked in every format: the full text, media on the mirror, links on the publisher. */
async function expectFullTextOnMirror(project: Project, publisher: string, mirror: string): Promise<void> {
  const feed = JSON.parse(await project.output('all/feed.json')) as { items: JsonItem[] };
  for (const [title, page] of ARTICLES) {
    const item = feed.items.find((i) => i.title === title)!;
    expect(item.url).toBe(`${publisher}/news/${page}.html`);
    expect(htmlToText(item.content_html).replace(/\s+/g, ' ').trim()).toBe(expectedBody(page));
    const media = mediaUrls(item.content_html);
    expect(media.length, title).toBeGreaterThan(0);
    for (const url of media) expect(url.startsWith(`${mirror}/`) || url.startsWith(OTHER_HOST), url).toBe(true);
    for (const url of item.attachments ?? []) expect(url.url.startsWith(`${mirror}/`), url.url).toBe(true);
  }
  for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
    const text = (await project.output(file)).replaceAll('\\/', '/');
    for (const image of IMAGES) expect(text, `${file} ${image}`).not.toContain(`${publisher}${image}`);
    expect(text, file).toContain(`${mirror}/img/harbour.jpg`);
    expect(text, file).toContain('sank eleven boats');
    expect(text, file).toContain(`${publisher}/news/harbour.html`);
  }
}

/** `run --all --refresh`: every item handled as if new, so only what the store remembers keeps pages from being fetched. */
async function warmRun(project: Project): Promise<Record<string, unknown>> {
  const result = expectRunOk(await runCliInProcess(['run', '--all', '--refresh', '--config', project.ws.configPath, '--log-format', 'json'], { cwd: project.ws.dir }));
  return result.logs.find((r) => r.event === 'run')!;
}

async function feedFiles(project: Project): Promise<string[]> {
  return Promise.all(['rss.xml', 'atom.xml', 'feed.json'].map((name) => readFile(path.join(project.feedsDir, 'all', name), 'utf8')));
}

describe('full text and media through a mirror, the origin dead (issue 19, end to end)', () => {
  it('direct: the full article text, images on the mirror, no page fetched on a warm run', async () => {
    const origin = await closedOrigin();
    const mirror = await server();
    servePublisher(mirror);
    const project = await projects.create(projectConfig({
      sources: [{ id: 'news', url: `${origin}${FEED_PATH}`, mirrors: [`${mirror.origin}/`], fullText: true, media: 'mirror' }],
    }));
    const first = expectRunOk(await project.run());
    expect(first.logs.find((r) => r.event === 'run')).toMatchObject({ pages: { fetched: 2, extracted: 2 } });
    expect(pageRequests(mirror).sort()).toEqual(['/news/harbour.html', '/news/library.html']);
    await expectFullTextOnMirror(project, origin, mirror.origin);

    const before = await feedFiles(project);
    expect(await warmRun(project)).toMatchObject({ pages: { fetched: 0, reused: 2 } });
    expect(pageRequests(mirror)).toHaveLength(2);
    expect(await feedFiles(project)).toEqual(before);
  });

  it('through SOCKS5 (socks5h), publisher and mirror known only to the proxy by name: the same output; names sent unresolved, only 127.0.0.1 reached', async () => {
    const deadPort = await closedPort();
    const mirror = await server();
    // The mirror serves the site with every absolute link on its own name, as a real mirror does.
    servePublisher(mirror, '', 'http://mirror.example');
    const proxy = await startSocksProxy({ table: { 'publisher.example': deadPort, 'mirror.example': Number(new URL(mirror.origin).port) } });
    closers.push(() => proxy.close());
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: false, proxy: proxy.url },
      sources: [{ id: 'news', url: `http://publisher.example${FEED_PATH}`, mirrors: ['http://mirror.example/'], fullText: true, media: 'mirror' }],
    }));
    const first = expectRunOk(await project.run());
    expect(first.logs.find((r) => r.event === 'run')).toMatchObject({ pages: { fetched: 2, extracted: 2 } });
    await expectFullTextOnMirror(project, 'http://publisher.example', 'http://mirror.example');

    // the proxy's log: every target named, none looked up here; the dead origin tried, then its mirror
    expect(proxy.requests.length).toBeGreaterThanOrEqual(4);
    expect(proxy.requests.every((r) => r.type === 'domain' && r.port === 80)).toBe(true);
    expect(new Set(proxy.requests.map((r) => `${r.host} ${r.outcome}`))).toEqual(new Set(['publisher.example target-refused', 'mirror.example connected']));
    expect(proxy.requests.filter((r) => r.outcome === 'connected').every((r) => r.reached === `127.0.0.1:${new URL(mirror.origin).port}`)).toBe(true);
    expect(new Set(mirror.requests.map((r) => r.headers.host))).toEqual(new Set(['mirror.example']));
    expect(pageRequests(mirror).sort()).toEqual(['/news/harbour.html', '/news/library.html']);
    expect(lookups, 'no name looked up here').toEqual([]);

    const before = await feedFiles(project);
    const asked = proxy.requests.length;
    expect(await warmRun(project)).toMatchObject({ pages: { fetched: 0, reused: 2 } });
    expect(pageRequests(mirror)).toHaveLength(2);
    // the warm run asked the proxy for the feed only: the origin, then the mirror
    expect(proxy.requests.slice(asked).map((r) => `${r.host} ${r.outcome}`)).toEqual(['publisher.example target-refused', 'mirror.example connected']);
    expect(await feedFiles(project)).toEqual(before);
    expect(lookups).toEqual([]);
  });
});
