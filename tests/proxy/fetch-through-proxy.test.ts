/**
 * The HTTP client's routes (issue 19): every fetch through `fetch.proxy` (HTTP CONNECT or SOCKS5),
 * onions through `fetch.torProxy`, `fetch.noProxy` and a source's own proxy. Both proxies run on
 * 127.0.0.1 and map fixture names onto fixture servers through a table; their logs prove what
 * went through them, and that nothing was connected to but loopback.
 *
 * No real DNS: node:dns is replaced (for the modules under test) by a fake resolver that knows only
 * the names a test gives it and records every lookup, so "no lookup happened" is checked, and a
 * name the proxy alone knows fails when fetched directly.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer as createTlsServer } from 'node:tls';
import { describe, expect, it, vi } from 'vitest';
import { fetchFeed } from '../../src/sources/http/fetch-feed.js';
import { createHttpAgent, dispatcherForSource, type HttpSettings } from '../../src/sources/http/http-client.js';
import { FetchError } from '../../src/sources/http/fetch-errors.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { startSocksProxy, type SocksProxy } from '../helpers/socks5-server.js';
import { feed, redirect, startFixtureServer, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { testScope } from '../remote/helpers/scope.js';
import { closedPort } from '../helpers/closed-port.js';

const fakeDns = vi.hoisted(() => ({
  zone: new Map<string, { address: string; family: number }[]>(),
  calls: [] as string[],
}));

vi.mock('node:dns', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:dns')>();
  const lookup = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[] | string, family?: number) => void) => {
    fakeDns.calls.push(hostname);
    const answers = fakeDns.zone.get(hostname);
    setImmediate(() => {
      if (!answers) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (fake resolver)`), { code: 'ENOTFOUND', hostname }), []);
      if (options.all) return callback(null, answers);
      callback(null, answers[0]!.address, answers[0]!.family);
    });
  };
  return { ...actual, lookup, default: { ...actual, lookup } };
});

const scope = testScope();
const BODY = rssFeed(numberedItems(2, 'http://news.example/posts/'));
const ONION = 'abcdefghijklmnop.onion';
const PASSWORD = 's3cret-PW';

function settings(overrides: Partial<HttpSettings> = {}): HttpSettings {
  return {
    connectTimeoutMs: 5_000, headersTimeoutMs: 5_000, bodyIdleTimeoutMs: 5_000, totalTimeoutMs: 15_000,
    maxBodyBytes: 1_000_000, maxRedirects: 5, allowPrivateNetworks: false, userAgent: 'feedmirror-test', ...overrides,
  };
}

async function fetchVia(url: string, http: HttpSettings, options: { env?: Record<string, string>; proxyOverride?: string | false } = {}) {
  const agent = createHttpAgent(http, options.env ?? {});
  scope.defer(() => agent.close());
  return fetchFeed({ url, etag: null, lastModified: null }, http, dispatcherForSource(agent, options.proxyOverride));
}

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

async function feedServer(): Promise<FixtureServer> {
  fakeDns.calls.length = 0;
  fakeDns.zone.clear();
  const server = await startFixtureServer();
  scope.defer(() => server.close());
  server.on('/feed.xml', feed(BODY));
  return server;
}

function portOf(server: FixtureServer): number {
  return Number(new URL(server.origin).port);
}

async function socks(options: Parameters<typeof startSocksProxy>[0]): Promise<SocksProxy> {
  const proxy = await startSocksProxy(options);
  scope.defer(() => proxy.close());
  return proxy;
}

async function connectProxy(options: Parameters<typeof startConnectProxy>[0]): Promise<ConnectProxy> {
  const proxy = await startConnectProxy(options);
  scope.defer(() => proxy.close());
  return proxy;
}

describe('SOCKS5 with names resolved by the proxy (socks5h://)', () => {
  it('fetches a name only the proxy knows, with no local lookup, with private networks off (the proxy itself is on loopback)', async () => {
    const server = await feedServer();
    const proxy = await socks({ table: { 'news.example': portOf(server) } });
    const fetched = await fetchVia('http://news.example/feed.xml', settings({ proxy: proxy.url }));
    expect(fetched.kind === 'ok' && fetched.bytes.toString()).toBe(BODY);
    expect(proxy.requests).toEqual([{ type: 'domain', host: 'news.example', port: 80, user: null, outcome: 'connected', reached: `127.0.0.1:${portOf(server)}` }]);
    expect(server.hits('/feed.xml')[0]!.headers.host).toBe('news.example');
    expect(fakeDns.calls).toEqual([]);
  });

  it('the same name fetched directly fails: only the proxy could resolve it', async () => {
    await feedServer();
    const error = await failure(fetchVia('http://news.example/feed.xml', settings()));
    expect(error.code).toBe('FM_DNS');
    expect(fakeDns.calls).toEqual(['news.example']);
  });

  it('fetches an onion through fetch.torProxy, the name sent to the proxy as a name, never looked up', async () => {
    const server = await feedServer();
    const tor = await socks({ table: { [ONION]: portOf(server) } });
    const fetched = await fetchVia(`http://${ONION}/feed.xml`, settings({ torProxy: tor.url }));
    expect(fetched.kind).toBe('ok');
    expect(tor.requests).toMatchObject([{ type: 'domain', host: ONION, port: 80, outcome: 'connected' }]);
    expect(fakeDns.calls).toEqual([]);
  });

  it('refuses an onion without fetch.torProxy (FM_NEEDS_TOR), through no proxy and with no lookup', async () => {
    const server = await feedServer();
    const proxy = await socks({ table: { [ONION]: portOf(server) } });
    const error = await failure(fetchVia(`http://${ONION.toUpperCase()}./feed.xml`, settings({ proxy: proxy.url })));
    expect(error.code).toBe('FM_NEEDS_TOR');
    expect(error.message).toContain(`${ONION} is an onion service`);
    expect(proxy.requests).toEqual([]);
    expect(fakeDns.calls).toEqual([]);
  });

  it('follows a redirect from a proxied host to an onion through the Tor proxy: each hop takes its own route', async () => {
    const server = await feedServer();
    server.on('/moved.xml', redirect(302, `http://${ONION}/feed.xml`));
    const proxy = await socks({ table: { 'news.example': portOf(server) } });
    const tor = await socks({ table: { [ONION]: portOf(server) } });
    const fetched = await fetchVia('http://news.example/moved.xml', settings({ proxy: proxy.url, torProxy: tor.url }));
    expect(fetched).toMatchObject({ kind: 'ok', finalUrl: `http://${ONION}/feed.xml` });
    expect(proxy.requests.map((r) => r.host)).toEqual(['news.example']);
    expect(tor.requests.map((r) => r.host)).toEqual([ONION]);
    expect(fakeDns.calls).toEqual([]);
  });

  it('a name the proxy cannot reach is FM_CONNECT (worth a mirror), naming the proxy', async () => {
    await feedServer();
    const proxy = await socks({ table: {} });
    const error = await failure(fetchVia('http://elsewhere.example/feed.xml', settings({ proxy: proxy.url })));
    expect(error.code).toBe('FM_CONNECT');
    expect(error.message).toBe(`through the proxy ${proxy.url}: the proxy could not reach the host (SOCKS5 reply 4: Host unreachable)`);
    expect(proxy.requests).toMatchObject([{ host: 'elsewhere.example', outcome: 'unknown-name', reached: null }]);
  });

  it('sends an IPv6 literal as an address, not as the bracketed name "[::1]"', async () => {
    const server = await feedServer();
    const proxy = await socks({ table: {} });
    const fetched = await fetchVia(`http://[::1]:${portOf(server)}/feed.xml`, settings({ proxy: proxy.url, allowPrivateNetworks: true }));
    expect(fetched.kind).toBe('ok');
    expect(proxy.requests).toMatchObject([{ type: 'ipv6', host: '0:0:0:0:0:0:0:1', outcome: 'connected' }]);
  });
});

describe('SOCKS5 with names resolved here (socks5://)', () => {
  it('looks the name up here and sends the proxy the address', async () => {
    const server = await feedServer();
    fakeDns.zone.set('local-name.example', [{ address: '127.0.0.1', family: 4 }]);
    const proxy = await socks({ table: {} });
    const url = proxy.url.replace('socks5h:', 'socks5:');
    const fetched = await fetchVia(`http://local-name.example:${portOf(server)}/feed.xml`, settings({ proxy: url, allowPrivateNetworks: true }));
    expect(fetched.kind).toBe('ok');
    expect(proxy.requests).toMatchObject([{ type: 'ipv4', host: '127.0.0.1', port: portOf(server), outcome: 'connected' }]);
    expect(fakeDns.calls).toEqual(['local-name.example']);
  });

  it('judges the answer by the address policy: a name resolving to a private address is refused before the proxy is asked', async () => {
    await feedServer();
    fakeDns.zone.set('intranet.example', [{ address: '10.0.0.5', family: 4 }]);
    const proxy = await socks({ table: {} });
    const error = await failure(fetchVia('http://intranet.example/feed.xml', settings({ proxy: proxy.url.replace('socks5h:', 'socks5:') })));
    expect(error.code).toBe('FM_BLOCKED_ADDRESS');
    expect(proxy.requests).toEqual([]);
  });
});

describe('the address policy judges what the proxy is asked to reach, not the proxy', () => {
  const literals = [
    'http://127.0.0.1:9/feed.xml', 'http://10.0.0.1/feed.xml', 'http://192.168.1.1/feed.xml', 'http://169.254.169.254/latest/',
    'http://[::1]/feed.xml', 'http://[::ffff:10.0.0.1]/feed.xml', 'http://[fd00::1]/feed.xml', 'http://2130706433/feed.xml',
    'http://0x7f.1/feed.xml', 'http://0.0.0.0/feed.xml', 'http://localhost/feed.xml', 'http://printer.local/feed.xml', 'http://db.internal/feed.xml',
  ];
  for (const url of literals) {
    it(`refuses ${url} through a SOCKS5 and a CONNECT proxy before either is asked`, async () => {
      await feedServer();
      const socksProxy = await socks({ table: {} });
      const httpProxy = await connectProxy({ table: {} });
      for (const proxy of [socksProxy.url, httpProxy.url]) {
        expect((await failure(fetchVia(url, settings({ proxy })))).code).toBe('FM_BLOCKED_ADDRESS');
      }
      expect(socksProxy.requests).toEqual([]);
      expect(httpProxy.requests).toEqual([]);
    });
  }
});

describe('HTTP CONNECT proxy', () => {
  it('tunnels an http:// fetch with CONNECT name:port, the name resolved by the proxy', async () => {
    const server = await feedServer();
    const proxy = await connectProxy({ table: { 'news.example:80': portOf(server) } });
    const fetched = await fetchVia('http://news.example/feed.xml', settings({ proxy: proxy.url }));
    expect(fetched.kind === 'ok' && fetched.bytes.toString()).toBe(BODY);
    expect(proxy.requests).toEqual([{ method: 'CONNECT', target: 'news.example:80', user: null, outcome: 'connected', reached: `127.0.0.1:${portOf(server)}` }]);
    expect(fakeDns.calls).toEqual([]);
  });

  it('a target the proxy refuses is FM_CONNECT, naming the proxy', async () => {
    await feedServer();
    const proxy = await connectProxy({ table: {} });
    const error = await failure(fetchVia('http://elsewhere.example/feed.xml', settings({ proxy: proxy.url })));
    expect(error).toMatchObject({ code: 'FM_CONNECT', message: `through the proxy ${proxy.url}: the proxy could not reach the host (HTTP 500 to CONNECT)` });
  });
});

describe('proxy credentials', () => {
  it('CONNECT: user and password from the URL are sent as Proxy-Authorization', async () => {
    const server = await feedServer();
    const proxy = await connectProxy({ table: { 'news.example': portOf(server) }, auth: { username: 'feeduser', password: PASSWORD } });
    const url = proxy.url.replace('//', `//feeduser:${PASSWORD}@`);
    expect((await fetchVia('http://news.example/feed.xml', settings({ proxy: url }))).kind).toBe('ok');
    expect(proxy.requests).toMatchObject([{ user: 'feeduser', outcome: 'connected' }]);
  });

  it('CONNECT: user and password of fetch.proxy from FEEDMIRROR_PROXY_USER / FEEDMIRROR_PROXY_PASSWORD', async () => {
    const server = await feedServer();
    const proxy = await connectProxy({ table: { 'news.example': portOf(server) }, auth: { username: 'envuser', password: PASSWORD } });
    const env = { FEEDMIRROR_PROXY_USER: 'envuser', FEEDMIRROR_PROXY_PASSWORD: PASSWORD };
    expect((await fetchVia('http://news.example/feed.xml', settings({ proxy: proxy.url }), { env })).kind).toBe('ok');
    expect(proxy.requests).toMatchObject([{ user: 'envuser', outcome: 'connected' }]);
  });

  it("the environment's credentials go to fetch.proxy only, never to a source's own proxy", async () => {
    const server = await feedServer();
    const proxy = await connectProxy({ table: { 'news.example': portOf(server) } });
    const other = await connectProxy({ table: { 'news.example': portOf(server) } });
    const env = { FEEDMIRROR_PROXY_USER: 'envuser', FEEDMIRROR_PROXY_PASSWORD: PASSWORD };
    await fetchVia('http://news.example/feed.xml', settings({ proxy: proxy.url }), { env, proxyOverride: other.url });
    expect(other.requests).toMatchObject([{ user: null, outcome: 'connected' }]);
    expect(proxy.requests).toEqual([]);
  });

  it('CONNECT: wrong credentials are FM_PROXY (HTTP 407), and the message hides the password', async () => {
    await feedServer();
    const proxy = await connectProxy({ table: {}, auth: { username: 'feeduser', password: 'right' } });
    const url = proxy.url.replace('//', `//feeduser:${PASSWORD}@`);
    const error = await failure(fetchVia('http://news.example/feed.xml', settings({ proxy: url })));
    expect(error.code).toBe('FM_PROXY');
    expect(error.message).toBe(`through the proxy http://feeduser:***@127.0.0.1:${proxy.port}: the proxy asks for credentials or refused the ones given (HTTP 407)`);
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(PASSWORD);
  });

  it('SOCKS5: user and password (RFC 1929) from the URL', async () => {
    const server = await feedServer();
    const proxy = await socks({ table: { 'news.example': portOf(server) }, auth: { username: 'feeduser', password: PASSWORD } });
    const url = proxy.url.replace('//', `//feeduser:${PASSWORD}@`);
    expect((await fetchVia('http://news.example/feed.xml', settings({ proxy: url }))).kind).toBe('ok');
    expect(proxy.requests).toMatchObject([{ user: 'feeduser', outcome: 'connected' }]);
  });

  it('SOCKS5: a wrong password and no credentials are FM_PROXY, the password hidden', async () => {
    await feedServer();
    const proxy = await socks({ table: {}, auth: { username: 'feeduser', password: 'right' } });
    const wrong = await failure(fetchVia('http://news.example/feed.xml', settings({ proxy: proxy.url.replace('//', `//feeduser:${PASSWORD}@`) })));
    expect(wrong).toMatchObject({ code: 'FM_PROXY', message: `through the proxy socks5h://feeduser:***@127.0.0.1:${proxy.port}: the proxy refused the user name and password` });
    const none = await failure(fetchVia('http://news.example/feed.xml', settings({ proxy: proxy.url })));
    expect(none.code).toBe('FM_PROXY');
    expect(none.message).toContain('accepts none of the offered ways to log in');
    expect(proxy.refusedLogins).toEqual(['feeduser', null]);
    expect(proxy.requests).toEqual([]);
  });
});

describe('a dead proxy', () => {
  for (const scheme of ['http', 'socks5h', 'socks5'] as const) {
    it(`${scheme}:// on a closed loopback port is FM_PROXY naming the proxy, its password hidden`, async () => {
      await feedServer();
      // socks5:// looks the name up before connecting to the proxy: a public answer (data, never connected to)
      fakeDns.zone.set('news.example', [{ address: '93.184.216.34', family: 4 }]);
      const port = await closedPort();
      const error = await failure(fetchVia('http://news.example/feed.xml', settings({ proxy: `${scheme}://u:${PASSWORD}@127.0.0.1:${port}` })));
      expect(error).toMatchObject({ code: 'FM_PROXY', message: `through the proxy ${scheme}://u:***@127.0.0.1:${port}: cannot connect to the proxy (ECONNREFUSED)` });
    });
  }
});

describe('fetch.noProxy and a source of its own', () => {
  it('a noProxy host is fetched directly; the others through the proxy', async () => {
    const server = await feedServer();
    const proxy = await connectProxy({ table: { 'news.example': portOf(server) } });
    const http = settings({ proxy: proxy.url, noProxy: ['127.0.0.0/8'], allowPrivateNetworks: true });
    expect((await fetchVia(server.url('/feed.xml'), http)).kind).toBe('ok');
    expect(proxy.requests).toEqual([]);
    expect((await fetchVia('http://news.example/feed.xml', http)).kind).toBe('ok');
    expect(proxy.requests.map((r) => r.target)).toEqual(['news.example:80']);
  });

  it('a source with proxy false is fetched directly, one with its own proxy through that one', async () => {
    const server = await feedServer();
    const global = await connectProxy({ table: {} });
    const own = await socks({ table: { 'news.example': portOf(server) } });
    const http = settings({ proxy: global.url, allowPrivateNetworks: true });
    expect((await fetchVia(server.url('/feed.xml'), http, { proxyOverride: false })).kind).toBe('ok');
    expect((await fetchVia('http://news.example/feed.xml', http, { proxyOverride: own.url })).kind).toBe('ok');
    expect(global.requests).toEqual([]);
    expect(own.requests.map((r) => r.host)).toEqual(['news.example']);
  });

  it("a source's own proxy ignores fetch.noProxy (an explicit choice), and onions still go through Tor", async () => {
    const server = await feedServer();
    const own = await socks({ table: { 'news.example': portOf(server) } });
    const tor = await socks({ table: { [ONION]: portOf(server) } });
    const http = settings({ noProxy: ['news.example'], torProxy: tor.url });
    expect((await fetchVia('http://news.example/feed.xml', http, { proxyOverride: own.url })).kind).toBe('ok');
    expect((await fetchVia(`http://${ONION}/feed.xml`, http, { proxyOverride: own.url })).kind).toBe('ok');
    expect(own.requests.map((r) => r.host)).toEqual(['news.example']);
    expect(tor.requests.map((r) => r.host)).toEqual([ONION]);
  });
});

describe('https through a proxy', () => {
  const TLS = new URL('../fixtures/tls/', import.meta.url);

  /** A TLS server on 127.0.0.1 that records the SNI name of each ClientHello (its certificate is trusted by no one). */
  async function tlsServer(): Promise<{ port: number; names: string[] }> {
    const names: string[] = [];
    const context = createSecureContext({ key: readFileSync(new URL('news-example.key', TLS)), cert: readFileSync(new URL('news-example.crt', TLS)) });
    const server = createTlsServer({
      SNICallback: (servername, callback) => {
        names.push(servername);
        callback(null, context);
      },
    });
    server.on('secureConnection', (socket) => socket.destroy());
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scope.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { port: (server.address() as AddressInfo).port, names };
  }

  for (const kind of ['socks5h', 'http'] as const) {
    it(`${kind}: TLS runs end to end inside the tunnel, with the target's name as SNI; the self-signed certificate is FM_TLS`, async () => {
      await feedServer();
      const tls = await tlsServer();
      const proxy = kind === 'http' ? await connectProxy({ table: { 'news.example:443': tls.port } }) : await socks({ table: { 'news.example:443': tls.port } });
      const error = await failure(fetchVia('https://news.example/feed.xml', settings({ proxy: proxy.url })));
      expect(error.code).toBe('FM_TLS');
      expect(tls.names).toEqual(['news.example']);
      expect(proxy.requests).toHaveLength(1);
      expect(proxy.requests[0]).toMatchObject(kind === 'http' ? { target: 'news.example:443' } : { host: 'news.example', port: 443 });
      expect(fakeDns.calls).toEqual([]);
    });
  }
});
