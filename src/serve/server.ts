import type http from 'node:http';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { FeedmirrorError } from '../model/errors.js';
import { siteCopies } from '../publish/site-copies.js';
import { isStoreUnreachable, unreachableText } from '../store/store-unreachable.js';
import { createFileHandler, notFound } from './serve-files.js';
import type { AccessLog } from './access-log.js';
import type { FeedMetrics } from './metrics.js';
import { MediaProxy } from './media-proxy.js';
import { setContentType, setSecurityHeaders } from './security-headers.js';
import { createLimitedServer, SERVER_LIMITS, type ServerLimits } from './server-limits.js';

export interface ServerDeps {
  config: () => Config;
  logger: Logger;
  metrics: FeedMetrics;
  /** The store, opened on first use; null when it cannot be opened. */
  store: () => Promise<Store | null>;
  /** `/media/<hash>` for `media: "proxy"`; without it those paths are files like any other. */
  media?: MediaProxy;
}

export interface ServerOptions {
  /** Also answer /healthz and /metrics (when no admin server takes them). Default true. */
  adminRoutes?: boolean;
  limits?: ServerLimits;
  /** A line per request answered (`serve --access-log`). */
  accessLog?: AccessLog;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** GET/HEAD of the output folder, plus /healthz and /metrics unless an admin server has them. */
export function createFeedServer(deps: ServerDeps, options: ServerOptions = {}): http.Server {
  let handler = fileHandlerFor(deps.config());
  let configSeen = deps.config();
  const adminRoutes = options.adminRoutes ?? true;
  return createServer(deps, options.limits ?? SERVER_LIMITS, options.accessLog ?? null, async (req, res) => {
    const config = deps.config();
    if (config !== configSeen) {
      // SIGHUP reloaded the config: site mirrors or the output folder may have changed.
      configSeen = config;
      handler = fileHandlerFor(config);
    }
    const admin = adminRoutes ? adminRoute(deps, req) : null;
    return (admin ?? mediaRoute(deps, req) ?? handler)(req, res);
  });
}

/** Only /healthz and /metrics, for a port that is not public (`serve --admin-port`). */
export function createAdminServer(deps: ServerDeps, options: Pick<ServerOptions, 'limits'> = {}): http.Server {
  return createServer(deps, options.limits ?? SERVER_LIMITS, null, async (req, res) => {
    const admin = adminRoute(deps, req);
    return admin ? admin(req, res) : notFound(res, req.method === 'HEAD');
  });
}

/** What every response gets: the security headers, GET and HEAD only, errors logged, not thrown, and its access-log line. */
function createServer(deps: ServerDeps, limits: ServerLimits, accessLog: AccessLog | null, handle: Handler): http.Server {
  return createLimitedServer(limits, (req, res) => {
    accessLog?.observe(req, res);
    setSecurityHeaders(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.end();
      return;
    }
    handle(req, res).catch((error: unknown) => {
      deps.logger.error({ err: error, url: req.url }, `serve: ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) notFound(res, req.method === 'HEAD');
      else res.destroy();
    });
  });
}

function adminRoute(deps: ServerDeps, req: http.IncomingMessage): Handler | null {
  const pathname = (req.url ?? '/').split('?')[0];
  const head = req.method === 'HEAD';
  if (pathname === '/healthz') return async (_req, res) => health(deps, res, head);
  if (pathname === '/metrics') return async (_req, res) => metrics(deps, res, head);
  return null;
}

function mediaRoute(deps: ServerDeps, req: http.IncomingMessage): Handler | null {
  const hash = deps.media ? MediaProxy.hashOf((req.url ?? '/').split('?')[0]!) : null;
  return hash ? (_req, res) => deps.media!.handle(hash, res, req.method === 'HEAD') : null;
}

function fileHandlerFor(config: Config) {
  return createFileHandler({ outputDir: config.outputDir, copies: siteCopies(config.site.url, config.site.mirrors) });
}

/** 200 when the store answers and the last run published; 503 otherwise, with the reason. */
async function health(deps: ServerDeps, res: http.ServerResponse, head: boolean) {
  const store = await deps.store();
  let body: Record<string, unknown>;
  let ok: boolean;
  try {
    if (!store) throw new FeedmirrorError('FM_STORE', 'the store cannot be opened');
    await store.ping();
    const stats = await store.getRunStats();
    ok = stats.last === null || stats.last.outcome === 'ok';
    body = {
      status: ok ? 'ok' : 'failing',
      store: 'ok',
      lastRun: stats.last ? { finishedAt: stats.last.finishedAt, outcome: stats.last.outcome, durationMs: stats.last.durationMs, summary: stats.last.summary } : null,
      lastSuccessAt: stats.lastOk?.finishedAt ?? null,
    };
  } catch (error) {
    ok = false;
    // The driver's message alone ("write CONNECTION_CLOSED 127.0.0.1:5432") does not say which store; the text names it, password masked.
    const message = isStoreUnreachable(error) ? unreachableText(deps.config().database, error) : (error as Error).message;
    body = { status: 'failing', store: 'unreachable', error: message };
  }
  res.statusCode = ok ? 200 : 503;
  setContentType(res, 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(head ? undefined : `${JSON.stringify(body, null, 2)}\n`);
}

async function metrics(deps: ServerDeps, res: http.ServerResponse, head: boolean) {
  const { contentType, body } = await deps.metrics.render();
  res.statusCode = 200;
  setContentType(res, contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(head ? undefined : body);
}
