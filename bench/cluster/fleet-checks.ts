/**
 * The issue's full-size fleet checks (too long for `npm test`; tests/cluster runs them scaled
 * down): "no double fetch" (4 workers, 2,000 sources every 20 s, 60 s) and "crash recovery"
 * (one of 4 workers SIGKILLed at a seeded random moment, 3 times, each replaced by a new worker).
 */
import path from 'node:path';
import { mulberry32 } from '../../tests/helpers/seeded-random.js';
import { queryDatabase } from '../../tests/helpers/postgres-query.js';
import { startFleetFeedServer, type FleetFeedServer } from '../../tests/helpers/fleet-feed-server.js';
import { sleep, startWorker, stopWorkers, writeFleetConfig, type BenchWorker } from '../lib/bench-fleet.js';
import { closePairs, completedIn, longestWaits, saveRequestLog, type ClosePair } from '../lib/fleet-log.js';
import { load1, type ClusterContext } from './context.js';
import { outputsCheck, servedLinks } from './output-check.js';

export interface FleetCheckOptions {
  workers: number;
  sources: number;
  interval: number;
  latencyMs: number;
  concurrency: number;
  lease: number;
  /** Seconds of the double-fetch run, from the moment every worker has started. */
  runSeconds: number;
  /** Seconds of the crash run. */
  crashSeconds: number;
  kills: number;
  seed: number;
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export interface FleetCheckResult {
  run: 'double-fetch' | 'crash';
  fetched: number;
  byWorker: Record<string, number>;
  load: { start: number; end: number };
  checks: Check[];
  kills?: { victim: string; atS: number; inFlight: number; reRequested: number }[];
}

/** Items in each fixture feed. */
const ITEMS_PER_FEED = 3;
/** Sources per output in the crash run: each output's limit holds all their items (300), so every article can be found in the files. */
const OUTPUT_GROUP = 100;

interface Fleet {
  server: FleetFeedServer;
  database: string;
  config: string;
  outputDir: string;
  workers: BenchWorker[];
  logDir: string;
  /** When every worker had started. */
  start: number;
}

/** What a run leaves in its folder beside the worker logs: the fixture's request log. */
function keepLog(fleet: Fleet) {
  saveRequestLog(path.join(path.dirname(fleet.logDir), 'requests.jsonl'), fleet.server.log);
}

async function startFleet(ctx: ClusterContext, options: FleetCheckOptions, label: string, outputGroups?: { size: number; itemsPerSource: number }): Promise<Fleet> {
  const server = await startFleetFeedServer(options.latencyMs, ITEMS_PER_FEED);
  const database = await ctx.pg.createDatabase(label);
  const work = path.join(ctx.work, label);
  const config = writeFleetConfig({ database, work, server, sources: options.sources, interval: options.interval, concurrency: options.concurrency, perHost: 64, lease: options.lease, fetchTimeoutMs: 5_000, outputGroups });
  const logDir = path.join(work, 'logs');
  await ctx.waitForQuiet();
  const workers = [await startWorker(ctx.app, config, 'w1', logDir)];
  workers.push(...(await Promise.all(Array.from({ length: options.workers - 1 }, (_, i) => startWorker(ctx.app, config, `w${i + 2}`, logDir)))));
  return { server, database, config, outputDir: path.join(work, 'feeds'), workers, logDir, start: Date.now() };
}


/** No source requested twice less than interval − 1 s apart; no source waiting longer than interval + lease + 5 s. */
export async function doubleFetchRun(ctx: ClusterContext, options: FleetCheckOptions): Promise<FleetCheckResult> {
  const fleet = await startFleet(ctx, options, 'double-fetch');
  const loadStart = load1();
  try {
    await sleep(options.runSeconds * 1000);
    const end = Date.now();
    const problems = await stopWorkers(fleet.workers);
    const pairs = closePairs(fleet.server.log, (options.interval - 1) * 1000);
    const done = completedIn(fleet.server.log, 0, end);
    return {
      run: 'double-fetch',
      fetched: done.total,
      byWorker: done.byWorker,
      load: { start: loadStart, end: load1() },
      checks: [
        { name: `0 pairs of requests for one source < ${options.interval - 1} s apart`, pass: pairs.length === 0, detail: `${pairs.length} pairs${pairsSample(pairs)}` },
        starvationCheck(fleet, options, end),
        { name: 'every worker exits 0 on SIGTERM', pass: problems.length === 0, detail: problems.join('; ') || 'all 0' },
      ],
    };
  } finally {
    await Promise.all(fleet.workers.map((w) => w.kill()));
    keepLog(fleet);
    await fleet.server.close();
  }
}

function starvationCheck(fleet: Fleet, options: FleetCheckOptions, end: number): Check {
  const boundMs = (options.interval + options.lease + 5) * 1000;
  const waits = longestWaits(fleet.server.log, options.sources, fleet.start, end);
  const over = waits.filter((w) => w.waitMs > boundMs);
  const worst = waits[0];
  return {
    name: `every source requested within interval + lease + 5 s (${boundMs / 1000} s) of the last request (or of the start, or before the end)`,
    pass: over.length === 0,
    detail: `${over.length} over; longest wait ${worst ? `${(worst.waitMs / 1000).toFixed(1)} s (source ${worst.source}, ${worst.where})` : '–'}`,
  };
}

function pairsSample(pairs: ClosePair[]): string {
  return pairs.length ? ` (e.g. ${pairs.slice(0, 3).map((p) => `source ${p.source}: ${p.first.worker}→${p.second.worker} ${(p.gapMs / 1000).toFixed(1)} s`).join(', ')})` : '';
}


interface Kill {
  victim: string;
  at: number;
  /** The victim's claims when it died: source index → the end of its lease (database clock, same machine). */
  lost: Map<number, number>;
}

/**
 * The run's first (crashSeconds − lease − 5) s are cut into one slot per kill; kill k happens at
 * a random moment in the last 60 % of slot k, to a random live worker, which a new worker
 * replaces at once. So the last victim's leases run out, and its sources are fetched again,
 * before the run ends (defaults: kills in [10.5, 26.3], [36.9, 52.7] and [63.2, 79] s of 100 s).
 */
export async function crashRun(ctx: ClusterContext, options: FleetCheckOptions): Promise<FleetCheckResult> {
  const fleet = await startFleet(ctx, options, 'crash', { size: OUTPUT_GROUP, itemsPerSource: ITEMS_PER_FEED });
  const loadStart = load1();
  const next = mulberry32(options.seed);
  const kills: Kill[] = [];
  try {
    for (let k = 0; k < options.kills; k++) {
      const slot = (options.crashSeconds - options.lease - 5) / options.kills;
      const at = fleet.start + (k + 0.4 + 0.6 * next()) * slot * 1000;
      await sleep(Math.max(0, at - Date.now()));
      const live = fleet.workers.filter((w) => !w.exited());
      const victim = live[Math.floor(next() * live.length)]!;
      await victim.kill();
      const rows = await queryDatabase(fleet.database, (sql) => sql<{ id: string; lease_end: Date }[]>`SELECT id, next_due_at AS lease_end FROM sources WHERE claimed_by = ${victim.id}`);
      kills.push({ victim: victim.id, at: Date.now(), lost: new Map(rows.map((r) => [Number(r.id.slice(1)), r.lease_end.getTime()])) });
      ctx.log(`crash run: SIGKILL ${victim.id} at ${((Date.now() - fleet.start) / 1000).toFixed(1)} s, ${rows.length} claims in flight`);
      fleet.workers.push(await startWorker(ctx.app, fleet.config, `w${options.workers + k + 1}`, fleet.logDir));
    }
    await sleep(Math.max(0, fleet.start + options.crashSeconds * 1000 - Date.now()));
    const end = Date.now();
    const stale = await queryDatabase(fleet.database, (sql) => sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sources WHERE claimed_by IS NOT NULL AND next_due_at < now() - interval '5 seconds'`);
    const problems = await stopWorkers(fleet.workers);
    const after = await queryDatabase(fleet.database, (sql) => sql<{ claimed: number; articles: number }[]>`
      SELECT (SELECT count(*)::int FROM sources WHERE claimed_by IS NOT NULL) AS claimed, (SELECT count(*)::int FROM articles) AS articles`);
    // Every worker has exited, each after publishing what it changed: the outputs are final.
    const published = await outputsCheck(fleet.outputDir, servedLinks(fleet.server.log, ITEMS_PER_FEED));
    const done = completedIn(fleet.server.log, 0, end);
    const early = judgeEarly(closePairs(fleet.server.log, (options.interval - 1) * 1000), kills);
    return {
      run: 'crash',
      fetched: done.total,
      byWorker: done.byWorker,
      load: { start: loadStart, end: load1() },
      kills: kills.map((k) => ({ victim: k.victim, atS: Math.round((k.at - fleet.start) / 100) / 10, inFlight: k.lost.size, reRequested: early.perKill.get(k) ?? 0 })),
      checks: [
        { name: `each victim had ≤ ${options.concurrency} (its concurrency) claims in flight`, pass: kills.every((k) => k.lost.size <= options.concurrency), detail: kills.map((k) => `${k.victim}: ${k.lost.size}`).join(', ') },
        { name: `early re-requests (< ${options.interval - 1} s apart) only for a victim's in-flight sources, each once, not before its lease ran out`, pass: early.wrong.length === 0, detail: `${early.ok} early re-requests, all of victims' claims${early.wrong.length ? `; WRONG: ${early.wrong.slice(0, 5).join('; ')}` : ''}` },
        starvationCheck(fleet, options, end),
        { name: 'no source left claimed with a lease that ran out (> 5 s ago) before the stop; none claimed after it', pass: stale[0]!.n === 0 && after[0]!.claimed === 0, detail: `${stale[0]!.n} stale, ${after[0]!.claimed} claimed after SIGTERM` },
        { name: `every article served is stored (${options.sources} sources × ${ITEMS_PER_FEED} items)`, pass: after[0]!.articles === options.sources * ITEMS_PER_FEED, detail: `${after[0]!.articles} stored` },
        published,
        { name: 'every surviving worker exits 0 on SIGTERM', pass: problems.length === 0, detail: problems.join('; ') || 'all 0' },
      ],
    };
  } finally {
    await Promise.all(fleet.workers.map((w) => w.kill()));
    keepLog(fleet);
    await fleet.server.close();
  }
}

/** Sorts the close pairs into those a kill explains (the victim's request, then another worker's after the lease) and the rest. */
function judgeEarly(pairs: ClosePair[], kills: Kill[]): { ok: number; wrong: string[]; perKill: Map<Kill, number> } {
  const wrong: string[] = [];
  const perKill = new Map<Kill, number>();
  const seen = new Set<string>();
  let ok = 0;
  for (const pair of pairs) {
    const kill = kills.find((k) => k.victim === pair.first.worker && k.lost.has(pair.source));
    const label = `source ${pair.source}: ${pair.first.worker}→${pair.second.worker} after ${(pair.gapMs / 1000).toFixed(1)} s`;
    if (!kill) {
      wrong.push(`${label} (not a victim's claim)`);
      continue;
    }
    const key = `${kill.victim}:${pair.source}`;
    // The same machine's clock on both sides: 100 ms of slack for rounding only.
    if (pair.second.startedAt < kill.lost.get(pair.source)! - 100) wrong.push(`${label} (before its lease ran out)`);
    else if (seen.has(key)) wrong.push(`${label} (re-requested more than once)`);
    else {
      ok++;
      perKill.set(kill, (perKill.get(kill) ?? 0) + 1);
    }
    seen.add(key);
  }
  return { ok, wrong, perKill };
}
