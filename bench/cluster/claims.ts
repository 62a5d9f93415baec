/**
 * Scenario B (issue 18: "100,000 synthetic sources seeded by COPY"): the `sources` table filled
 * with COPY, then 1, 2 and 4 claimer processes (claim-worker.ts: feedmirror's own queue and claim
 * loop, nothing fetched) claiming and completing as fast as they can for a fixed window. Shows
 * what the claim statement costs at that table size, and its plan.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import { seedSources, type SeedResult } from './seed-sources.js';
import { claimPlan, type ClaimPlan } from './claim-plan.js';
import { load1, type ClusterContext } from './context.js';
import type { StatementStat } from '../lib/bench-postgres.js';
import { machineCpuMs } from '../lib/proc-cpu.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ClaimsOptions {
  sources: number;
  hosts: number;
  workerCounts: number[];
  windowMs: number;
  capacity: number;
  batch: number;
  perHost: number;
}

export interface ClaimerResult {
  id: string;
  completed: number;
  claims: number;
  emptyClaims: number;
  claimMs: { p50: number; p95: number; max: number };
}

export interface ClaimsRow {
  workers: number;
  seed: SeedResult;
  completed: number;
  perSecond: number;
  claimers: ClaimerResult[];
  machineBusyPct: number | null;
  load: { start: number; end: number };
  statements: StatementStat[];
}

export interface ClaimsResult {
  plan: ClaimPlan;
  rows: ClaimsRow[];
}

export async function runClaims(ctx: ClusterContext, options: ClaimsOptions): Promise<ClaimsResult> {
  const database = await ctx.pg.createDatabase('b');
  migrate(ctx, database);
  let plan: ClaimPlan | null = null;
  const rows: ClaimsRow[] = [];
  for (const workers of options.workerCounts) {
    const seed = await seedSources(database, options.sources, options.hosts);
    ctx.log(`claims: ${seed.count} sources seeded by COPY in ${seed.copyMs.toFixed(0)} ms (ANALYZE ${seed.analyzeMs.toFixed(0)} ms)`);
    if (!plan) {
      plan = await claimPlan(ctx.app, database, options.capacity, options.perHost);
      ctx.log(`claims: claim statement plan at ${options.sources} due rows: ${plan.access}, ${plan.executionMs} ms`);
    }
    rows.push(await claimWindow(ctx, options, database, workers, seed));
  }
  return { plan: plan!, rows };
}

/** Creates the schema with the measured copy's own `feedmirror migrate`. */
function migrate(ctx: ClusterContext, database: string) {
  const dir = path.join(ctx.work, 'claims');
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'migrate.config.json');
  writeFileSync(config, JSON.stringify({ site: { url: 'https://bench.example.org/', title: 'claims' }, database, outputDir: path.join(dir, 'feeds'), sources: [{ id: 'unused', url: 'http://127.0.0.1:9/unused.xml' }], outputs: [{ id: 'all', title: 'all', sources: ['*'] }] }));
  execFileSync(process.execPath, [path.join(ctx.app, 'bin', 'feedmirror.js'), 'migrate', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function claimWindow(ctx: ClusterContext, options: ClaimsOptions, database: string, count: number, seed: SeedResult): Promise<ClaimsRow> {
  await ctx.waitForQuiet();
  const children = Array.from({ length: count }, (_, i) => spawnClaimer(ctx, options, database, `c${i + 1}`));
  await Promise.all(children.map((c) => c.ready));
  await ctx.pg.resetStatements();
  const start = Date.now() + 200;
  const end = start + options.windowMs;
  const loadStart = load1();
  const machineStart = machineCpuMs();
  for (const child of children) child.go(start, end);
  const claimers = await Promise.all(children.map((c) => c.result));
  const machineEnd = machineCpuMs();
  const completed = claimers.reduce((sum, c) => sum + c.completed, 0);
  const row: ClaimsRow = {
    workers: count,
    seed,
    completed,
    perSecond: completed / (options.windowMs / 1000),
    claimers,
    machineBusyPct: machineStart && machineEnd ? Math.round(((machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total)) * 100) : null,
    load: { start: loadStart, end: load1() },
    statements: await ctx.pg.topStatements(database, 6),
  };
  ctx.log(`claims, ${count} claimer(s): ${completed} claimed+completed in ${options.windowMs / 1000} s = ${row.perSecond.toFixed(0)}/s; claim p50 ${claimers.map((c) => c.claimMs.p50).join('/')} ms; load ${row.load.start}→${row.load.end}`);
  return row;
}

function spawnClaimer(ctx: ClusterContext, options: ClaimsOptions, url: string, id: string) {
  const args = ['--import', 'tsx', path.join(HERE, 'claim-worker.ts'), '--app', ctx.app, '--url', url, '--id', id, '--capacity', String(options.capacity), '--batch', String(options.batch), '--per-host', String(options.perHost)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const jsonLines: Record<string, unknown>[] = [];
  let onLine: (() => void) | null = null;
  lines.on('line', (line) => {
    if (line.startsWith('{')) jsonLines.push(JSON.parse(line) as Record<string, unknown>);
    onLine?.();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    onLine = () => jsonLines.some((l) => l.ready) && resolve();
    void exited.then((code) => reject(new Error(`claimer ${id} exited (${code}) before it was ready`)));
  });
  const result = ready.then(async () => {
    const code = await exited;
    const last = jsonLines.at(-1);
    if (code !== 0 || !last || last.ready) throw new Error(`claimer ${id} exited ${code} without figures`);
    return last as unknown as ClaimerResult;
  });
  // a claimer that failed before the go is reported through `ready`; its result is not awaited then
  result.catch(() => undefined);
  return { ready, result, go: (start: number, end: number) => child.stdin!.end(`go ${start} ${end}\n`) };
}
