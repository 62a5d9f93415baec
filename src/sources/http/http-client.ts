import { Dispatcher } from 'undici';
import { chooseRoute, type Route, type RouteSettings } from './proxy-routes.js';
import { RouteAgents, type ProxyEnv } from './route-agents.js';

export interface HttpSettings extends RouteSettings {
  /** ms to open a TCP/TLS connection (to the proxy, when there is one) */
  connectTimeoutMs: number;
  /** ms from request sent to response headers */
  headersTimeoutMs: number;
  /** ms without a byte of body before giving up */
  bodyIdleTimeoutMs: number;
  /** ms for the whole fetch, redirects and body included: stops slow drips */
  totalTimeoutMs: number;
  /** bytes, counted both on the wire and after decompression */
  maxBodyBytes: number;
  maxRedirects: number;
  allowPrivateNetworks: boolean;
  userAgent: string;
  /** requests at once to one host; the pool keeps at least that many connections per origin */
  perHostConcurrency?: number;
}

/**
 * The run's HTTP client: one dispatcher that sends each request the way its host must be reached
 * (directly, through `fetch.proxy`, onions through `fetch.torProxy`), so every caller (feeds,
 * mirrors, mirror lists, pages) gets the same routing by passing it to undici's `request`.
 */
export class RoutingDispatcher extends Dispatcher {
  constructor(
    private readonly routes: RouteSettings,
    private readonly agents: RouteAgents,
    private readonly ownsAgents: boolean,
  ) {
    super();
  }

  /** How a URL's host is reached; throws FM_NEEDS_TOR for an onion without a Tor proxy. */
  routeFor(url: string | URL): Route {
    return chooseRoute(new URL(url).hostname, this.routes);
  }

  /** The same connection pools with one source's own proxy (false: direct); fetch.noProxy is the global proxy's exception list. */
  withProxy(proxy: string | false | undefined): RoutingDispatcher {
    if (proxy === undefined) return this;
    return new RoutingDispatcher({ ...this.routes, proxy, noProxy: [] }, this.agents, false);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.agents.get(this.routeFor(String(options.origin))).dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = this.ownsAgents ? this.agents.close() : Promise.resolve();
    if (!callback) return done;
    void done.then(callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(...args: unknown[]): Promise<void> | void {
    const done = this.ownsAgents ? this.agents.destroy() : Promise.resolve();
    const callback = args.find((arg): arg is () => void => typeof arg === 'function');
    if (!callback) return done;
    void done.then(callback);
  }
}

/** The dispatcher a run uses; `env` holds the credentials of fetch.proxy when its URL has none. */
export function createHttpAgent(settings: HttpSettings, env: ProxyEnv = process.env): RoutingDispatcher {
  return new RoutingDispatcher(settings, new RouteAgents(settings, env), true);
}

/** One source's dispatcher: its own `proxy` when it has one. Any other dispatcher (a test's MockAgent) is used as it is. */
export function dispatcherForSource(dispatcher: Dispatcher, proxy: string | false | undefined): Dispatcher {
  return dispatcher instanceof RoutingDispatcher ? dispatcher.withProxy(proxy) : dispatcher;
}
