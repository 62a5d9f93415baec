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
import ipaddr from 'ipaddr.js';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { guardedLookup, isBlockedAddress, isBlockedHostName } from '../../src/sources/http/address-policy.js';
import { FETCH_DEFAULTS } from '../../src/config/schema.js';
import { feed } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectExit } from './helpers/expectations.js';
import { goodFeedXml, GOOD_TITLE } from './helpers/hostile-responses.js';
import { useChildCleanup } from './helpers/processes.js';
import { runInProcess } from './helpers/in-process.js';
import { ALLOWED_ADDRESSES, BLOCKED_ADDRESSES, BLOCKED_URL_SPELLINGS, FORMER_BLOCK_LIST } from './helpers/ssrf-addresses.js';

const scope = testScope();
useChildCleanup();

describe('isBlockedAddress', () => {
  for (const [address, why] of BLOCKED_ADDRESSES) {
    it(`blocks ${address} (${why})`, () => expect(isBlockedAddress(address)).toBe(true));
  }
  for (const [address, why] of ALLOWED_ADDRESSES) {
    it(`allows ${address} (${why})`, () => expect(isBlockedAddress(address)).toBe(false));
  }
  for (const cidr of FORMER_BLOCK_LIST) {
    it(`still blocks the first and last address of ${cidr} (the former hand list)`, () => {
      for (const address of firstAndLast(cidr)) expect(isBlockedAddress(address), address).toBe(true);
    });
  }
});

function firstAndLast(cidr: string): [string, string] {
  const family = ipaddr.parseCIDR(cidr)[0] instanceof ipaddr.IPv4 ? ipaddr.IPv4 : ipaddr.IPv6;
  return [family.networkAddressFromCIDR(cidr).toString(), family.broadcastAddressFromCIDR(cidr).toString()];
}

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
  for (const [url, spelling] of BLOCKED_URL_SPELLINGS) {
    it(`blocks the host of ${url} (${spelling}: ${new URL(url).hostname} after URL parsing)`, () => expect(isBlockedHostName(new URL(url).hostname)).toBe(true));
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

      const result = await runInProcess(['run', '--config', h.configPath, '--log-format', 'json'], { cwd: h.dir });

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

  it('a source at each internal URL spelling is refused before any request, and a redirect to each one too (MockAgent, no network)', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    scope.defer(() => agent.close());
    const traps = BLOCKED_URL_SPELLINGS.map(([url]) => new URL('feed.xml', url).href);
    // traps: any request to an internal spelling would use one of these up
    for (const trap of traps) agent.get(new URL(trap).origin).intercept({ path: '/feed.xml', method: 'GET' }).reply(200, rssFeed(numberedItems(1)));
    const origin = agent.get('http://public.example');
    traps.forEach((trap, i) => origin.intercept({ path: `/hop/${i}.xml`, method: 'GET' }).reply(302, '', { headers: { location: trap } }));
    origin.intercept({ path: '/good.xml', method: 'GET' }).reply(200, goodFeedXml(), { headers: { 'content-type': 'application/rss+xml' } });
    const direct = traps.map((url, i) => ({ id: `direct${i}`, url }));
    const redirected = traps.map((_, i) => ({ id: `hop${i}`, url: `http://public.example/hop/${i}.xml` }));
    const h = await scope.harness({ sources: [...direct, ...redirected, { id: 'good', url: 'http://public.example/good.xml' }], fetch: { allowPrivateNetworks: false } });

    const { report } = await h.run({ dispatcher: agent });

    const states = await h.states();
    for (const [i, [url, spelling]] of BLOCKED_URL_SPELLINGS.entries()) {
      expect(states.get(`direct${i}`), `source ${url} (${spelling})`).toMatchObject({ lastOutcome: 'error', lastErrorCode: 'FM_BLOCKED_ADDRESS' });
      expect(states.get(`hop${i}`), `redirect to ${url} (${spelling})`).toMatchObject({ lastOutcome: 'error', lastErrorCode: 'FM_BLOCKED_ADDRESS' });
    }
    expect(report.failedSources).toHaveLength(2 * traps.length);
    expect(agent.pendingInterceptors().map((i) => `${i.origin}${i.path}`).sort()).toEqual(traps.map((t) => `${new URL(t).origin}/feed.xml`).sort());
    expect((await h.articles()).map((a) => a.title)).toEqual([GOOD_TITLE]);
  });

  it('with allowPrivateNetworks: true the same loopback feed is fetched (the switch works both ways)', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'internal', url: server.url('/feed.xml') }], fetch: { allowPrivateNetworks: true } });
    await h.run();
    expect(await h.state('internal')).toMatchObject({ lastOutcome: 'ok' });
    expect(server.hits('/feed.xml')).toHaveLength(1);
  });
});
