/**
 * What one client may take of `feedmirror serve`: the limits set on the server, and what a client
 * that exceeds each one sees on a raw TCP socket to 127.0.0.1. The servers are the ones serve
 * builds (createFeedServer / createAdminServer), in this process, with small limits passed in so
 * that nothing waits for the real ones; every assertion is on what the server does (answers 408,
 * closes the socket), never on how long it took.
 */
import net from 'node:net';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { FeedMetrics } from '../../src/serve/metrics.js';
import { createAdminServer, createFeedServer, type ServerDeps } from '../../src/serve/server.js';
import { SERVER_LIMITS, type ServerLimits } from '../../src/serve/server-limits.js';
import { opsConfig } from './helpers/configs.js';
import { opsScope, sleep, waitFor } from './helpers/ops-scope.js';

const scope = opsScope();

async function serverDeps(): Promise<ServerDeps> {
  const ws = await scope.workspace({ config: opsConfig() });
  const config = await loadConfig(ws.configPath);
  return { config: () => config, logger: pino({ level: 'silent' }), metrics: new FeedMetrics({ config: () => config, store: async () => null }), store: async () => null };
}

/** serve's public server with some limits lowered, listening on a free port of 127.0.0.1. */
async function startServer(limits: Partial<ServerLimits>): Promise<number> {
  const server = createFeedServer(await serverDeps(), { limits: { ...SERVER_LIMITS, ...limits } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(() => closeServer(server));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/** A raw client: what it has received so far, and whether the server has closed the connection. */
interface RawClient {
  socket: net.Socket;
  received(): string;
  isClosed(): boolean;
}

async function connect(port: number): Promise<RawClient> {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  let closed = false;
  socket.setEncoding('latin1').on('data', (chunk: string) => (data += chunk));
  socket.on('close', () => (closed = true)).on('error', () => undefined);
  scope.defer(() => void socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, received: () => data, isClosed: () => closed };
}

describe('serve: the limits on the server', () => {
  it('are the documented values, on the public and the admin server alike', async () => {
    expect(SERVER_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 60_000,
      checkIntervalMs: 1_000,
      maxHeaderBytes: 16_384,
      maxHeadersCount: 100,
      maxConnections: 512,
    });
    const deps = await serverDeps();
    for (const server of [createFeedServer(deps), createFeedServer(deps, { adminRoutes: false }), createAdminServer(deps)]) {
      expect(server.headersTimeout).toBe(10_000);
      expect(server.requestTimeout).toBe(30_000);
      expect(server.keepAliveTimeout).toBe(5_000);
      expect(server.timeout).toBe(60_000);
      expect(server.maxHeadersCount).toBe(100);
      expect(server.maxConnections).toBe(512);
      expect((server as http.Server & { maxHeaderSize?: number }).maxHeaderSize).toBe(16_384);
    }
  });
});

describe('serve: clients that exceed them', () => {
  it('a client that sends its headers one byte at a time, for ever, gets 408 and the socket closed', async () => {
    const port = await startServer({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 });
    const client = await connect(port);
    client.socket.write('GET /all/rss.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await waitFor(async () => {
      if (!client.isClosed()) client.socket.write('a');
      await sleep(25);
      return client.isClosed();
    }, 'the server to close the slow client');
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a client that connects and sends nothing gets 408 and is disconnected', async () => {
    const port = await startServer({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 });
    const client = await connect(port);
    await waitFor(() => client.isClosed(), 'the server to close the silent client');
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('an idle keep-alive connection is closed after its response', async () => {
    const port = await startServer({ keepAliveTimeoutMs: 200 });
    const client = await connect(port);
    client.socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await waitFor(() => client.isClosed(), 'the server to close the idle keep-alive connection');
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.received()).toMatch(/\r\nConnection: keep-alive\r\n/i);
  });

  it('headers over the size limit get 431 and the socket closed', async () => {
    const port = await startServer({});
    const client = await connect(port);
    client.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await waitFor(() => client.isClosed(), 'the server to close the connection');
    expect(client.received()).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('a connection over the limit is closed as it arrives; those within it are served', async () => {
    const port = await startServer({ maxConnections: 2 });
    const first = await connect(port);
    const second = await connect(port);
    const third = await connect(port);
    await waitFor(() => third.isClosed(), 'the server to drop the third connection');
    expect(third.received()).toBe('');
    for (const client of [first, second]) {
      client.socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await waitFor(() => client.isClosed(), 'the response');
      expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    }
  });
});
