/**
 * The cluster scenarios (issue 18) on one PostgreSQL 15: A, fetch throughput of 1, 2, 4
 * `feedmirror daemon` workers (the issue's ≥ 3× target); B, claim throughput on a `sources`
 * table of 100,000 rows seeded by COPY. Used by bench/cluster.ts (`npm run bench:cluster`) and by
 * bench/run.ts (`npm run bench`, `--only cluster`).
 */
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchPostgres, type StatementStat } from '../lib/bench-postgres.js';
import { runThroughput, type ThroughputOptions, type ThroughputRow } from './throughput.js';
import { runClaims, type ClaimsOptions, type ClaimsResult } from './claims.js';
import { waitForQuiet, type ClusterContext } from './context.js';

export const TARGET_RATIO = 3;

export interface ClusterBenchOptions {
  app: string;
  work: string;
  scenarios: ('a' | 'b')[];
  throughput: ThroughputOptions;
  claims: ClaimsOptions;
  pgUrl?: string;
  maxLoad?: number;
  out: string;
  log: (message: string) => void;
}

export interface ClusterResults {
  date: string;
  machine: { cores: number; ramGb: number; node: string };
  options: { throughput: ThroughputOptions; claims: ClaimsOptions };
  throughput: ThroughputRow[] | null;
  ratio: number | null;
  claims: ClaimsResult | null;
  loads: number[];
}

/** Runs the scenarios, writes the results file and answers the report (a failed target does not throw). */
export async function runClusterBench(options: ClusterBenchOptions): Promise<{ results: ClusterResults; report: string }> {
  mkdirSync(options.work, { recursive: true });
  const loads: number[] = [];
  const pg = await benchPostgres(options.pgUrl);
  options.log(`PostgreSQL ${options.pgUrl ? 'given' : 'started'} (pg_stat_statements ${pg.statements ? 'on' : 'off'})`);
  const ctx: ClusterContext = { app: options.app, work: options.work, pg, log: options.log, waitForQuiet: () => waitForQuiet(options.maxLoad, options.log, loads) };
  const results: ClusterResults = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version },
    options: { throughput: options.throughput, claims: options.claims },
    throughput: null,
    ratio: null,
    claims: null,
    loads,
  };
  try {
    if (options.scenarios.includes('a')) {
      results.throughput = await runThroughput(ctx, options.throughput);
      results.ratio = ratioOf(results.throughput);
    }
    if (options.scenarios.includes('b')) results.claims = await runClaims(ctx, options.claims);
  } finally {
    await pg.stop();
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  }
  return { results, report: formatReport(results) };
}

/** The highest worker count's rate over the 1-worker rate. */
function ratioOf(rows: ThroughputRow[]): number | null {
  const one = rows.find((r) => r.workers === 1);
  const most = rows.reduce((a, b) => (b.workers > a.workers ? b : a));
  return one && most.workers > 1 && one.perSecond > 0 ? most.perSecond / one.perSecond : null;
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

const fixed = (value: number | null, digits = 1) => (value === null ? '–' : value.toFixed(digits));

export function formatReport(results: ClusterResults): string {
  const parts: string[] = [];
  const { throughput: a, claims: b } = results.options;
  const loads = results.loads.length ? ` load average before each measurement: ${results.loads.join(', ')}` : '';
  parts.push(`feedmirror cluster benchmark, ${results.date.slice(0, 16)}Z: ${results.machine.cores} cores, ${results.machine.ramGb} GB, Node ${results.machine.node};${loads}`);
  if (results.throughput) {
    const one = results.throughput.find((r) => r.workers === 1)?.perSecond ?? null;
    parts.push(`\nA. fetch throughput: ${a.sources} sources on 127.0.0.1, ${a.latencyMs} ms latency, interval ${a.interval} s, fetch.concurrency ${a.concurrency}, perHostConcurrency ${a.perHost}; fetches ended in a ${a.windowMs / 1000} s window after ${a.warmupMs / 1000} s of warm-up\n`);
    parts.push(table(
      ['workers', 'fetched', 'fetches/s', '× 1 worker', 'by worker', `pairs < ${a.interval - 1} s`, 'cpu workers s', 'cpu postgres s', 'postgres s / 1,000 fetches', 'claims / fetch', 'machine busy %', 'load start→end'],
      results.throughput.map((r) => [String(r.workers), String(r.fetched), fixed(r.perSecond), one ? `${(r.perSecond / one).toFixed(2)}×` : '–', Object.values(r.byWorker).join('/'), String(r.doubleFetches), fixed(r.cpu.workersS), fixed(r.cpu.postgresS), r.cpu.postgresS === null || r.fetched === 0 ? '–' : ((r.cpu.postgresS / r.fetched) * 1000).toFixed(2), claimsPerFetch(r), r.cpu.machineBusyPct === null ? '–' : String(r.cpu.machineBusyPct), `${r.load.start}→${r.load.end}`]),
    ));
    const verdict = results.ratio === null ? 'no ratio (needs 1 worker and more)' : `${results.ratio.toFixed(2)}× (target ≥ ${TARGET_RATIO}×): ${results.ratio >= TARGET_RATIO ? 'PASS' : 'MISS'}`;
    parts.push(`\n${Math.max(...results.throughput.map((r) => r.workers))} workers / 1 worker = ${verdict}`);
    const problems = results.throughput.flatMap((r) => r.problems);
    if (problems.length) parts.push(`worker problems:\n${problems.join('\n')}`);
    const last = results.throughput.at(-1)!;
    if (last.statements.length) parts.push(`\nserver time by statement, ${last.workers} workers, during the window (pg_stat_statements):\n${statementLines(last.statements)}`);
  }
  if (results.claims) {
    const { plan, rows } = results.claims;
    parts.push(`\nB. claim throughput: ${b.sources.toLocaleString('en-US')} synthetic sources on ${b.hosts} hosts seeded by COPY, every one due; claimers run feedmirror's claim loop (${b.capacity} in flight, nothing fetched), ${b.windowMs / 1000} s window\n`);
    parts.push(table(
      ['claimers', 'COPY ms', 'ANALYZE ms', 'claimed+completed', 'per s', 'claim ms p50 / p95 / max (each claimer)', 'machine busy %', 'load start→end'],
      rows.map((r) => [String(r.workers), r.seed.copyMs.toFixed(0), r.seed.analyzeMs.toFixed(0), String(r.completed), r.perSecond.toFixed(0), r.claimers.map((c) => `${c.claimMs.p50}/${c.claimMs.p95}/${c.claimMs.max}`).join(', '), r.machineBusyPct === null ? '–' : String(r.machineBusyPct), `${r.load.start}→${r.load.end}`]),
    ));
    parts.push(`\nclaim statement at ${b.sources.toLocaleString('en-US')} due rows (its plan as it ran, from auto_explain): ${plan.access}; ${fixed(plan.executionMs, 2)} ms\n${plan.plan.map((l) => `    ${l}`).join('\n')}`);
    const last = rows.at(-1)!;
    if (last.statements.length) parts.push(`\nserver time by statement, ${last.workers} claimers (pg_stat_statements):\n${statementLines(last.statements)}`);
  }
  return parts.join('\n');
}

/**
 * Claims made in the window per fetch, from pg_stat_statements: calls of the claim function, or of
 * the claim's UPDATE sent as it is (copies before the function; a claim whose window was full made
 * a second one, rare).
 */
function claimsPerFetch(row: ThroughputRow): string {
  const calls = (pattern: RegExp) => row.statements.filter((s) => pattern.test(s.query)).reduce((sum, s) => sum + s.calls, 0);
  const claims = calls(/feedmirror_claim_sources\(/) || calls(/^WITH candidates AS MATERIALIZED/);
  return claims === 0 || row.fetched === 0 ? '–' : (claims / row.fetched).toFixed(2);
}

function statementLines(statements: StatementStat[]): string {
  return statements.map((s) => `  ${s.totalMs.toFixed(0).padStart(7)} ms  ${String(s.calls).padStart(6)} calls  mean ${s.meanMs.toFixed(2).padStart(7)} ms  max ${s.maxMs.toFixed(1).padStart(7)} ms  ${s.query}`).join('\n');
}
