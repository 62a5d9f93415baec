/**
 * The cluster benchmark alone (issue 18): `npm run bench:cluster [-- options]`; `npm run bench`
 * runs it too, after its own scenarios. See bench/README.md, "Cluster".
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareWorkspace, WORKSPACE_OPTIONS } from './lib/app-copy.js';
import { runClusterBench } from './cluster/run-cluster.js';
import { clusterOptionSpec, clusterSettings } from './cluster/options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `usage: npm run bench:cluster -- [options]
  --only a|b           one scenario: a (fetch throughput, 1/2/4 daemons) or b (claims on 100,000 sources)
${clusterOptionSpec.help}
  --pg-url URL         use this PostgreSQL server (a user that may CREATE DATABASE) instead of starting one
  --app DIR            measure this copy of feedmirror (bin/, dist/) as it is: no build, no copy
  --no-build           copy dist/ as it is instead of building it first
  --ref REV            measure a commit (git archive + tsc)
  --max-load X         before each measurement, wait (up to 2 min) for the 1-minute load average to drop below X
  --work DIR, --keep   work folder (default: a new temp folder, removed at the end unless --keep)
  --out FILE           results file (default bench/cluster-results.json)`;

const { values: opts } = parseArgs({
  options: {
    ...clusterOptionSpec.options,
    only: { type: 'string' },
    ...WORKSPACE_OPTIONS,
    ref: { type: 'string' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'cluster-results.json') },
  },
});
if (opts.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (opts.only && !['a', 'b'].includes(opts.only)) {
  process.stderr.write(`--only ${opts.only}: expected "a" or "b"\n`);
  process.exit(2);
}

function log(message: string) {
  process.stderr.write(`[bench:cluster ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const { work, app } = prepareWorkspace(opts, { root: ROOT, prefix: 'feedmirror-cluster-', ref: opts.ref, log });
const { results, report } = await runClusterBench({
  app,
  work,
  scenarios: opts.only ? [opts.only as 'a' | 'b'] : ['a', 'b'],
  ...clusterSettings(opts),
  pgUrl: opts['pg-url'],
  maxLoad: opts['max-load'] === undefined ? undefined : Number(opts['max-load']),
  out: path.resolve(opts.out!),
  log,
});
process.stdout.write(`\n${report}\n\nresults: ${opts.out}\n`);
if (opts.keep) process.stdout.write(`work folder kept: ${work}\n`);
else rmSync(work, { recursive: true, force: true });
process.exitCode = results.throughput?.some((r) => r.problems.length > 0) ? 1 : 0;
