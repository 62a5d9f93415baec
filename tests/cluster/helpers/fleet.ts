/**
 * A fleet on one PostgreSQL test database: a workspace whose config lists `sources` sources on a
 * fleet feed server, and `feedmirror daemon` / `run` children, each with a config naming its own
 * worker id (and otherwise the same).
 */
import type postgres from 'postgres';
import { opsConfig } from '../../operations/helpers/configs.js';
import { waitForLogs, type CliChild, type OpsScope } from '../../operations/helpers/ops-scope.js';
import { startFleetFeedServer, type FleetFeedServer } from '../../helpers/fleet-feed-server.js';
import { writeConfig, type Workspace } from '../../helpers/workspace.js';
import { queryDatabase } from '../../helpers/test-store.js';

/** The fetch timeout of fleet tests (ms): the lease must exceed it plus 10 s (cluster-schema.ts). */
export const FETCH_TIMEOUT_MS = 5_000;
export const LEASE_SECONDS = 16;
/** What a daemon gets after SIGTERM before its fetches are cut (ms). */
export const GRACE_MS = 300;

export interface FleetOptions {
  sources: number;
  latencyMs: number;
  /** Seconds between fetches of one source. */
  interval: number;
  concurrency?: number;
  perHost?: number;
  /** cluster.publishDebounce (default 0: published as soon as dirty). */
  publishDebounce?: string;
}

export interface Fleet {
  ws: Workspace;
  server: FleetFeedServer;
  /** The sources' ids, in order: source n is `ids[n]`, fetched from server.url(n). */
  ids: string[];
  daemon(workerId: string, ...extra: string[]): Promise<CliChild>;
  run(workerId: string, ...extra: string[]): Promise<CliChild>;
  query<T>(use: (sql: postgres.Sql) => Promise<T>): Promise<T>;
}

export async function startFleet(scope: OpsScope, options: FleetOptions): Promise<Fleet> {
  const server = await startFleetFeedServer(options.latencyMs);
  scope.defer(() => server.close());
  const ids = Array.from({ length: options.sources }, (_, i) => `s${String(i).padStart(4, '0')}`);
  const config = {
    ...opsConfig({ sources: ids.map((id, i) => ({ id, url: server.url(i), interval: options.interval })) }),
    fetch: { allowPrivateNetworks: true, totalTimeoutMs: FETCH_TIMEOUT_MS, concurrency: options.concurrency ?? 8, perHostConcurrency: options.perHost ?? 64 },
    cluster: { lease: LEASE_SECONDS, publishDebounce: options.publishDebounce ?? 0 },
  };
  const ws = await scope.workspace({ config });
  const spawnWorker = async (command: string, workerId: string, extra: string[]) => {
    const file = ws.file(`worker-${workerId}.json`);
    await writeConfig(file, { ...config, database: ws.databasePath, cluster: { ...config.cluster, workerId } });
    const grace = command === 'daemon' ? ['--grace', String(GRACE_MS)] : [];
    const child = scope.start([command, '--config', file, '--log-format', 'json', ...grace, ...extra], { cwd: ws.dir });
    // A daemon handles signals once it has started: a test signals it only after that.
    if (command === 'daemon') await waitForLogs(child, (r) => r.event === 'start', `worker ${workerId} to start`);
    return child;
  };
  return {
    ws,
    server,
    ids,
    daemon: (workerId, ...extra) => spawnWorker('daemon', workerId, extra),
    run: (workerId, ...extra) => spawnWorker('run', workerId, extra),
    query: (use) => queryDatabase(ws.databasePath, use),
  };
}

/** Per source, the times its requests arrived, in order. */
export function requestTimes(server: FleetFeedServer): Map<number, number[]> {
  const times = new Map<number, number[]>();
  for (const request of server.log) {
    const list = times.get(request.source) ?? [];
    list.push(request.startedAt);
    times.set(request.source, list);
  }
  return times;
}

/** Pairs of requests for one source less than `minMs` apart: [source, gap in ms]. */
export function closePairs(server: FleetFeedServer, minMs: number): [number, number][] {
  const close: [number, number][] = [];
  for (const [source, times] of requestTimes(server)) {
    for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < minMs) close.push([source, times[i]! - times[i - 1]!]);
  }
  return close;
}
