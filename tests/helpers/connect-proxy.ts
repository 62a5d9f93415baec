/**
 * An HTTP CONNECT proxy on 127.0.0.1 for the proxy tests: the `proxy` package, with its
 * `authenticate` hook used as the gate every request passes before the proxy connects. There each
 * request is logged as it arrived ("news.example:80": a name stays a name), the credentials are
 * checked, and the target is mapped through a table onto a port on 127.0.0.1; a target not in the
 * table and not a loopback address is refused (HTTP 500 to CONNECT), and so is plain forwarding.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { createProxy } from 'proxy';

export interface ConnectRequest {
  method: string;
  /** "news.example:80", as the client asked for it. */
  target: string;
  /** The user name of the Proxy-Authorization header, if any (the password is checked, never kept). */
  user: string | null;
  outcome: 'connected' | 'refused' | 'auth-failed';
  /** "127.0.0.1:41234": where the proxy was sent, for `connected`. */
  reached: string | null;
}

export interface ConnectProxy {
  port: number;
  /** "http://127.0.0.1:P" (no credentials). */
  url: string;
  requests: ConnectRequest[];
  close(): Promise<void>;
}

export interface ConnectProxyOptions {
  /** "name:port" or "name" → port on 127.0.0.1. */
  table: Record<string, number>;
  auth?: { username: string; password: string };
}

export async function startConnectProxy(options: ConnectProxyOptions): Promise<ConnectProxy> {
  const requests: ConnectRequest[] = [];
  const server: Server = createProxy(createServer());
  (server as Server & { authenticate: (req: IncomingMessage) => boolean }).authenticate = (req) => gate(req, options, requests);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** true: go on (with req.url rewritten to the loopback port); false: 407; a throw: 500. */
function gate(req: IncomingMessage, options: ConnectProxyOptions, requests: ConnectRequest[]): boolean {
  const target = req.url ?? '';
  const credentials = basicCredentials(req.headers['proxy-authorization']);
  const entry: ConnectRequest = { method: req.method ?? '', target, user: credentials?.username ?? null, outcome: 'refused', reached: null };
  requests.push(entry);
  if (options.auth && (credentials?.username !== options.auth.username || credentials.password !== options.auth.password)) {
    entry.outcome = 'auth-failed';
    return false;
  }
  if (req.method !== 'CONNECT') throw new Error('this test proxy only tunnels (CONNECT)');
  const port = destination(target, options.table);
  if (port === null) throw new Error(`refused: ${target} is not in the table and not a loopback address`);
  entry.outcome = 'connected';
  entry.reached = `127.0.0.1:${port}`;
  req.url = entry.reached;
  return true;
}

function destination(target: string, table: Record<string, number>): number | null {
  const colon = target.lastIndexOf(':');
  const host = target.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(target.slice(colon + 1));
  const mapped = table[target] ?? table[host];
  if (mapped !== undefined) return mapped;
  return (isIP(host) === 4 && host.startsWith('127.')) || host === '::1' ? port : null;
}

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
