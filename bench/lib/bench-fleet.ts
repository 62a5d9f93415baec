/**
 * A fleet of real `feedmirror daemon` processes (the bench's copy of bin/ and dist/) on one
 * PostgreSQL database, fetching from a fleet feed server on 127.0.0.1
 * (tests/helpers/fleet-feed-server.ts: per-request latency; every request logged with its
 * source, arrival, end and the worker named in the User-Agent). The workers share one config
 * file and take their ids from FEEDMIRROR_WORKER_ID, as a systemd template unit's would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FleetFeedServer } from '../../tests/helpers/fleet-feed-server.js';

export interface FleetConfigOptions {
  database: string;
  work: string;
  server: FleetFeedServer;
  sources: number;
  /** Seconds between fetches of one source. */
  interval: number;
  concurrency: number;
  /** fetch.perHostConcurrency: every source is on 127.0.0.1, so it bounds the whole fleet unless set high. */
  perHost: number;
  /** cluster.lease (s): must exceed fetch.totalTimeoutMs + 10 s. */
  lease: number;
  fetchTimeoutMs: number;
  /**
   * One output per `size` sources whose limit holds every item of them (`itemsPerSource` each), so
   * that the published files can be checked for every article; default: one output, "all", of the
   * newest 100 items.
   */
  outputGroups?: { size: number; itemsPerSource: number };
}

/** Writes the fleet's config into `work`; source n is `s<n>` (zero-padded) at server.url(n). */
export function writeFleetConfig(options: FleetConfigOptions): string {
  const file = path.join(options.work, 'fleet.config.json');
  mkdirSync(options.work, { recursive: true });
  const width = String(options.sources - 1).length;
  const config = {
    site: { url: 'https://bench.example.org/', title: 'feedmirror cluster benchmark' },
    database: options.database,
    outputDir: path.join(options.work, 'feeds'),
    fetch: { concurrency: options.concurrency, perHostConcurrency: options.perHost, allowPrivateNetworks: true, totalTimeoutMs: options.fetchTimeoutMs },
    cluster: { lease: options.lease },
    sources: sourceIds(options.sources, width).map((id, i) => ({ id, url: options.server.url(i), interval: options.interval })),
    outputs: options.outputGroups ? groupOutputs(sourceIds(options.sources, width), options.outputGroups) : [{ id: 'all', title: 'Everything', sources: ['*'], limit: 100 }],
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

function sourceIds(count: number, width: number): string[] {
  return Array.from({ length: count }, (_, i) => `s${String(i).padStart(width, '0')}`);
}

function groupOutputs(ids: string[], groups: { size: number; itemsPerSource: number }) {
  return Array.from({ length: Math.ceil(ids.length / groups.size) }, (_, g) => {
    const members = ids.slice(g * groups.size, (g + 1) * groups.size);
    return { id: `group-${g + 1}`, title: `Sources ${members[0]} to ${members.at(-1)}`, sources: members, limit: members.length * groups.itemsPerSource };
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BenchWorker {
  id: string;
  pid: number;
  /** Where its log lines (JSON) go. */
  logFile: string;
  exit: Promise<Exit>;
  exited(): boolean;
  /** SIGTERM, then its exit. */
  stop(): Promise<Exit>;
  kill(): Promise<Exit>;
  /** The last lines of its log (for error messages). */
  tail(): string;
}

/** How long a daemon may take to log its start (ms): only there so a broken build fails instead of hanging. */
const START_PATIENCE_MS = 120_000;

/** Starts `feedmirror daemon` as worker `id` and waits for its "start" log line. */
export async function startWorker(app: string, config: string, id: string, logDir: string, graceMs = 2_000): Promise<BenchWorker> {
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${id}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [path.join(app, 'bin', 'feedmirror.js'), 'daemon', '--config', config, '--log-format', 'json', '--grace', String(graceMs)], {
    cwd: path.dirname(config),
    env: { ...process.env, FEEDMIRROR_WORKER_ID: id },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let recent = '';
  let exited = false;
  const exit = new Promise<Exit>((resolve) => child.on('close', (code, signal) => {
    exited = true;
    out.end();
    resolve({ code, signal });
  }));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${id} did not start in ${START_PATIENCE_MS / 1000} s\n${recent}`)), START_PATIENCE_MS);
    const onData = (data: Buffer) => {
      out.write(data);
      recent = (recent + data.toString('utf8')).slice(-4000);
      if (/"event":"start"/.test(recent)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker ${id} exited (${code ?? signal}) before it started\n${recent}`));
    });
  });
  await started;
  return workerHandle(id, child, logFile, exit, () => exited, () => recent);
}

function workerHandle(id: string, child: ChildProcess, logFile: string, exit: Promise<Exit>, exited: () => boolean, tail: () => string): BenchWorker {
  const signal = (name: NodeJS.Signals) => {
    if (!exited()) child.kill(name);
    return exit;
  };
  return { id, pid: child.pid!, logFile, exit, exited, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL'), tail };
}

/** Stops every worker still running (SIGTERM) and answers those that did not exit 0. */
export async function stopWorkers(workers: BenchWorker[]): Promise<string[]> {
  const exits = await Promise.all(workers.filter((w) => !w.exited()).map(async (w) => ({ w, exit: await w.stop() })));
  return exits.filter(({ exit }) => exit.code !== 0).map(({ w, exit }) => `${w.id}: exit ${exit.code ?? exit.signal}\n${w.tail().slice(-1500)}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
