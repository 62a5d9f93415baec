import { createLogger } from '../log/logger.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/config.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createFeedServer } from '../serve/server.js';
import { FeedMetrics } from '../serve/metrics.js';
import { startDaemon, type Daemon } from '../schedule/daemon.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';

export interface ServeOptions extends CommonOptions {
  host: string;
  port: number;
  schedule?: boolean;
  grace: number;
}

export interface DaemonCommandOptions extends CommonOptions {
  grace: number;
  initialRun: boolean;
}

/** `feedmirror daemon`: the schedule in the foreground until SIGTERM/SIGINT; exit 0 after a clean stop. */
export async function daemonCommand(options: DaemonCommandOptions): Promise<ExitCode> {
  const logger = createLogger({ level: options.logLevel, format: options.logFormat });
  await loadConfigOrExit(options.config);
  const daemon = await startDaemon({ loadConfig: () => loadConfig(options.config), logger, graceMs: options.grace, runAtStart: options.initialRun });
  await daemon.stopped;
  return EXIT.OK;
}

/** `feedmirror serve`: the output folder over HTTP, with /healthz and /metrics; --schedule runs the daemon too. */
export async function serveCommand(options: ServeOptions): Promise<ExitCode> {
  const logger = createLogger({ level: options.logLevel, format: options.logFormat });
  let config: Config = await loadConfigOrExit(options.config);
  let store: Store | null = null;
  const openStore = async () => {
    if (store) return store;
    try {
      store = openSqliteStore(config.database);
    } catch (error) {
      logger.warn(`serve: store not available: ${(error as Error).message}`);
    }
    return store;
  };
  const metrics = new FeedMetrics({ config: () => config, store: openStore });
  const server = createFeedServer({ config: () => config, logger, metrics, store: openStore });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new CliError(`serve: cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`, EXIT.USAGE)));
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ event: 'listening', host: options.host, port }, `serving ${config.outputDir} on http://${options.host}:${port}/`);
  let daemon: Daemon | null = null;
  if (options.schedule) {
    daemon = await startDaemon({
      loadConfig: async () => (config = await loadConfig(options.config)),
      logger,
      graceMs: options.grace,
      runAtStart: true,
      onRun: (report, error, ms) => metrics.observeRun(report, error, ms),
    });
    await daemon.stopped;
  } else {
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop).once('SIGINT', stop);
    });
  }
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections(); // keep-alive connections would otherwise hold the close open
  await closed;
  await (store as Store | null)?.close();
  logger.info({ event: 'stopped' }, 'server stopped');
  return EXIT.OK;
}
