/**
 * Proxy URLs as the config gives them (`fetch.proxy`, `fetch.torProxy`, `sources[].proxy`): which
 * schemes are understood, where the credentials come from, and how a URL is shown without its
 * password. Every message that names a proxy goes through redactProxyUrl().
 */

/** `http` is tunnelled with CONNECT; `socks5` resolves names here, `socks5h` lets the proxy resolve them. */
export type ProxyScheme = 'http' | 'socks5' | 'socks5h';

const SCHEMES: readonly ProxyScheme[] = ['http', 'socks5', 'socks5h'];

/** Environment variables that hold the credentials of `fetch.proxy` when its URL does not. */
export const PROXY_USER_ENV = 'FEEDMIRROR_PROXY_USER';
export const PROXY_PASSWORD_ENV = 'FEEDMIRROR_PROXY_PASSWORD';

export interface ProxyEndpoint {
  scheme: ProxyScheme;
  /** "127.0.0.1:9050": where to connect, with no credentials. */
  host: string;
  hostname: string;
  port: number;
  username: string | null;
  password: string | null;
}

/** The ports clients assume when a proxy URL names none (undici's SOCKS5 agent does the same). */
const DEFAULT_PORTS: Record<ProxyScheme, number> = { http: 80, socks5: 1080, socks5h: 1080 };

/**
 * Why `value` cannot be used as a proxy URL, or null when it can. The value is quoted only once it
 * parses as a proxy URL, and then without its password: "user:secret@host:3128" (no scheme) parses
 * as the scheme "user:", so a wrong scheme is named only when the value has a "://".
 */
export function proxyUrlProblem(value: string): string | null {
  const expected = 'expected a proxy URL such as http://host:port, socks5://host:port or socks5h://host:port';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `not a URL; ${expected}`;
  }
  const scheme = url.protocol.slice(0, -1);
  if (!isProxyScheme(scheme)) return value.includes('://') && /^[a-z][a-z0-9+.-]*$/i.test(scheme) ? `a proxy URL's scheme must be http, socks5 or socks5h (got "${scheme}:")` : `not a URL with a scheme; ${expected}`;
  if (url.hostname === '') return `no host in ${redactProxyUrl(value)}`;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return `a proxy URL has no path, query or fragment (${redactProxyUrl(value)})`;
  return null;
}

function isProxyScheme(value: string): value is ProxyScheme {
  return (SCHEMES as readonly string[]).includes(value);
}

/**
 * The endpoint of a proxy URL that passed proxyUrlProblem(). Credentials come from the URL; for
 * `fetch.proxy` only (`env` given), a user or password the URL lacks comes from the environment,
 * so the secret can stay out of the config file.
 */
export function parseProxyUrl(value: string, env: Record<string, string | undefined> | null = null): ProxyEndpoint {
  const url = new URL(value);
  const scheme = url.protocol.slice(0, -1) as ProxyScheme;
  const username = url.username ? decodeURIComponent(url.username) : (env?.[PROXY_USER_ENV] || null);
  const password = url.password ? decodeURIComponent(url.password) : (env?.[PROXY_PASSWORD_ENV] || null);
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  return { scheme, host: `${url.hostname}:${port}`, hostname: url.hostname.replace(/^\[|\]$/g, ''), port, username, password };
}

/** The URL with its password replaced by "***" (the user name stays: it says which account). */
export function redactProxyUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.href.replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

/** How a proxy is shown in `check` and in errors: its URL without the password, and where the credentials come from. */
export function describeProxy(value: string, env: Record<string, string | undefined> | null = null): string {
  const endpoint = parseProxyUrl(value, env);
  const fromUrl = new URL(value).password !== '';
  const credentials = endpoint.password === null ? '' : fromUrl ? ' (password from the URL)' : ` (password from ${PROXY_PASSWORD_ENV})`;
  return `${redactProxyUrl(value)}${credentials}`;
}
