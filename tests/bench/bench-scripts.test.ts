/**
 * The cluster benchmarks (`npm run bench:cluster`, `npm run bench:fleet`) work end to end, run
 * at a tiny size against the PostgreSQL pass's server and the dist/ vitest's global setup built:
 * real daemons, the fixture feed server, COPY seeding, the claim plan, the fleet checks. Their
 * figures are not judged here (no test depends on speed); bench/README.md has the full-size ones.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../helpers/workspace.js';
import { ON_POSTGRES } from '../helpers/test-store.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function bench(script: string, args: string[]): Promise<{ stdout: string; results: Record<string, unknown>; work: string }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-bench-test-'));
  dirs.push(work);
  const out = path.join(work, 'results.json');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench', script), '--app', REPO_ROOT, '--pg-url', inject('postgresUrl'), '--work', path.join(work, 'w'), '--out', out, ...args], { cwd: REPO_ROOT, maxBuffer: 1 << 24 });
  return { stdout, results: JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>, work };
}

describe.runIf(ON_POSTGRES)('cluster benchmarks at a tiny size', () => {
  it('bench:cluster: 2 daemons fetch 20 fixture sources in a 2 s window; 500 sources seeded by COPY, claimed by 2 claimers for 2 s; the claim plan printed', async () => {
    const { stdout, results } = await bench('cluster.ts', ['--cluster-sources', '20', '--workers', '2', '--warmup', '0', '--window', '2', '--claim-sources', '500', '--claim-hosts', '10', '--claim-window', '2']);
    const throughput = results.throughput as { workers: number; fetched: number; doubleFetches: number; problems: string[] }[];
    expect(throughput.map((r) => r.workers)).toEqual([2]);
    // (right after the first pass the workers may be waiting out the publish debounce: 0 fetches in so short a window is possible)
    expect(Number.isInteger(throughput[0]!.fetched)).toBe(true);
    expect(throughput[0]!.doubleFetches).toBe(0);
    expect(throughput[0]!.problems).toEqual([]);
    const claims = results.claims as { plan: { plan: string[] }; rows: { seed: { count: number }; completed: number }[] };
    expect(claims.rows.map((r) => r.seed.count)).toEqual([500]);
    expect(claims.rows[0]!.completed).toBeGreaterThan(0);
    // the plan of the claim as it ran inside the claim function (auto_explain), down to its scans of sources
    expect(claims.plan.plan.join('\n')).toMatch(/-> Update on sources/);
    expect(claims.plan.plan.join('\n')).toMatch(/Scan\b.* on sources \(actual rows=\d+ loops=\d+/);
    expect(stdout).toMatch(/A\. fetch throughput: 20 sources/);
    expect(stdout).toMatch(/claim statement at 500 due rows \(its plan as it ran, from auto_explain\): /);
  }, 180_000);

  it('bench:fleet --only double: 2 daemons, 20 sources every 3 s for 4 s: every check PASS, exit 0', async () => {
    const { stdout } = await bench('fleet.ts', ['--only', 'double', '--workers', '2', '--sources', '20', '--interval', '3', '--run', '4']);
    expect(stdout).toMatch(/PASS {2}0 pairs of requests for one source < 2 s apart: 0 pairs/);
    expect(stdout).not.toMatch(/FAIL/);
    expect(stdout).toMatch(/every check passed/);
  }, 180_000);
});
