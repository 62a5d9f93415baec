import http from 'node:http';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { siteCopies } from '../publish/site-copies.js';
import { createFileHandler, notFound } from './serve-files.js';
import type { FeedMetrics } from './metrics.js';

export interface ServerDeps {
  config: () => Config;
  logger: Logger;
  metrics: FeedMetrics;
  /** The store, opened on first use; null when it cannot be opened. */
  store: () => Promise<Store | null>;
}

/** GET/HEAD of the output folder, plus /healthz and /metrics. */
export function createFeedServer(deps: ServerDeps): http.Server {
  let handler = fileHandlerFor(deps.config());
  let configSeen = deps.config();
  return http.createServer((req, res) => {
    const config = deps.config();
    if (config !== configSeen) {
      // SIGHUP reloaded the config: site mirrors or the output folder may have changed.
      configSeen = config;
      handler = fileHandlerFor(config);
    }
    const respond = async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.statusCode = 405;
        res.setHeader('Allow', 'GET, HEAD');
        res.end();
        return;
      }
      const pathname = (req.url ?? '/').split('?')[0];
      if (pathname === '/healthz') return health(deps, res, req.method === 'HEAD');
      if (pathname === '/metrics') return metrics(deps, res, req.method === 'HEAD');
      return handler(req, res);
    };
    respond().catch((error: unknown) => {
      deps.logger.error({ err: error, url: req.url }, `serve: ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) notFound(res, req.method === 'HEAD');
      else res.destroy();
    });
  });
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
    if (!store) throw new Error('the store cannot be opened');
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
    body = { status: 'failing', store: 'unreachable', error: (error as Error).message };
  }
  res.statusCode = ok ? 200 : 503;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(head ? undefined : `${JSON.stringify(body, null, 2)}\n`);
}

async function metrics(deps: ServerDeps, res: http.ServerResponse, head: boolean) {
  const { contentType, body } = await deps.metrics.render();
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(head ? undefined : body);
}
