import { createLogger, type Logger } from '../log/logger.js';
import { openAccessLog, type AccessLog, type AccessLogFormat } from '../serve/access-log.js';
import { siteUrlMismatch } from '../serve/site-url-check.js';
import { refuseS3Serve, requireTarget } from './output-target.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/config.js';
import { openStore as openConfiguredStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type http from 'node:http';
import { createAdminServer, createFeedServer, type ServerDeps } from '../serve/server.js';
import { FeedMetrics } from '../serve/metrics.js';
import { MediaProxy } from '../serve/media-proxy.js';
import { fetchFeed } from '../sources/http/fetch-feed.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import { createHttpAgent, type HttpSettings } from '../sources/http/http-client.js';
import type { Dispatcher } from 'undici';
import { USER_AGENT } from '../version.js';
import { startDaemon, type Daemon } from '../schedule/daemon.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { logOutput, PROCESS_IO, type CliIo } from './cli-io.js';

export interface ServeOptions extends CommonOptions {
  host: string;
  port: number;
  /** /healthz and /metrics on this port only (not on the public one) */
  adminPort?: number;
  adminHost?: string;

  schedule?: boolean;
  grace: number;
  /** A file to append a line per request to, or "-" for stdout. */
  accessLog?: string;
  accessLogFormat: AccessLogFormat;
}

export interface DaemonCommandOptions extends CommonOptions {
  grace: number;
  initialRun: boolean;
}

/** `feedmirror daemon`: the schedule in the foreground until SIGTERM/SIGINT; exit 0 after a clean stop. */
export async function daemonCommand(options: DaemonCommandOptions, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const logger = createLogger({ level: options.logLevel, format: options.logFormat, ...logOutput(io) });
  requireTarget(await loadConfigOrExit(options.config), process.env);
  const daemon = await startDaemon({ loadConfig: () => loadConfig(options.config), logger, graceMs: options.grace, runAtStart: options.initialRun });
  await daemon.stopped;
  return EXIT.OK;
}

/** `feedmirror serve`: the output folder over HTTP, with /healthz and /metrics; --schedule runs the daemon too. */
export async function serveCommand(options: ServeOptions, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const logger = createLogger({ level: options.logLevel, format: options.logFormat, ...logOutput(io) });
  let config: Config = await loadConfigOrExit(options.config);
  refuseS3Serve(config);
  let store: Store | null = null;
  // Requests at once wait for one opening (a PostgreSQL store opens asynchronously); a failed one is tried again later.
  let opening: Promise<Store | null> | null = null;
  const openStore = (): Promise<Store | null> => {
    opening ??= openConfiguredStore(config.database).then(
      (opened) => (store = opened),
      (error: unknown) => {
        logger.warn(`serve: store not available: ${(error as Error).message}`);
        opening = null;
        return null;
      },
    );
    return opening;
  };
  const metrics = new FeedMetrics({ config: () => config, store: openStore });
  const media = mediaProxy(config, openStore, logger);
  const deps: ServerDeps = { config: () => config, logger, metrics, store: openStore, media: media.proxy };
  const accessLog = await openAccessLogOrExit(options, logger);
  const { servers, port, admin } = await startServers(deps, options, accessLog);
  const adminNote = admin ? `; /healthz and /metrics on http://${admin.host}:${admin.port}/` : '';
  const adminFields = admin ? { adminHost: admin.host, adminPort: admin.port } : {};
  logger.info({ event: 'listening', host: options.host, port, ...adminFields }, `serving ${config.outputDir} on http://${options.host}:${port}/${adminNote}`);
  warnIfSiteUrlElsewhere(logger, config.site.url, options.host, port);
  let daemon: Daemon | null = null;
  if (options.schedule) {
    daemon = await startDaemon({
      loadConfig: async () => (config = await loadConfig(options.config)),
      logger,
      graceMs: options.grace,
      runAtStart: true,
      onRun: (report, error, ms) => metrics.observeRun(report, error, ms),
      onChore: (chore, result) => metrics.observeChore(chore, result),
    });
    io.stop?.addEventListener('abort', () => void daemon?.stop('stop requested'), { once: true });
    await daemon.stopped;
  } else {
    await stopRequested(io);
  }
  await closeServers(servers);
  await media.close();
  await accessLog?.close();
  await (store as Store | null)?.close();
  logger.info({ event: 'stopped' }, 'server stopped');
  return EXIT.OK;
}

/** SIGTERM or SIGINT; io.stop instead when the CLI runs inside another program. */
function stopRequested(io: CliIo): Promise<void> {
  return new Promise<void>((resolve) => {
    if (io.stop) {
      if (io.stop.aborted) resolve();
      else io.stop.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off('SIGTERM', stop).off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop).once('SIGINT', stop);
  });
}

/**
 * `/media/<hash>`: fetched through the feed client (SSRF policy, timeouts, redirects), with
 * `mediaProxy.maxFileBytes` as the body limit; only hashes the store recorded are fetched.
 */
function mediaProxy(config: Config, openStore: () => Promise<Store | null>, logger: Logger): { proxy: MediaProxy; close: () => Promise<void> } {
  const http: HttpSettings = { ...config.fetch, maxBodyBytes: config.mediaProxy.maxFileBytes, userAgent: config.fetch.userAgent ?? USER_AGENT };
  let agent: Dispatcher | null = null;
  const proxy = new MediaProxy({
    lookup: async (hash) => (await openStore())?.getMediaUrl(hash) ?? null,
    async fetch(url) {
      const fetched = await fetchFeed({ url, etag: null, lastModified: null, accept: 'image/*, audio/*, video/*;q=0.9' }, http, (agent ??= createHttpAgent(http)));
      if (fetched.kind !== 'ok') throw new FetchError('FM_HTTP_STATUS', `HTTP ${fetched.status} to a request that was not conditional`, { status: fetched.status });
      return { bytes: fetched.bytes, contentType: fetched.contentType };
    },
    cacheDir: config.mediaProxy.cacheDir,
    maxCacheBytes: config.mediaProxy.maxCacheBytes,
    logger,
  });
  return { proxy, close: async () => void (await agent?.close()) };
}

interface Listening {
  servers: http.Server[];
  port: number;
  admin: { host: string; port: number } | null;
}

/** --access-log: opened before listening, so a bad path stops serve at once; SIGHUP reopens a file (logrotate). */
async function openAccessLogOrExit(options: ServeOptions, logger: Logger): Promise<AccessLog | null> {
  if (options.accessLog === undefined) return null;
  let log: AccessLog;
  try {
    log = await openAccessLog(options.accessLog, options.accessLogFormat, (error) => logger.error({ err: error, file: options.accessLog }, `serve: access log ${options.accessLog}: ${error.message}`));
  } catch (error) {
    throw new CliError('FM_ACCESS_LOG', `serve: ${(error as Error).message}`, EXIT.USAGE, { cause: error });
  }
  if (options.accessLog === '-') return log;
  const reopen = () => log.reopen();
  process.on('SIGHUP', reopen);
  return {
    ...log,
    close: async () => {
      process.off('SIGHUP', reopen);
      await log.close();
    },
  };
}

/** Feeds name feed.xsl and every link absolutely on site.url: a browser that opens them here would leave this server. */
function warnIfSiteUrlElsewhere(logger: Logger, siteUrl: string, host: string, port: number) {
  const reason = siteUrlMismatch(siteUrl, host, port);
  if (reason === null) return;
  logger.warn(
    { event: 'site-url-mismatch', code: 'FM_SITE_URL_MISMATCH', siteUrl, host, port },
    `serve: site.url ${siteUrl} is not this server (${reason}); feeds and pages link feed.xsl, each other and the article pages on site.url, so a browser that opens them here leaves for site.url: set site.url to the address readers use`,
  );
}

/** The public server, and with --admin-port the admin server that takes /healthz and /metrics from it. */
async function startServers(deps: ServerDeps, options: ServeOptions, accessLog: AccessLog | null): Promise<Listening> {
  const admin = adminAddress(options);
  const server = createFeedServer(deps, { adminRoutes: admin === null, ...(accessLog ? { accessLog } : {}) });
  const port = await listen(server, options.host, options.port);
  if (!admin) return { servers: [server], port, admin: null };
  const adminServer = createAdminServer(deps);
  try {
    return { servers: [server, adminServer], port, admin: { host: admin.host, port: await listen(adminServer, admin.host, admin.port) } };
  } catch (error) {
    await closeServers([server]);
    throw error;
  }
}

/** --admin-port moves /healthz and /metrics off the public port; --admin-host alone is a mistake. */
function adminAddress(options: ServeOptions): { host: string; port: number } | null {
  if (options.adminPort === undefined) {
    if (options.adminHost !== undefined) throw new CliError('FM_USAGE', 'serve: --admin-host needs --admin-port', EXIT.USAGE);
    return null;
  }
  return { host: options.adminHost ?? '127.0.0.1', port: options.adminPort };
}

/** Listens, and answers the port it got (port 0 picks a free one). */
async function listen(server: http.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new CliError('FM_USAGE', `serve: cannot listen on ${host}:${port}: ${error.code ?? error.message}`, EXIT.USAGE)));
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

async function closeServers(servers: http.Server[]): Promise<void> {
  await Promise.all(
    servers.map((server) => {
      if (!server.listening) return undefined;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive connections would otherwise hold the close open
      return closed;
    }),
  );
}
