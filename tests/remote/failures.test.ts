import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { LOG_ERROR } from '../helpers/workspace.js';
import { feed, reply } from './helpers/fixture-server.js';
import { numberedItems, rssFeed } from './helpers/feeds.js';
import { testScope } from './helpers/scope.js';
import { closedPort } from '../helpers/closed-port.js';

const scope = testScope();

/** undici's MockAgent with every real connection refused: nothing leaves this process. */
function offlineAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  scope.defer(() => agent.close());
  return agent;
}

const MALFORMED: { name: string; body: string }[] = [
  { name: 'an unescaped ampersand and an unclosed tag', body: '<?xml version="1.0"?><rss version="2.0"><channel><title>Tom & Jerry</title><item><title>one</item></channel></rss>' },
  { name: 'a truncated document', body: rssFeed(numberedItems(3)).slice(0, 300) },
  { name: 'mismatched tags', body: '<rss version="2.0"><channel><title>x</title><item><title>a</link></item></channel></rss>' },
  { name: 'garbage after the XML declaration', body: '<?xml version="1.0"?>\n\u0000\u0001 not xml at all' },
];

describe('malformed feeds', () => {
  for (const { name, body } of MALFORMED) {
    it(`${name}: the error is recorded and logged, and the good source in the same run is published`, async () => {
      const server = await scope.server();
      server.on('/bad.xml', feed(body));
      server.on('/good.xml', feed(rssFeed(numberedItems(2))));
      const h = await scope.harness({
        sources: [
          { id: 'bad', url: server.url('/bad.xml') },
          { id: 'good', url: server.url('/good.xml') },
        ],
      });
      const { report, logs } = await h.run();
      expect(report.failedSources).toEqual(['bad']);
      const state = await h.state('bad');
      expect(state).toMatchObject({ lastOutcome: 'error', failures: 1 });
      expect(['FM_PARSE', 'FM_NOT_A_FEED']).toContain(state.lastErrorCode);
      const errors = logs.filter((r) => r.level === LOG_ERROR && r.source === 'bad');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.msg).toContain(server.url('/bad.xml'));
      expect((await h.articles()).map((a) => a.title)).toEqual(['Item 2', 'Item 1']);
      const rss = await h.output('all/rss.xml');
      expect(rss).toContain('Item 2');
      expect(rss).toContain('Item 1');
    });
  }

  it('a feed that turns malformed keeps its stored items in the outputs', async () => {
    const server = await scope.server();
    let body = rssFeed(numberedItems(2));
    server.on('/feed.xml', (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body));
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url('/feed.xml') }] });
    await h.run();
    body = '<rss><channel><item>broken';
    await h.run({ all: true });
    expect(await h.state('news')).toMatchObject({ lastOutcome: 'error', failures: 1 });
    expect((await h.articles()).map((a) => a.title)).toEqual(['Item 2', 'Item 1']);
    expect(await h.output('all/atom.xml')).toContain('Item 2');
  });

  for (const [name, body, contentType] of [
    ['an empty body', '', 'application/rss+xml'],
    ['plain text', 'Hello, this is not a feed.', 'text/plain'],
    ['JSON that is not a JSON Feed', '{"hello": "world"}', 'application/json'],
    ['an XML document that is not a feed', '<?xml version="1.0"?><note><to>Tove</to></note>', 'application/xml'],
  ] as const) {
    it(`${name} is a recorded error that says it is not a feed`, async () => {
      const server = await scope.server();
      server.on('/feed', reply({ body, headers: { 'content-type': contentType } }));
      const h = await scope.harness({ sources: [{ id: 'odd', url: server.url('/feed') }] });
      await h.run();
      const state = await h.state('odd');
      expect(state).toMatchObject({ lastOutcome: 'error', lastStatus: null, failures: 1 });
      expect(['FM_PARSE', 'FM_NOT_A_FEED']).toContain(state.lastErrorCode);
      expect(state.lastError).toMatch(/not a (JSON )?feed|empty/i);
    });
  }
});

describe('network failures', () => {
  it('DNS failure (undici MockAgent, no network): FM_DNS is recorded and logged; the other source still publishes', async () => {
    const agent = offlineAgent();
    agent
      .get('http://feeds.nowhere.example')
      .intercept({ path: '/feed.xml', method: 'GET' })
      .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND feeds.nowhere.example'), { code: 'ENOTFOUND' }));
    agent
      .get('http://feeds.somewhere.example')
      .intercept({ path: '/feed.xml', method: 'GET' })
      .reply(200, rssFeed(numberedItems(1)), { headers: { 'content-type': 'application/rss+xml' } });
    const h = await scope.harness({
      sources: [
        { id: 'nowhere', url: 'http://feeds.nowhere.example/feed.xml' },
        { id: 'somewhere', url: 'http://feeds.somewhere.example/feed.xml' },
      ],
    });
    const { report, logs } = await h.run({ dispatcher: agent });
    expect(report.failedSources).toEqual(['nowhere']);
    expect(await h.state('nowhere')).toMatchObject({ lastErrorCode: 'FM_DNS', lastStatus: null, lastOutcome: 'error', failures: 1 });
    const error = logs.find((r) => r.level === LOG_ERROR && r.source === 'nowhere');
    expect(error).toMatchObject({ code: 'FM_DNS', url: 'http://feeds.nowhere.example/feed.xml' });
    expect(error?.msg).toMatch(/DNS/);
    expect((await h.articles()).map((a) => a.title)).toEqual(['Item 1']);
    agent.assertNoPendingInterceptors();
  });

  it('connection refused on 127.0.0.1 is FM_CONNECT', async () => {
    const port = await closedPort();
    const h = await scope.harness({ sources: [{ id: 'refused', url: `http://127.0.0.1:${port}/feed.xml` }] });
    await h.run();
    expect(await h.state('refused')).toMatchObject({ lastErrorCode: 'FM_CONNECT', lastStatus: null, failures: 1 });
  });

  it('a connection reset in the middle of the body is a recorded error, not a crash', async () => {
    const server = await scope.server();
    server.on('/reset.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': 100_000 });
      res.write('<rss version="2.0"><channel>');
      setTimeout(() => res.destroy(), 20);
    });
    const h = await scope.harness({ sources: [{ id: 'reset', url: server.url('/reset.xml') }] });
    const { report } = await h.run();
    expect(report.failedSources).toEqual(['reset']);
    expect(await h.state('reset')).toMatchObject({ lastOutcome: 'error', failures: 1 });
  });
});

describe('private-network guard (fetch.allowPrivateNetworks off, the default)', () => {
  it('a loopback feed URL is refused before any connection: FM_BLOCKED_ADDRESS', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'local', url: server.url('/feed.xml') }], fetch: { allowPrivateNetworks: false } });
    await h.run();
    expect(await h.state('local')).toMatchObject({ lastErrorCode: 'FM_BLOCKED_ADDRESS', failures: 1 });
    expect(server.requests).toHaveLength(0);
  });

  it('a public feed that redirects to a loopback address is refused: FM_BLOCKED_ADDRESS', async () => {
    const agent = offlineAgent();
    agent
      .get('http://public.example')
      .intercept({ path: '/feed.xml', method: 'GET' })
      .reply(302, '', { headers: { location: 'http://127.0.0.1:9/feed.xml' } });
    const h = await scope.harness({ sources: [{ id: 'rebind', url: 'http://public.example/feed.xml' }], fetch: { allowPrivateNetworks: false } });
    await h.run({ dispatcher: agent });
    expect(await h.state('rebind')).toMatchObject({ lastErrorCode: 'FM_BLOCKED_ADDRESS', failures: 1 });
  });
});
