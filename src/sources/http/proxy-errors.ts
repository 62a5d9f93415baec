import { redactProxyUrl } from '../../lib/proxy-url.js';
import { FetchError } from './fetch-errors.js';
import type { Route } from './proxy-routes.js';

type ProxyRoute = Extract<Route, { kind: 'proxy' }>;

/** Failing to reach the proxy itself: undici reports the proxy socket's own error. */
const PROXY_SOCKET_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** SOCKS5 replies (RFC 1928, and Tor's 0xF0–0xF7 for onion services) meaning the proxy could not reach the host. */
const SOCKS_UNREACHABLE = new Set([1, 3, 4, 5, 6, 0xf0, 0xf1, 0xf2, 0xf3, 0xf6, 0xf7]);
/** What an HTTP proxy answers CONNECT with when the host, not the proxy, is the problem. */
const CONNECT_UNREACHABLE = new Set([500, 502, 503, 504]);

/**
 * What a failure on a proxied route means, in our codes: the proxy unreachable or refusing
 * (FM_PROXY), or the host unreachable or unknown to the proxy (FM_CONNECT, FM_DNS: a blocked
 * origin, worth a mirror). undici words proxy failures in its own errors: they are read here, once.
 * Anything else (a timeout, our own refusal, a reset mid-body) is returned as it came.
 */
export function explainProxyFailure(error: unknown, route: ProxyRoute): unknown {
  if (error instanceof FetchError) return error;
  const e = error as { code?: string; message?: string; hostname?: string };
  const code = e.code ?? '';
  const message = e.message ?? '';
  const proxy = new URL(route.proxy);
  const fail = (fetchCode: 'FM_PROXY' | 'FM_CONNECT' | 'FM_DNS' | 'FM_TIMEOUT', reason: string) =>
    new FetchError(fetchCode, `through the ${route.role === 'tor' ? 'Tor proxy' : 'proxy'} ${redactProxyUrl(route.proxy)}: ${reason}`);
  const tunnel = /^Proxy response \((\d+)\)/.exec(message);
  if (tunnel) return connectStatusFailure(Number(tunnel[1]), fail);
  if (code.startsWith('UND_ERR_SOCKS5')) return socksFailure(code, message, fail);
  if (message === 'Username and password required for authentication') return fail('FM_PROXY', 'the proxy asks for a user name and password, and none is configured');
  if (message === 'SOCKS5 authentication timeout') return fail('FM_PROXY', 'the proxy did not finish the SOCKS5 handshake within 5 s');
  if (message === 'SOCKS5 connection timeout') return fail('FM_TIMEOUT', "the proxy did not open the connection to the host within 5 s (undici's fixed SOCKS5 limit)");
  if (PROXY_SOCKET_CODES.has(code)) return fail('FM_PROXY', `cannot connect to the proxy (${code})`);
  if ((code === 'ENOTFOUND' || code === 'EAI_AGAIN') && e.hostname === proxy.hostname) return fail('FM_PROXY', `the proxy's host name did not resolve (${code})`);
  return error;
}

type Fail = (code: 'FM_PROXY' | 'FM_CONNECT' | 'FM_DNS' | 'FM_TIMEOUT', reason: string) => FetchError;

function connectStatusFailure(status: number, fail: Fail): FetchError {
  if (status === 407) return fail('FM_PROXY', 'the proxy asks for credentials or refused the ones given (HTTP 407)');
  if (status === 404) return fail('FM_DNS', 'the proxy could not resolve the host (HTTP 404 to CONNECT)');
  if (CONNECT_UNREACHABLE.has(status)) return fail('FM_CONNECT', `the proxy could not reach the host (HTTP ${status} to CONNECT)`);
  return fail('FM_PROXY', `the proxy refused to open a tunnel to the host (HTTP ${status} to CONNECT)`);
}

function socksFailure(code: string, message: string, fail: Fail): FetchError {
  if (code === 'UND_ERR_SOCKS5_AUTH_FAILED') return fail('FM_PROXY', 'the proxy refused the user name and password');
  if (code === 'UND_ERR_SOCKS5_AUTH_REJECTED') return fail('FM_PROXY', 'the proxy accepts none of the offered ways to log in (does it need a user name and password?)');
  const reply = /^UND_ERR_SOCKS5_REPLY_(\d+)$/.exec(code);
  if (reply && SOCKS_UNREACHABLE.has(Number(reply[1]))) return fail('FM_CONNECT', `the proxy could not reach the host (SOCKS5 reply ${reply[1]}: ${message.replace(/^SOCKS5 connection failed: /, '')})`);
  return fail('FM_PROXY', `${message} (${code})`);
}
