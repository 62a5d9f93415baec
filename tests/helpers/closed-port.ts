import { readFileSync } from 'node:fs';
import net from 'node:net';

/*
 * A port freed by closing a server is the kernel's to hand out again: with several test workers
 * starting servers on port 0 at once, another file's server can land on it and answer (a test that
 * expected "connection refused" then sees HTTP 404). Every test server listens on port 0, which the
 * kernel picks from ip_local_port_range, so a port below that range that refuses now keeps refusing.
 */

const SPAN = 10_000;
const handedOut = new Set<number>();

/** The first port of the kernel's range for port-0 listens (ip_local_port_range). */
export const LOCAL_PORT_RANGE_START = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    // not Linux: the IANA dynamic range starts higher still, so Linux's default leaves room below it
    return 32_768;
  }
})();

const WORKER_SLICES = 16;

/**
 * This worker's share of the ports below the range. vitest numbers its running workers 1..N
 * (VITEST_POOL_ID); each draws from its own slice, so two workers never hand out the same port
 * (one closing a reserved server while another probes it). Outside vitest: the whole span.
 */
export function workerSlice(): { start: number; size: number } {
  const start = Math.max(1024, LOCAL_PORT_RANGE_START - SPAN);
  const size = LOCAL_PORT_RANGE_START - start;
  const poolId = Number(process.env.VITEST_POOL_ID);
  const sliceSize = Math.floor(size / WORKER_SLICES);
  if (!Number.isInteger(poolId) || poolId < 1 || sliceSize < 100) return { start, size };
  return { start: start + ((poolId - 1) % WORKER_SLICES) * sliceSize, size: sliceSize };
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** A port on 127.0.0.1 that nothing listens on and no test server will (connections to it are refused). */
export async function closedPort(): Promise<number> {
  const { start, size } = workerSlice();
  if (size < 100) return closedAfterUse();
  const first = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = start + ((first + i) % size);
    if (handedOut.has(port)) continue;
    // Taken before the probe, not after: calls made at once (Promise.all) would otherwise probe
    // the same port together and both get it. Distinct per call, so a test that needs two dead
    // hosts (an origin and a mirror) gets two.
    handedOut.add(port);
    if (await refuses(port)) return port;
    handedOut.delete(port);
  }
  return closedAfterUse();
}

/** "http://127.0.0.1:<closedPort>" (no trailing slash): a dead origin. */
export async function closedOrigin(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}

/** The fallback where the local port range leaves no room below it: bound a moment ago, closed again. */
function closedAfterUse(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Listens on a port from the same range, for a server a test closes to make its host refuse
 * connections: once closed, no server on port 0 can take the port over.
 */
export async function listenOnReservedPort(server: net.Server): Promise<number> {
  for (;;) {
    const port = await closedPort();
    const taken = await new Promise<boolean>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(true) : reject(error));
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve(false);
      });
    });
    if (!taken) return port;
  }
}
