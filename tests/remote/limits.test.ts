import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LOG_ERROR } from '../helpers/workspace.js';
import { drip, feed, reply, silent, type Handler } from './helpers/fixture-server.js';
import { numberedItems, rssFeed } from './helpers/feeds.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

/**
 * Timeouts here are short on purpose so the tests end quickly; nothing asserts how long a fetch
 * took. Where two timeouts race, the other one is set 20× longer and the test asserts which one
 * fired (by its reason), not when.
 */
const SHORT = 500; // ms
const LONG = 10_000; // ms
const SLOW_CASE = { timeout: 30_000 };

const HEAD = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Never ends</title>\n';

/** A body of `bytes` bytes, sent in 1 KB chunks without a Content-Length (chunked encoding). */
function chunked(body: string): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    for (let i = 0; i < body.length; i += 1024) response.write(body.slice(i, i + 1024));
    response.end();
  };
}

/** Chunks forever, as fast as the socket takes them: only a size limit stops it. */
function endless(): Handler {
  return (request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml' });
    response.write(HEAD);
    const chunk = `<!-- ${'x'.repeat(8000)} -->\n`;
    let open = true;
    response.on('close', () => (open = false));
    const pump = () => {
      while (open && response.write(chunk));
      if (open) response.once('drain', pump);
    };
    pump();
    request.on('close', () => (open = false));
  };
}

/** A big feed: `count` items of padded text. */
function bigFeed(count: number): string {
  return rssFeed(numberedItems(count).map((item) => ({ ...item, description: `${item.description} ${'lorem ipsum '.repeat(80)}` })));
}

describe('timeouts', () => {
  it('a body that drips past the total timeout is FM_TIMEOUT (per-source totalTimeoutMs), and the other source is still published', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/slow.xml', drip(HEAD, 50));
    server.on('/good.xml', feed(rssFeed(numberedItems(2))));
    const h = await scope.harness({
      sources: [
        { id: 'slow', url: server.url('/slow.xml'), fetch: { totalTimeoutMs: SHORT } },
        { id: 'good', url: server.url('/good.xml') },
      ],
    });
    const { report, logs } = await h.run();
    expect(report.failedSources).toEqual(['slow']);
    const state = await h.state('slow');
    expect(state).toMatchObject({ lastErrorCode: 'FM_TIMEOUT', lastOutcome: 'error', lastStatus: null, failures: 1 });
    expect(state.lastError).toMatch(/timed out/);
    const error = logs.find((r) => r.level === LOG_ERROR && r.source === 'slow');
    expect(error).toMatchObject({ code: 'FM_TIMEOUT', url: server.url('/slow.xml') });
    expect((await h.articles()).map((a) => a.title)).toEqual(['Item 2', 'Item 1']);
  });

  it('a server that never sends headers is FM_TIMEOUT under the global totalTimeoutMs', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/silent.xml', silent());
    const h = await scope.harness({ sources: [{ id: 'silent', url: server.url('/silent.xml') }], fetch: { totalTimeoutMs: SHORT } });
    await h.run();
    expect(await h.state('silent')).toMatchObject({ lastErrorCode: 'FM_TIMEOUT', failures: 1 });
  });

  it('global headersTimeoutMs: a server that never sends headers times out waiting for headers', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/silent.xml', silent());
    const h = await scope.harness({ sources: [{ id: 'silent', url: server.url('/silent.xml') }], fetch: { headersTimeoutMs: SHORT, totalTimeoutMs: LONG } });
    await h.run();
    const state = await h.state('silent');
    expect(state.lastErrorCode).toBe('FM_TIMEOUT');
    expect(state.lastError).toMatch(/headers/);
  });

  it('global bodyIdleTimeoutMs: a body that stalls times out waiting for data', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/stall.xml', drip(HEAD, 3_600_000));
    const h = await scope.harness({ sources: [{ id: 'stall', url: server.url('/stall.xml') }], fetch: { bodyIdleTimeoutMs: SHORT, totalTimeoutMs: LONG } });
    await h.run();
    const state = await h.state('stall');
    expect(state.lastErrorCode).toBe('FM_TIMEOUT');
    expect(state.lastError).toMatch(/no data|body/);
  });

  it('per-source headersTimeoutMs overrides the global one', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/silent.xml', silent());
    const h = await scope.harness({
      sources: [{ id: 'silent', url: server.url('/silent.xml'), fetch: { headersTimeoutMs: SHORT } }],
      fetch: { headersTimeoutMs: 60_000, totalTimeoutMs: LONG },
    });
    await h.run();
    const state = await h.state('silent');
    expect(state.lastErrorCode).toBe('FM_TIMEOUT');
    // The source's own 500 ms headers timeout fired, not the 10 s total deadline.
    expect(state.lastError).toMatch(/headers/);
  });

  it('per-source bodyIdleTimeoutMs overrides the global one', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/stall.xml', drip(HEAD, 3_600_000));
    const h = await scope.harness({
      sources: [{ id: 'stall', url: server.url('/stall.xml'), fetch: { bodyIdleTimeoutMs: SHORT } }],
      fetch: { bodyIdleTimeoutMs: 60_000, totalTimeoutMs: LONG },
    });
    await h.run();
    const state = await h.state('stall');
    expect(state.lastErrorCode).toBe('FM_TIMEOUT');
    expect(state.lastError).toMatch(/no data/);
  });

  it('the total timeout is recorded by the CLI run as well, which still exits 0', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/slow.xml', drip(HEAD, 50));
    const h = await scope.harness({ sources: [{ id: 'slow', url: server.url('/slow.xml'), fetch: { totalTimeoutMs: SHORT } }] });
    const result = await h.cli();
    expect(result.code, result.stderr).toBe(0);
    expect(await h.state('slow')).toMatchObject({ lastErrorCode: 'FM_TIMEOUT' });
    expect(result.logs.filter((r) => r.level === LOG_ERROR && r.code === 'FM_TIMEOUT')).toHaveLength(1);
  });
});

describe('size limits', () => {
  const LIMIT = 20_000; // bytes
  const body = bigFeed(60);

  it('the fixture is really over the limit', () => {
    expect(Buffer.byteLength(body)).toBeGreaterThan(2 * LIMIT);
  });

  it('a body over maxBodyBytes with a Content-Length is FM_TOO_BIG', async () => {
    const server = await scope.server();
    server.on('/big.xml', reply({ body, headers: { 'content-type': 'application/rss+xml', 'content-length': Buffer.byteLength(body) } }));
    const h = await scope.harness({ sources: [{ id: 'big', url: server.url('/big.xml'), fetch: { maxBodyBytes: LIMIT } }] });
    await h.run();
    expect(await h.state('big')).toMatchObject({ lastErrorCode: 'FM_TOO_BIG', lastOutcome: 'error', failures: 1 });
    expect(await h.articles()).toEqual([]);
  });

  it('a body over maxBodyBytes without a Content-Length (chunked) is FM_TOO_BIG', async () => {
    const server = await scope.server();
    server.on('/big.xml', chunked(body));
    const h = await scope.harness({ sources: [{ id: 'big', url: server.url('/big.xml') }], fetch: { maxBodyBytes: LIMIT } });
    await h.run();
    expect(await h.state('big')).toMatchObject({ lastErrorCode: 'FM_TOO_BIG', failures: 1 });
  });

  it('an endless body is cut at the limit (FM_TOO_BIG), not read to the end', SLOW_CASE, async () => {
    const server = await scope.server();
    server.on('/endless.xml', endless());
    const h = await scope.harness({ sources: [{ id: 'endless', url: server.url('/endless.xml'), fetch: { maxBodyBytes: LIMIT } }] });
    await h.run();
    expect(await h.state('endless')).toMatchObject({ lastErrorCode: 'FM_TOO_BIG' });
  });

  it('a body under the limit is read', async () => {
    const server = await scope.server();
    const small = bigFeed(10);
    expect(Buffer.byteLength(small)).toBeLessThan(LIMIT);
    server.on('/ok.xml', chunked(small));
    const h = await scope.harness({ sources: [{ id: 'ok', url: server.url('/ok.xml'), fetch: { maxBodyBytes: LIMIT } }] });
    await h.run();
    expect(await h.articles()).toHaveLength(10);
  });

  const BOMB_BYTES = 64 * 1024 * 1024; // decoded
  const bombs: { encoding: string; make: (b: Buffer) => Buffer }[] = [
    { encoding: 'gzip', make: (b) => zlib.gzipSync(b, { level: 9 }) },
    { encoding: 'deflate', make: (b) => zlib.deflateSync(b, { level: 9 }) },
    { encoding: 'br', make: (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }) },
  ];
  for (const { encoding, make } of bombs) {
    it(`a ${encoding} bomb (small on the wire, ${BOMB_BYTES / 1024 / 1024} MB decoded) is FM_TOO_BIG`, SLOW_CASE, async () => {
      const server = await scope.server();
      const wire = make(Buffer.concat([Buffer.from(HEAD), Buffer.alloc(BOMB_BYTES - HEAD.length, 0x20)]));
      const limit = 1_000_000;
      expect(wire.length).toBeLessThan(limit);
      server.on('/bomb.xml', reply({ body: wire, headers: { 'content-type': 'application/rss+xml', 'content-encoding': encoding, 'content-length': wire.length } }));
      server.on('/good.xml', feed(rssFeed(numberedItems(1))));
      const h = await scope.harness({
        sources: [
          { id: 'bomb', url: server.url('/bomb.xml') },
          { id: 'good', url: server.url('/good.xml') },
        ],
        fetch: { maxBodyBytes: limit },
      });
      const { report } = await h.run();
      expect(report.failedSources).toEqual(['bomb']);
      expect(await h.state('bomb')).toMatchObject({ lastErrorCode: 'FM_TOO_BIG', failures: 1 });
      expect(await h.articles()).toHaveLength(1);
    });
  }
});
