/**
 * Proxies and Tor as a user meets them (issue 19), through the real command line (in the test's process): `run` fetching feeds and
 * mirror lists through a SOCKS5 or CONNECT proxy by names only the proxy knows, onion mirrors and
 * onion sources through `fetch.torProxy`, a dead proxy failing one source while the run goes on,
 * `check` listing the proxies, and no password in anything the CLI prints or stores.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/closed-port.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { startSocksProxy, type SocksProxy } from '../helpers/socks5-server.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { storedText } from '../helpers/test-store.js';
import { type CliResult } from '../helpers/workspace.js';
import { v2List } from '../mirrors/helpers/lists.js';
import { expectRunOk, ProjectScope, projectConfig, type Project } from '../mirrors/helpers/project.js';
import { renderFixture } from '../mirrors/helpers/servers.js';

const ONION = 'abcdefghijklmnop.onion';
const PASSWORD = 'pr0xy-s3cret';
const FEED_PATH = '/feeds/news.xml';

const projects = new ProjectScope();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await projects.cleanupAll();
});

interface Publisher {
  port: number;
  /** Host headers of the requests, in order. */
  hosts: string[];
}

/** The publisher's site: the fixture feed with every link on the host it was asked for, and a mirror list naming its onion. */
async function startPublisher(): Promise<Publisher> {
  const hosts: string[] = [];
  const server: Server = createServer((request, response) => {
    const host = request.headers.host ?? '';
    hosts.push(host);
    if (request.url === FEED_PATH) return void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(renderFixture('news.rss.xml', `http://${host}`));
    if (request.url === '/mirrors.json') {
      const onion = { proto: 'tor', type: 'onion', url: `http://${ONION}`, created_at: '2026-01-01 00:00:00+00:00', updated_at: '2026-01-02T00:00:00+00:00' };
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(v2List([{ main_domain: 'news.example', available_alternatives: [onion] }]));
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { port: (server.address() as AddressInfo).port, hosts };
}

async function socks(options: Parameters<typeof startSocksProxy>[0]): Promise<SocksProxy> {
  const proxy = await startSocksProxy(options);
  closers.push(() => proxy.close());
  return proxy;
}

async function connectProxy(options: Parameters<typeof startConnectProxy>[0]): Promise<ConnectProxy> {
  const proxy = await startConnectProxy(options);
  closers.push(() => proxy.close());
  return proxy;
}

function withPassword(url: string, user = 'feeduser'): string {
  return url.replace('//', `//${user}:${PASSWORD}@`);
}

/** Everything a user could see: the run's and status's output, `check`, what is stored. */
async function everythingShown(project: Project, ...results: CliResult[]): Promise<string> {
  const status = await runCliInProcess(['status', '--config', project.ws.configPath], { cwd: project.ws.dir });
  const statusJson = await runCliInProcess(['status', '--json', '--config', project.ws.configPath], { cwd: project.ws.dir });
  const check = await runCliInProcess(['check', '--config', project.ws.configPath], { cwd: project.ws.dir });
  const store = await storedText(project.ws.databasePath);
  return [...results, status, statusJson, check].map((r) => r.stdout + r.stderr).join('\n') + store;
}

describe('run through a proxy', () => {
  it('fetches the feed and the mirror list through an authenticated SOCKS5 proxy by names only it resolves, private networks off', async () => {
    const publisher = await startPublisher();
    const proxy = await socks({ table: { 'news.example': publisher.port, 'lists.example': publisher.port }, auth: { username: 'feeduser', password: PASSWORD } });
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: false, proxy: withPassword(proxy.url) },
      mirrorLists: [{ url: 'http://lists.example/mirrors.json' }],
      sources: [{ id: 'news', url: `http://news.example${FEED_PATH}` }],
    }));
    const result = expectRunOk(await project.run());
    expect((await project.articles()).map((a) => a.url).filter(Boolean).every((url) => url!.startsWith('http://news.example/'))).toBe(true);
    expect(await project.articles()).toHaveLength(3);
    expect(proxy.requests.map((r) => [r.type, r.host, r.user])).toEqual([['domain', 'lists.example', 'feeduser'], ['domain', 'news.example', 'feeduser']]);
    expect(proxy.requests.every((r) => r.reached === `127.0.0.1:${publisher.port}`)).toBe(true);
    expect(publisher.hosts).toEqual(['lists.example', 'news.example']);
    expect(await everythingShown(project, result)).not.toContain(PASSWORD);
  });

  it('an origin the proxy cannot reach is fetched from its mirror through the same proxy, by name, and stored under the origin\'s URLs', async () => {
    const publisher = await startPublisher();
    const proxy = await socks({ table: { 'mirror.example': publisher.port } });
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: false, proxy: proxy.url },
      sources: [{ id: 'news', url: `http://news.example${FEED_PATH}`, mirrors: ['http://mirror.example/'] }],
    }));
    expectRunOk(await project.run());
    expect((await project.status())[0]).toMatchObject({ outcome: 'ok', servedBy: 'mirror.example' });
    const urls = (await project.articles()).flatMap((a) => (a.url ? [a.url] : []));
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((url) => url.startsWith('http://news.example/'))).toBe(true);
    expect(proxy.requests.map((r) => [r.type, r.host, r.outcome])).toEqual([['domain', 'news.example', 'unknown-name'], ['domain', 'mirror.example', 'connected']]);
    expect(publisher.hosts).toEqual(['mirror.example']);
  });

  it('takes the password of fetch.proxy from FEEDMIRROR_PROXY_PASSWORD (CONNECT), and `check` says where it came from', async () => {
    const publisher = await startPublisher();
    const proxy = await connectProxy({ table: { 'news.example': publisher.port }, auth: { username: 'envuser', password: PASSWORD } });
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: false, proxy: proxy.url.replace('//', '//envuser@') },
      sources: [{ id: 'news', url: `http://news.example${FEED_PATH}` }],
    }));
    const env = { FEEDMIRROR_PROXY_PASSWORD: PASSWORD };
    const run = await runCliInProcess(['run', '--all', '--config', project.ws.configPath, '--log-format', 'json'], { cwd: project.ws.dir, env });
    expectRunOk(run);
    expect(proxy.requests).toMatchObject([{ method: 'CONNECT', target: 'news.example:80', user: 'envuser', outcome: 'connected' }]);
    const check = await runCliInProcess(['check', '--config', project.ws.configPath], { cwd: project.ws.dir, env });
    expect(check.stdout).toContain(`fetch.proxy: http://envuser@127.0.0.1:${proxy.port} (password from FEEDMIRROR_PROXY_PASSWORD), names resolved by the proxy`);
    expect(run.stdout + run.stderr + check.stdout + check.stderr).not.toContain(PASSWORD);
  });

  it('a dead proxy fails its sources with FM_PROXY, naming the proxy without its password; a source set to "direct" is published', async () => {
    const publisher = await startPublisher();
    const deadPort = await closedPort();
    const dead = { port: deadPort, url: `socks5h://127.0.0.1:${deadPort}` };
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: true, proxy: withPassword(dead.url) },
      sources: [
        { id: 'proxied', url: `http://news.example${FEED_PATH}` },
        { id: 'direct', url: `http://127.0.0.1:${publisher.port}${FEED_PATH}`, proxy: 'direct' },
      ],
    }));
    const result = expectRunOk(await project.run());
    const rows = await project.status();
    const proxied = rows.find((r) => r.source === 'proxied')!;
    expect(proxied.outcome).toBe('error');
    expect(proxied.lastError).toContain(`through the proxy socks5h://feeduser:***@127.0.0.1:${dead.port}: cannot connect to the proxy (ECONNREFUSED)`);
    expect(rows.find((r) => r.source === 'direct')!.items).toBe(3);
    const logged = result.logs.find((l) => l.source === 'proxied' && l.code === 'FM_PROXY');
    expect(logged).toBeDefined();
    expect(await everythingShown(project, result)).not.toContain(PASSWORD);
  });
});

describe('Tor: onion mirrors and onion sources', () => {
  async function blockedOrigin(torProxy: string | null) {
    const publisher = await startPublisher();
    // the proxy cannot reach news.example: the origin is blocked from here
    const proxy = await socks({ table: {} });
    const tor = await socks({ table: { [ONION]: publisher.port } });
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: false, proxy: proxy.url, ...(torProxy === null ? {} : { torProxy: torProxy === '' ? tor.url : torProxy }) },
      // the onion first in the config: still tried after the other mirrors
      sources: [{ id: 'news', url: `http://news.example${FEED_PATH}`, mirrors: [`http://${ONION}/`, 'http://blocked-mirror.example/'] }],
    }));
    return { publisher, proxy, tor, project };
  }

  it('with fetch.torProxy, an onion mirror is tried when the origin and the other mirrors are unreachable, last, through Tor, by name', async () => {
    const { proxy, tor, project } = await blockedOrigin('');
    expectRunOk(await project.run());
    const rows = await project.status();
    expect(rows[0]).toMatchObject({ outcome: 'ok', servedBy: ONION });
    const articles = await project.articles();
    expect(articles).toHaveLength(3);
    // stored under the origin's URLs, whichever host answered
    expect(articles.every((a) => !a.url || a.url.startsWith('http://news.example/'))).toBe(true);
    expect(proxy.requests.map((r) => [r.host, r.outcome])).toEqual([['news.example', 'unknown-name'], ['blocked-mirror.example', 'unknown-name']]);
    expect(tor.requests.map((r) => [r.type, r.host, r.outcome])).toEqual([['domain', ONION, 'connected']]);
  });

  it('without fetch.torProxy, the onion mirror is not tried', async () => {
    const { proxy, tor, project } = await blockedOrigin(null);
    expectRunOk(await project.run());
    const row = (await project.status())[0]!;
    expect(row).toMatchObject({ outcome: 'error', servedBy: null });
    expect(row.lastError).toBe(`through the proxy ${proxy.url}: the proxy could not reach the host (SOCKS5 reply 4: Host unreachable)`);
    expect(proxy.requests.map((r) => r.host)).toEqual(['news.example', 'blocked-mirror.example']);
    expect(tor.requests).toEqual([]);
  });

  it('an onion mirror from a mirror list is tried too', async () => {
    const publisher = await startPublisher();
    const proxy = await socks({ table: { 'lists.example': publisher.port } });
    const tor = await socks({ table: { [ONION]: publisher.port } });
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: false, proxy: proxy.url, torProxy: tor.url },
      mirrorLists: [{ url: 'http://lists.example/mirrors.json' }],
      sources: [{ id: 'news', url: `http://news.example${FEED_PATH}` }],
    }));
    expectRunOk(await project.run());
    expect((await project.status())[0]).toMatchObject({ outcome: 'ok', servedBy: ONION });
    expect(tor.requests.map((r) => r.host)).toEqual([ONION]);
  });

  it('a source on an onion service is fetched through Tor', async () => {
    const publisher = await startPublisher();
    const tor = await socks({ table: { [ONION]: publisher.port } });
    const project = await projects.create(projectConfig({
      fetch: { allowPrivateNetworks: false, torProxy: tor.url },
      sources: [{ id: 'hidden', url: `http://${ONION}${FEED_PATH}` }],
    }));
    expectRunOk(await project.run());
    expect(await project.articles()).toHaveLength(3);
    expect(tor.requests).toMatchObject([{ type: 'domain', host: ONION, outcome: 'connected' }]);
    expect(publisher.hosts).toEqual([ONION]);
  });
});

describe('feedmirror check and the proxy keys', () => {
  it('lists the proxies, passwords hidden', async () => {
    const project = await projects.create(projectConfig({
      fetch: { proxy: `http://feeduser:${PASSWORD}@proxy.example:3128`, torProxy: 'socks5h://127.0.0.1:9050', noProxy: ['localhost', '10.0.0.0/8', '.example.org'] },
      sources: [
        { id: 'a', url: 'http://a.example/feed.xml', proxy: false },
        { id: 'b', url: 'http://b.example/feed.xml', proxy: `socks5://other:${PASSWORD}@127.0.0.1:1080` },
      ],
    }));
    const check = await runCliInProcess(['check', '--config', project.ws.configPath], { cwd: project.ws.dir });
    expect(check.code).toBe(0);
    expect(check.stdout.split('\n').slice(1, 5)).toEqual([
      '  fetch.proxy: http://feeduser:***@proxy.example:3128 (password from the URL), names resolved by the proxy',
      '  fetch.torProxy: socks5h://127.0.0.1:9050, for .onion hosts',
      '  fetch.noProxy: localhost, 10.0.0.0/8, .example.org',
      '  sources with their own proxy: a → direct; b → socks5://other:***@127.0.0.1:1080 (password from the URL)',
    ]);
    expect(check.stdout + check.stderr).not.toContain(PASSWORD);
  });

  const INVALID: { name: string; fetch?: Record<string, unknown>; source?: Record<string, unknown>; problem: string }[] = [
    { name: 'a scheme other than http, socks5, socks5h', fetch: { proxy: `ftp://u:${PASSWORD}@127.0.0.1:21` }, problem: 'fetch.proxy: a proxy URL\'s scheme must be http, socks5 or socks5h (got "ftp:")' },
    { name: 'https (TLS to the proxy is not supported)', fetch: { proxy: `https://u:${PASSWORD}@127.0.0.1:3128` }, problem: 'fetch.proxy: a proxy URL\'s scheme must be http, socks5 or socks5h (got "https:")' },
    { name: 'no scheme ("user:password@host:port")', fetch: { proxy: `u:${PASSWORD}@127.0.0.1:3128` }, problem: 'fetch.proxy: not a URL with a scheme; expected a proxy URL such as http://host:port, socks5://host:port or socks5h://host:port' },
    { name: 'not a URL', fetch: { proxy: `http://u:${PASSWORD}@` }, problem: 'fetch.proxy: not a URL; expected a proxy URL such as' },
    { name: 'a path', fetch: { proxy: `http://u:${PASSWORD}@127.0.0.1:3128/proxy` }, problem: 'fetch.proxy: a proxy URL has no path, query or fragment (http://u:***@127.0.0.1:3128/proxy)' },
    { name: 'socks5:// as the Tor proxy', fetch: { torProxy: 'socks5://127.0.0.1:9050' }, problem: 'fetch.torProxy: a Tor proxy URL with socks5h://' },
    { name: 'a noProxy entry with a scheme', fetch: { noProxy: ['http://example.org'] }, problem: 'fetch.noProxy[0]: a host suffix such as "example.org"' },
    { name: "a source's proxy of the wrong type", source: { proxy: true }, problem: 'sources[0].proxy: a proxy URL (http://, socks5:// or socks5h://), or false or "direct" to fetch this source without a proxy' },
    { name: "a source's proxy with a bad scheme", source: { proxy: `socks4://u:${PASSWORD}@127.0.0.1:1080` }, problem: 'sources[0].proxy: a proxy URL\'s scheme must be http, socks5 or socks5h (got "socks4:")' },
    { name: 'an onion source without fetch.torProxy', source: { url: `http://${ONION}/feed.xml` }, problem: `sources[0].url: ${ONION} is an onion service, reachable only through Tor: set fetch.torProxy, such as "socks5h://127.0.0.1:9050"` },
  ];
  for (const c of INVALID) {
    it(`check refuses ${c.name} (exit 1, FM_CONFIG), naming the key, never the password`, async () => {
      const project = await projects.create(projectConfig({
        fetch: { allowPrivateNetworks: true, ...c.fetch },
        sources: [{ id: 'news', url: 'http://127.0.0.1:9/feed.xml', ...c.source }],
      }));
      const result = await runCliInProcess(['check', '--config', project.ws.configPath], { cwd: project.ws.dir });
      expect(result.code).toBe(1);
      // The key, then (where the message does not already quote it) the value found, passwords hidden, then the problem.
      const [key, ...rest] = c.problem.split(': ');
      expect(result.stderr).toContain(`${project.ws.configPath}: ${key}: `);
      expect(result.stderr).toContain(rest.join(': '));
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    });
  }
});
