import { lookup as dnsLookup } from 'node:dns';
import { Agent, buildConnector, ProxyAgent, type Dispatcher } from 'undici';
import { parseProxyUrl, type ProxyEndpoint } from '../../lib/proxy-url.js';
import { guardedLookup } from './address-policy.js';
import type { HttpSettings } from './http-client.js';
import type { Route } from './proxy-routes.js';
import { ResolvingSocks5Agent, type ResolveHere } from './socks-agent.js';

/** Connections per origin when the per-host limit is lower (redirects and mirrors can share an origin). */
const MIN_CONNECTIONS = 8;
const KEEP_ALIVE_MS = 10_000;

export type ProxyEnv = Record<string, string | undefined>;

/**
 * One dispatcher per route, opened on first use and shared by every source of a run: the direct
 * pool, and one agent per proxy URL. Only `fetch.proxy` takes credentials from the environment.
 */
export class RouteAgents {
  private readonly agents = new Map<string, Dispatcher>();

  constructor(
    private readonly settings: HttpSettings,
    private readonly env: ProxyEnv,
  ) {}

  get(route: Route): Dispatcher {
    const key = route.kind === 'direct' ? '' : route.proxy;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = route.kind === 'direct' ? createDirectAgent(this.settings) : this.createProxyAgent(route.proxy);
      this.agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.destroy()));
  }

  private createProxyAgent(proxy: string): Dispatcher {
    const endpoint = parseProxyUrl(proxy, proxy === this.settings.proxy ? this.env : null);
    return endpoint.scheme === 'http' ? createConnectAgent(endpoint, this.settings) : createSocksAgent(endpoint, this.settings);
  }
}

/**
 * The direct pool: keep-alive is worth 3–4× on many feeds of one host. With private networks
 * disallowed, every DNS answer is checked before connecting.
 */
function createDirectAgent(settings: HttpSettings): Dispatcher {
  return new Agent({
    ...poolOptions(settings),
    connect: { timeout: settings.connectTimeoutMs, ...(settings.allowPrivateNetworks ? {} : { lookup: guardedLookup }) },
  });
}

function poolOptions(settings: HttpSettings) {
  // Fewer sockets than the requests allowed at once would queue them behind each other.
  return { connections: Math.max(MIN_CONNECTIONS, settings.perHostConcurrency ?? 0), keepAliveTimeout: KEEP_ALIVE_MS, headersTimeout: settings.headersTimeoutMs, bodyTimeout: settings.bodyIdleTimeoutMs };
}

/** An HTTP proxy, tunnelling every request (http:// targets too) with CONNECT host:port: the proxy resolves the name. */
function createConnectAgent(endpoint: ProxyEndpoint, settings: HttpSettings): Dispatcher {
  const credentials = endpoint.username === null ? {} : { token: `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password ?? ''}`).toString('base64')}` };
  return new ProxyAgent({
    ...poolOptions(settings),
    uri: `http://${endpoint.host}`,
    ...credentials,
    proxyTls: { timeout: settings.connectTimeoutMs },
    requestTls: { timeout: settings.connectTimeoutMs },
  });
}

function createSocksAgent(endpoint: ProxyEndpoint, settings: HttpSettings): Dispatcher {
  const credentials = endpoint.username === null ? {} : { username: endpoint.username, password: endpoint.password ?? '' };
  const resolveHere = endpoint.scheme === 'socks5' ? resolver(settings.allowPrivateNetworks) : null;
  return new ResolvingSocks5Agent(`socks5://${endpoint.host}`, { ...credentials, connect: buildConnector({ timeout: settings.connectTimeoutMs }) }, resolveHere);
}

/** socks5:// resolves names here, so the address policy judges the answer as it does for direct fetches. */
function resolver(allowPrivateNetworks: boolean): ResolveHere {
  const lookup = allowPrivateNetworks ? dnsLookup : guardedLookup;
  return (hostname) =>
    new Promise((resolve, reject) => {
      lookup(hostname, {}, (error, address) => (error ? reject(error) : resolve(address as string)));
    });
}
