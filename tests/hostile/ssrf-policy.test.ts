/**
 * SSRF policy (issue 8): with `fetch.allowPrivateNetworks` false (the default), a source or a
 * redirect whose host is or resolves to a loopback, private, link-local or otherwise internal
 * address is refused before any connection is opened.
 *
 * No test here opens a connection outside 127.0.0.0/8: the address check is unit-tested, the
 * loopback cases use the 127.0.0.1 fixture server (which must see no request), and redirects to
 * internal addresses go through undici's MockAgent with disableNetConnect(). DNS answers for
 * outside names are faked in ssrf-dns.test.ts; the only real lookup here is "localhost".
 */
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { guardedLookup, isBlockedAddress, isBlockedHostName } from '../../src/sources/http/address-policy.js';
import { FETCH_DEFAULTS } from '../../src/config/schema.js';
import { feed } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectExit } from './helpers/expectations.js';
import { goodFeedXml, GOOD_TITLE } from './helpers/hostile-responses.js';
import { runFeedmirror, useChildCleanup } from './helpers/processes.js';

const scope = testScope();
useChildCleanup();

const BLOCKED_ADDRESSES: [string, string][] = [
  ['127.0.0.1', 'IPv4 loopback'],
  ['127.255.255.254', 'the whole of 127/8'],
  ['::1', 'IPv6 loopback'],
  ['10.0.0.1', 'RFC 1918 10/8'],
  ['10.255.255.255', 'RFC 1918 10/8, last address'],
  ['172.16.0.1', 'RFC 1918 172.16/12, first block'],
  ['172.31.255.254', 'RFC 1918 172.16/12, last block'],
  ['192.168.1.1', 'RFC 1918 192.168/16'],
  ['169.254.169.254', 'link-local: cloud metadata service'],
  ['169.254.0.1', 'link-local'],
  ['100.64.0.1', 'CGNAT 100.64/10'],
  ['100.127.255.254', 'CGNAT 100.64/10, last address'],
  ['0.0.0.0', 'unspecified (reaches the local host on Linux)'],
  ['0.1.2.3', '0/8 "this network"'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast / reserved 240/4'],
  ['198.18.0.1', 'benchmarking 198.18/15'],
  ['fc00::', 'IPv6 unique local fc00::/7, first address'],
  ['fc00::1', 'IPv6 unique local fc00::/7'],
  ['fd12:3456:789a::1', 'IPv6 unique local fd00::/8'],
  ['fe80::', 'IPv6 link-local fe80::/10, first address'],
  ['fe80::1', 'IPv6 link-local'],
  ['FE80::ABCD', 'IPv6 link-local, upper case'],
  ['::', 'IPv6 unspecified'],
  ['ff02::1', 'IPv6 multicast'],
  ['::ffff:10.0.0.1', 'IPv4-mapped IPv6 of a private address'],
  ['::ffff:a00:1', 'IPv4-mapped IPv6 of 10.0.0.1, hex form (as the URL parser writes it)'],
  ['::ffff:127.0.0.1', 'IPv4-mapped IPv6 loopback'],
  ['::ffff:169.254.169.254', 'IPv4-mapped IPv6 metadata address'],
  ['64:ff9b::a00:1', 'NAT64 of 10.0.0.1'],
  ['not-an-address', 'not an IP at all: refused rather than guessed'],
];

const ALLOWED_ADDRESSES: [string, string][] = [
  ['93.184.216.34', 'public IPv4 (example.com)'],
  ['1.1.1.1', 'public IPv4'],
  ['8.8.8.8', 'public IPv4'],
  ['172.32.0.1', 'just outside 172.16/12'],
  ['100.128.0.1', 'just outside 100.64/10'],
  ['11.0.0.1', 'just outside 10/8'],
  ['192.169.0.1', 'just outside 192.168/16'],
  ['2606:4700::1', 'public IPv6 (Cloudflare)'],
  ['2001:4860:4860::8888', 'public IPv6 (Google DNS)'],
  ['::ffff:93.184.216.34', 'IPv4-mapped IPv6 of a public address'],
];

describe('isBlockedAddress', () => {
  for (const [address, why] of BLOCKED_ADDRESSES) {
    it(`blocks ${address} (${why})`, () => expect(isBlockedAddress(address)).toBe(true));
  }
  for (const [address, why] of ALLOWED_ADDRESSES) {
    it(`allows ${address} (${why})`, () => expect(isBlockedAddress(address)).toBe(false));
  }
});

describe('isBlockedHostName (checked before any DNS lookup)', () => {
  const blocked: [string, string][] = [
    ['localhost', 'the loopback name'],
    ['LOCALHOST', 'any case'],
    ['api.localhost', 'RFC 6761: *.localhost is loopback'],
    ['printer.local', 'mDNS names are on the local network'],
    ['metadata.google.internal', 'cloud-internal names'],
    ['127.0.0.1', 'an IPv4 literal'],
    ['[::1]', 'a bracketed IPv6 literal, as URL.hostname gives it'],
    ['[::ffff:a00:1]', 'a bracketed IPv4-mapped literal'],
    ['169.254.169.254', 'the metadata address'],
  ];
  for (const [host, why] of blocked) {
    it(`blocks ${host} (${why})`, () => expect(isBlockedHostName(host)).toBe(true));
  }
  for (const host of ['example.com', 'feeds.example.org', '93.184.216.34', '[2606:4700::1]', 'localhost.example.com', 'notlocal']) {
    it(`does not block ${host} by name (DNS answers are checked later by guardedLookup)`, () => expect(isBlockedHostName(host)).toBe(false));
  }
  // URL parsing normalizes the spellings of an address that attackers use to slip past string checks.
  for (const url of ['http://127.1/', 'http://0x7f000001/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://[::ffff:10.0.0.1]/', 'http://169.254.169.254./']) {
    it(`blocks the host of ${url} (${new URL(url).hostname} after URL parsing)`, () => expect(isBlockedHostName(new URL(url).hostname)).toBe(true));
  }
  it('blocks the fully qualified spelling of localhost ("localhost." with the root dot)', () => {
    // "localhost." is the same name as "localhost"; without this the check falls through to a DNS query for it
    expect(isBlockedHostName('localhost.')).toBe(true);
    expect(isBlockedHostName(new URL('http://api.localhost./').hostname)).toBe(true);
  });
});

describe('guardedLookup with the real resolver, for a name that resolves locally', () => {
  it('refuses "localhost" (127.0.0.1 / ::1) with FM_BLOCKED_ADDRESS', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', {}, (e) => resolve(e)));
    expect(error).toMatchObject({ code: 'FM_BLOCKED_ADDRESS' });
    expect(error?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
  });
});

describe('feeds on internal addresses, end to end', () => {
  it('the policy is on by default (fetch.allowPrivateNetworks: false)', () => {
    expect(FETCH_DEFAULTS.allowPrivateNetworks).toBe(false);
  });

  for (const host of ['127.0.0.1', '127.1', 'localhost', '[::ffff:127.0.0.1]', '0x7f000001']) {
    it(`a source at http://${host}:PORT/ is refused with FM_BLOCKED_ADDRESS and the server sees no request (CLI run)`, async () => {
      const server = await scope.server();
      const port = new URL(server.origin).port;
      server.on('/feed.xml', feed(rssFeed(numberedItems(1))));
      // the harness writes allowPrivateNetworks: true unless told otherwise; this test is the exception
      const h = await scope.harness({ sources: [{ id: 'internal', url: `http://${host}:${port}/feed.xml` }], fetch: { allowPrivateNetworks: false } });

      const result = await runFeedmirror(['run', '--config', h.configPath, '--log-format', 'json'], { cwd: h.dir, measure: false });

      expectExit(result, 0);
      expect(await h.state('internal')).toMatchObject({ lastOutcome: 'error', lastErrorCode: 'FM_BLOCKED_ADDRESS', lastStatus: null });
      expect((await h.state('internal')).lastError).toMatch(/private or local address/);
      expect(server.requests).toEqual([]);
      expect(await h.articles()).toEqual([]);
    });
  }

  for (const target of ['http://10.0.0.5/feed', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:10.0.0.5]/feed', 'http://localhost/feed', 'http://0.0.0.0/feed', 'http://[fd00::5]/feed']) {
    it(`a public feed that redirects (302) to ${target} is refused before any connection (undici MockAgent, no network)`, async () => {
      const agent = new MockAgent();
      agent.disableNetConnect();
      scope.defer(() => agent.close());
      agent.get('http://feeds.public.example').intercept({ path: '/feed.xml', method: 'GET' }).reply(302, '', { headers: { location: target } });
      agent.get('http://good.public.example').intercept({ path: '/feed.xml', method: 'GET' }).reply(200, goodFeedXml(), { headers: { 'content-type': 'application/rss+xml' } });
      // a trap: if feedmirror requested the internal target, this interceptor would be used up
      const internal = new URL(target);
      agent.get(internal.origin).intercept({ path: `${internal.pathname}${internal.search}`, method: 'GET' }).reply(200, rssFeed(numberedItems(1)));
      const h = await scope.harness({
        sources: [
          { id: 'rebind', url: 'http://feeds.public.example/feed.xml' },
          { id: 'good', url: 'http://good.public.example/feed.xml' },
        ],
        fetch: { allowPrivateNetworks: false },
      });

      const { report } = await h.run({ dispatcher: agent });

      expect(report.failedSources).toEqual(['rebind']);
      expect(await h.state('rebind')).toMatchObject({ lastErrorCode: 'FM_BLOCKED_ADDRESS', lastOutcome: 'error' });
      const pending = agent.pendingInterceptors().map((i) => `${i.origin}${i.path}`);
      expect(pending).toEqual([`${internal.origin}${internal.pathname}${internal.search}`]);
      expect((await h.articles()).map((a) => a.title)).toEqual([GOOD_TITLE]);
    });
  }

  it('with allowPrivateNetworks: true the same loopback feed is fetched (the switch works both ways)', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'internal', url: server.url('/feed.xml') }], fetch: { allowPrivateNetworks: true } });
    await h.run();
    expect(await h.state('internal')).toMatchObject({ lastOutcome: 'ok' });
    expect(server.hits('/feed.xml')).toHaveLength(1);
  });
});
