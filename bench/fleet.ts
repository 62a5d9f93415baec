/**
 * The issue's full-size fleet checks (`npm run bench:fleet`): "no double fetch" and "crash
 * recovery" with real `feedmirror daemon` workers on a PostgreSQL 15 started here. Prints
 * PASS/FAIL per check with its figures; exits 1 if one fails. See bench/README.md, "Fleet checks".
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareWorkspace, WORKSPACE_OPTIONS } from './lib/app-copy.js';
import { benchPostgres } from './lib/bench-postgres.js';
import { crashRun, doubleFetchRun, type FleetCheckOptions, type FleetCheckResult } from './cluster/fleet-checks.js';
import { waitForQuiet } from './cluster/context.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `usage: npm run bench:fleet -- [options]
  --only double|crash  one of the two runs
  --workers N          daemons (default 4)
  --sources N          fixture sources (default 2000)
  --interval S         seconds between fetches of one source (default 20)
  --latency MS         fixture latency (default 200)
  --concurrency N      fetch.concurrency of each worker (default 8)
  --lease S            cluster.lease (default 16: more than the 5 s fetch timeout + 10 s)
  --run S              the double-fetch run, from when every worker started (default 60)
  --crash-run S        the crash run (default 100; the kills fall in its first 100 − lease − 5 s, one per slot)
  --kills N            SIGKILLs in the crash run (default 3)
  --seed N             seed of the kill moments and victims (default 18)
  --pg-url URL         use this PostgreSQL server instead of starting one
  --app DIR            this copy of feedmirror as it is (no build, no copy)
  --no-build           copy dist/ as it is
  --max-load X         before each run, wait (up to 2 min) for the load average to drop below X
  --work DIR, --keep   work folder (worker logs: <work>/<run>/logs)
  --out FILE           results file (default bench/fleet-results.json)`;

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    workers: { type: 'string', default: '4' },
    sources: { type: 'string', default: '2000' },
    interval: { type: 'string', default: '20' },
    latency: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    lease: { type: 'string', default: '16' },
    run: { type: 'string', default: '60' },
    'crash-run': { type: 'string', default: '100' },
    kills: { type: 'string', default: '3' },
    seed: { type: 'string', default: '18' },
    ...WORKSPACE_OPTIONS,
    out: { type: 'string', default: path.join(ROOT, 'bench', 'fleet-results.json') },
  },
});
if (opts.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (opts.only && !['double', 'crash'].includes(opts.only)) {
  process.stderr.write(`--only ${opts.only}: expected "double" or "crash"\n`);
  process.exit(2);
}

const options: FleetCheckOptions = {
  workers: Number(opts.workers),
  sources: Number(opts.sources),
  interval: Number(opts.interval),
  latencyMs: Number(opts.latency),
  concurrency: Number(opts.concurrency),
  lease: Number(opts.lease),
  runSeconds: Number(opts.run),
  crashSeconds: Number(opts['crash-run']),
  kills: Number(opts.kills),
  seed: Number(opts.seed),
};

function log(message: string) {
  process.stderr.write(`[bench:fleet ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const { work, app } = prepareWorkspace(opts, { root: ROOT, prefix: 'feedmirror-fleet-', log });
const pg = await benchPostgres(opts['pg-url']);
const loads: number[] = [];
const maxLoad = opts['max-load'] === undefined ? undefined : Number(opts['max-load']);
const ctx = { app, work, pg, log, waitForQuiet: () => waitForQuiet(maxLoad, log, loads) };
const results: FleetCheckResult[] = [];
try {
  if (opts.only !== 'crash') results.push(await doubleFetchRun(ctx, options));
  if (opts.only !== 'double') results.push(await crashRun(ctx, options));
} finally {
  await pg.stop();
}
writeFileSync(path.resolve(opts.out!), `${JSON.stringify({ date: new Date().toISOString(), options, loads, results }, null, 2)}\n`);

const lines = [`feedmirror fleet checks: ${options.workers} workers, ${options.sources} sources every ${options.interval} s, ${options.latencyMs} ms latency, concurrency ${options.concurrency}, lease ${options.lease} s, seed ${options.seed}; load average ${loads.join(', ')}`];
for (const result of results) {
  const seconds = result.run === 'crash' ? options.crashSeconds : options.runSeconds;
  lines.push(`\n${result.run} run (${seconds} s): ${result.fetched} fetches ${JSON.stringify(result.byWorker)}; load ${result.load.start}→${result.load.end}`);
  for (const kill of result.kills ?? []) lines.push(`  SIGKILL ${kill.victim} at ${kill.atS} s: ${kill.inFlight} claims in flight, ${kill.reRequested} re-requested early`);
  for (const check of result.checks) lines.push(`  ${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`);
}
const failed = results.flatMap((r) => r.checks).filter((c) => !c.pass).length;
lines.push(`\n${failed === 0 ? 'every check passed' : `${failed} check(s) failed`}; results: ${opts.out}`);
process.stdout.write(`${lines.join('\n')}\n`);
if (opts.keep) process.stdout.write(`work folder kept: ${work}\n`);
else rmSync(work, { recursive: true, force: true });
process.exitCode = failed === 0 ? 0 : 1;
