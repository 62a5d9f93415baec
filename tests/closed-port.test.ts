/**
 * The dead hosts of the mirror, full-text and proxy tests: a port found refusing must keep refusing
 * while other workers start servers on port 0 (the failure this guards against: a dead origin's
 * freed port taken over by another file's server, which answered HTTP 404).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closedPort, listenOnReservedPort, LOCAL_PORT_RANGE_START, workerSlice } from './helpers/closed-port.js';

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

function listenOnPortZero(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('closed ports for tests', () => {
  it('are refused, distinct from call to call, and below the range port 0 draws from', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => closedPort()));
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeLessThan(LOCAL_PORT_RANGE_START);
      expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    }
  });

  it('each vitest worker hands out ports from its own slice, so two workers never share one', async () => {
    const saved = process.env.VITEST_POOL_ID;
    try {
      const slices = [1, 2, 3].map((id) => {
        process.env.VITEST_POOL_ID = String(id);
        return workerSlice();
      });
      for (let i = 1; i < slices.length; i++) {
        expect(slices[i]!.start).toBeGreaterThanOrEqual(slices[i - 1]!.start + slices[i - 1]!.size);
      }
      process.env.VITEST_POOL_ID = '2';
      const ports = await Promise.all(Array.from({ length: 5 }, () => closedPort()));
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(slices[1]!.start);
        expect(port).toBeLessThan(slices[1]!.start + slices[1]!.size);
      }
    } finally {
      if (saved === undefined) delete process.env.VITEST_POOL_ID;
      else process.env.VITEST_POOL_ID = saved;
    }
  });

  it('a server on a reserved port, once closed, refuses while 200 servers start on port 0', async () => {
    const server = net.createServer();
    const port = await listenOnReservedPort(server);
    expect(await connectOutcome(port)).toBe('connected');
    await close(server);
    const others = await Promise.all(Array.from({ length: 200 }, () => listenOnPortZero()));
    try {
      expect(others.map((o) => (o.address() as net.AddressInfo).port)).not.toContain(port);
      expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    } finally {
      await Promise.all(others.map(close));
    }
  });
});
