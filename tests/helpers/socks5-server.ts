/**
 * A SOCKS5 proxy on 127.0.0.1 for the proxy tests (RFC 1928 CONNECT, RFC 1929 user/password).
 * It resolves nothing: a name is looked up in its table (fixture names such as "news.example" or
 * "abcdefghijklmnop.onion" → a port on 127.0.0.1), an address is accepted only on loopback, and
 * every other target is refused. Every request is logged as it arrived (a name stays a name), so a
 * test can prove that names were not resolved before reaching the proxy and that nothing but
 * 127.0.0.1 was ever connected to.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SocksRequest {
  /** How the client named the target: as a name (resolved by the proxy) or as an address. */
  type: 'domain' | 'ipv4' | 'ipv6';
  host: string;
  port: number;
  /** The user name the client logged in with (the password is checked, never kept). */
  user: string | null;
  outcome: 'connected' | 'unknown-name' | 'not-loopback' | 'target-refused';
  /** "127.0.0.1:41234": where the proxy connected, for `connected`. */
  reached: string | null;
}

export interface SocksProxy {
  port: number;
  /** "socks5h://127.0.0.1:P" (no credentials). */
  url: string;
  /** Every CONNECT request, in order. */
  requests: SocksRequest[];
  /** Logins refused (wrong or missing credentials), by user name. */
  refusedLogins: (string | null)[];
  close(): Promise<void>;
}

export interface SocksOptions {
  /** "name" or "name:port" → port on 127.0.0.1. */
  table: Record<string, number>;
  /** Require RFC 1929 user/password authentication. */
  auth?: { username: string; password: string };
}

const REPLY = { ok: 0, notAllowed: 2, hostUnreachable: 4, refused: 5, commandNotSupported: 7, addressNotSupported: 8 };

export async function startSocksProxy(options: SocksOptions): Promise<SocksProxy> {
  const requests: SocksRequest[] = [];
  const refusedLogins: (string | null)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    serve(socket, options, requests, refusedLogins).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `socks5h://127.0.0.1:${port}`,
    requests,
    refusedLogins,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serve(socket: Socket, options: SocksOptions, requests: SocksRequest[], refusedLogins: (string | null)[]): Promise<void> {
  const input = byteReader(socket);
  const [version, count] = await input.read(2);
  if (version !== 5) return void socket.destroy();
  const methods = [...(await input.read(count!))];
  const user = await logIn(socket, input, methods, options.auth ?? null, refusedLogins);
  if (user === false) return;
  const [, command, , addressType] = await input.read(4);
  const target = await readAddress(input, addressType!);
  const port = (await input.read(2)).readUInt16BE(0);
  if (command !== 1 || target === null) return reply(socket, command !== 1 ? REPLY.commandNotSupported : REPLY.addressNotSupported);
  const entry: SocksRequest = { ...target, port, user, outcome: 'connected', reached: null };
  requests.push(entry);
  const destination = resolveInTable(target, port, options.table);
  if (typeof destination === 'string') {
    entry.outcome = destination;
    return reply(socket, destination === 'unknown-name' ? REPLY.hostUnreachable : REPLY.notAllowed);
  }
  tunnel(socket, input, destination, entry);
}

/** The user name once logged in (null without authentication), or false when refused. */
async function logIn(socket: Socket, input: ByteReader, methods: number[], auth: SocksOptions['auth'] | null, refused: (string | null)[]): Promise<string | null | false> {
  if (!auth) {
    if (!methods.includes(0)) return fail(socket, Buffer.from([5, 0xff]));
    socket.write(Buffer.from([5, 0]));
    return null;
  }
  if (!methods.includes(2)) {
    refused.push(null);
    return fail(socket, Buffer.from([5, 0xff]));
  }
  socket.write(Buffer.from([5, 2]));
  const [, userLength] = await input.read(2);
  const username = (await input.read(userLength!)).toString('utf8');
  const [passwordLength] = await input.read(1);
  const password = (await input.read(passwordLength!)).toString('utf8');
  if (username !== auth.username || password !== auth.password) {
    refused.push(username);
    return fail(socket, Buffer.from([1, 1]));
  }
  socket.write(Buffer.from([1, 0]));
  return username;
}

function fail(socket: Socket, bytes: Buffer): false {
  socket.end(bytes);
  return false;
}

async function readAddress(input: ByteReader, type: number): Promise<Pick<SocksRequest, 'type' | 'host'> | null> {
  if (type === 1) return { type: 'ipv4', host: [...(await input.read(4))].join('.') };
  if (type === 3) {
    const [length] = await input.read(1);
    return { type: 'domain', host: (await input.read(length!)).toString('utf8') };
  }
  if (type === 4) {
    const bytes = await input.read(16);
    const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
    return { type: 'ipv6', host: groups.join(':') };
  }
  return null;
}

/** A port on 127.0.0.1, or why the target is refused. Only loopback addresses are ever accepted. */
function resolveInTable(target: Pick<SocksRequest, 'type' | 'host'>, port: number, table: Record<string, number>): number | 'unknown-name' | 'not-loopback' {
  if (target.type === 'domain') return table[`${target.host}:${port}`] ?? table[target.host] ?? 'unknown-name';
  const loopback = target.type === 'ipv4' ? target.host.startsWith('127.') : target.host === '0:0:0:0:0:0:0:1';
  return loopback ? port : 'not-loopback';
}

function tunnel(socket: Socket, input: ByteReader, port: number, entry: SocksRequest): void {
  const upstream = netConnect({ host: '127.0.0.1', port });
  upstream.on('error', () => {
    if (entry.reached === null) {
      entry.outcome = 'target-refused';
      reply(socket, REPLY.refused);
    } else socket.destroy();
  });
  upstream.on('connect', () => {
    entry.reached = `127.0.0.1:${port}`;
    reply(socket, REPLY.ok, port, false);
    const early = input.detach();
    if (early.length > 0) upstream.write(early);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  socket.on('close', () => upstream.destroy());
}

function reply(socket: Socket, code: number, port = 0, end = true): void {
  const bytes = Buffer.from([5, code, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]);
  if (end) socket.end(bytes);
  else socket.write(bytes);
}

interface ByteReader {
  read(n: number): Promise<Buffer>;
  /** Stops reading; returns what arrived beyond the last read. */
  detach(): Buffer;
}

function byteReader(socket: Socket): ByteReader {
  let buffer = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  let closed = false;
  const onData = (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    wake?.();
  };
  socket.on('data', onData);
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  return {
    async read(n) {
      while (buffer.length < n) {
        if (closed) throw new Error('the client closed the connection');
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      const out = buffer.subarray(0, n);
      buffer = buffer.subarray(n);
      return out;
    },
    detach() {
      socket.removeListener('data', onData);
      return buffer;
    },
  };
}
