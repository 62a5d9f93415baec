/**
 * Scenario A (issue 18, "Throughput scales"): N fixture sources on 127.0.0.1 answering after a
 * fixed latency, fetched by 1, 2 and 4 `feedmirror daemon` workers, each run on a fresh database.
 * After the workers started and a warm-up, the fetches that ended during the window are counted.
 * The interval is short enough that the queue never runs dry (N due sources ≫ the fleet's slots),
 * so what is counted is what the fleet can do, not what is due.
 */
import path from 'node:path';
import { startFleetFeedServer, type FleetFeedServer } from '../../tests/helpers/fleet-feed-server.js';
import { startWorker, stopWorkers, writeFleetConfig, sleep, type BenchWorker } from '../lib/bench-fleet.js';
import { closePairs, completedIn, saveRequestLog } from '../lib/fleet-log.js';
import { machineCpuMs, processCpuMs } from '../lib/proc-cpu.js';
import type { StatementStat } from '../lib/bench-postgres.js';
import { load1, type ClusterContext } from './context.js';

export interface ThroughputOptions {
  sources: number;
  latencyMs: number;
  concurrency: number;
  perHost: number;
  /** Seconds between fetches of one source. */
  interval: number;
  workerCounts: number[];
  warmupMs: number;
  windowMs: number;
}

export interface ThroughputRow {
  workers: number;
  fetched: number;
  perSecond: number;
  byWorker: Record<string, number>;
  /** Pairs of requests for one source less than interval − 1 s apart, over the whole run. */
  doubleFetches: number;
  /** CPU seconds during the window: the workers together, the database server, and how busy the machine was (% of all cores). */
  cpu: { workersS: number | null; postgresS: number | null; machineBusyPct: number | null };
  load: { start: number; end: number };
  statements: StatementStat[];
  problems: string[];
}

export async function runThroughput(ctx: ClusterContext, options: ThroughputOptions): Promise<ThroughputRow[]> {
  const server = await startFleetFeedServer(options.latencyMs);
  try {
    const rows: ThroughputRow[] = [];
    for (const workers of options.workerCounts) rows.push(await oneFleet(ctx, options, server, workers));
    return rows;
  } finally {
    await server.close();
  }
}

async function oneFleet(ctx: ClusterContext, options: ThroughputOptions, server: FleetFeedServer, count: number): Promise<ThroughputRow> {
  const work = path.join(ctx.work, `throughput-${count}`);
  const database = await ctx.pg.createDatabase(`a${count}`);
  const config = writeFleetConfig({ database, work, server, sources: options.sources, interval: options.interval, concurrency: options.concurrency, perHost: options.perHost, lease: 16, fetchTimeoutMs: 5_000 });
  await ctx.waitForQuiet();
  server.log.length = 0;
  const workers: BenchWorker[] = [];
  const problems: string[] = [];
  try {
    // The first worker migrates the new database; the others then start side by side.
    workers.push(await startWorker(ctx.app, config, 'w1', path.join(work, 'logs')));
    workers.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startWorker(ctx.app, config, `w${i + 2}`, path.join(work, 'logs'))))));
    // Steady state: every source stored once, so no fetch makes new articles (and no publish waits out
    // cluster.publishDebounce for them: see bench/README.md), then the warm-up.
    const firstPass = await everySourceFetched(server, options.sources, 600_000);
    ctx.log(`throughput, ${count} worker(s): every source fetched once after ${(firstPass / 1000).toFixed(1)} s`);
    await sleep(options.warmupMs);
    await ctx.pg.resetStatements();
    const before = snapshot(ctx, workers);
    const from = Date.now();
    await sleep(options.windowMs);
    const to = Date.now();
    const after = snapshot(ctx, workers);
    const statements = await ctx.pg.topStatements(database, 6);
    const done = completedIn(server.log, from, to);
    const row: ThroughputRow = {
      workers: count,
      fetched: done.total,
      perSecond: done.total / ((to - from) / 1000),
      byWorker: done.byWorker,
      doubleFetches: 0,
      cpu: cpuBetween(before, after),
      load: { start: before.load, end: after.load },
      statements,
      problems,
    };
    problems.push(...(await stopWorkers(workers)));
    row.doubleFetches = closePairs(server.log, (options.interval - 1) * 1000).length;
    saveRequestLog(path.join(work, 'requests.jsonl'), server.log);
    ctx.log(`throughput, ${count} worker(s): ${done.total} fetched in ${((to - from) / 1000).toFixed(1)} s = ${row.perSecond.toFixed(1)}/s ${JSON.stringify(done.byWorker)}; cpu ${JSON.stringify(row.cpu)}; load ${row.load.start}→${row.load.end}`);
    return row;
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
}

/** Waits until every source has had a completed fetch: answers how long that took (ms). */
async function everySourceFetched(server: FleetFeedServer, sources: number, patienceMs: number): Promise<number> {
  const started = Date.now();
  let seen = 0;
  while (Date.now() - started < patienceMs) {
    seen = new Set(server.log.filter((r) => r.endedAt !== null).map((r) => r.source)).size;
    if (seen >= sources) return Date.now() - started;
    await sleep(500);
  }
  throw new Error(`not every source was fetched within ${patienceMs / 1000} s (${seen} of ${sources})`);
}

interface Snapshot {
  workersMs: number | null;
  postgresMs: number | null;
  machine: ReturnType<typeof machineCpuMs>;
  load: number;
}

function snapshot(ctx: ClusterContext, workers: BenchWorker[]): Snapshot {
  const each = workers.map((w) => processCpuMs(w.pid));
  return { workersMs: each.some((ms) => ms === null) ? null : each.reduce<number>((a, b) => a + b!, 0), postgresMs: ctx.pg.cpuMs(), machine: machineCpuMs(), load: load1() };
}

function cpuBetween(a: Snapshot, b: Snapshot): ThroughputRow['cpu'] {
  const seconds = (x: number | null, y: number | null) => (x === null || y === null ? null : Math.round((y - x) / 10) / 100);
  const machine = a.machine && b.machine ? Math.round(((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * 100) : null;
  return { workersS: seconds(a.workersMs, b.workersMs), postgresS: seconds(a.postgresMs, b.postgresMs), machineBusyPct: machine };
}
