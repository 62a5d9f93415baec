/**
 * The `cluster` block: defaults, each key's error echoing the value, the lease checked against the
 * longest fetch timeout on PostgreSQL (naming both), and `check` on a SQLite store saying the block
 * is ignored. Parsing only: no database is opened, so this runs on both passes.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { describeCluster, workerIdOf } from '../../src/config/cluster-schema.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { opsScope } from './helpers/ops-scope.js';
import { opsConfig } from './helpers/configs.js';

const PG = 'postgres://feedmirror@127.0.0.1:5432/feedmirror';
const scope = opsScope();

function parse(extra: Record<string, unknown>) {
  return parseConfig(JSON.stringify({ site: { url: 'https://x.example/' }, outputs: [{ id: 'all', title: 'All' }], ...extra }), '/tmp/feedmirror.config.json');
}

function problems(extra: Record<string, unknown>): string {
  try {
    parse(extra);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('cluster config', () => {
  it('defaults: lease 2m, claims of 50, 3 attempts, publishDebounce 10s, the site chore every minute and housekeeping every 15, worker id left to host name:pid', () => {
    const { cluster } = parse({ database: PG });
    expect(cluster).toMatchObject({ workerId: null, lease: '2m', leaseSeconds: 120, claimBatch: 50, maxAttempts: 3, publishDebounceMs: 10_000, chores: { site: '*/1 * * * *', housekeeping: '*/15 * * * *' } });
    expect(describeCluster({ ...parse({ database: PG }), fetch: { concurrency: 16, perHostConcurrency: 2 } })).toMatch(/^cluster: worker .+:\d+ \(host name:pid\), lease 2m, claims of 50/);
  });

  it('given values: durations as text or seconds, chores by name', () => {
    const { cluster } = parse({ database: PG, cluster: { workerId: 'host-a-1', lease: 300, claimBatch: 10, maxAttempts: 5, publishDebounce: '30s', chores: { site: '*/1 * * * *' } } });
    expect(cluster).toMatchObject({ workerId: 'host-a-1', leaseSeconds: 300, claimBatch: 10, maxAttempts: 5, publishDebounceMs: 30_000, chores: { site: '*/1 * * * *', housekeeping: '*/15 * * * *' } });
  });

  it('without cluster.workerId, FEEDMIRROR_WORKER_ID names the worker (several workers of one host on one config); an invalid one is refused, naming it', () => {
    const { cluster } = parse({ database: PG });
    expect(workerIdOf(cluster, { FEEDMIRROR_WORKER_ID: 'host-a-2' })).toBe('host-a-2');
    expect(workerIdOf(cluster, {})).toMatch(/^.+:\d+$/);
    expect(() => workerIdOf(cluster, { FEEDMIRROR_WORKER_ID: 'host a' })).toThrow(/^FEEDMIRROR_WORKER_ID "host a": expected letters, digits/);
    const configured = parse({ database: PG, cluster: { workerId: 'from-config' } }).cluster;
    expect(workerIdOf(configured, { FEEDMIRROR_WORKER_ID: 'host-a-2' })).toBe('from-config');
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a lease in words', { lease: '2 minutes' }, /cluster\.lease: "2 minutes": a duration such as/],
    ['a lease of 0', { lease: '0s' }, /cluster\.lease: "0s": at least 1 second/],
    ['a negative lease', { lease: -5 }, /^config: \S+: 2 problems\n  cluster\.lease: -5: a number of at least 0\n  cluster\.lease: -5: at least 1 second$/],
    ['a worker id with a space', { workerId: 'host a' }, /cluster\.workerId: "host a": letters, digits/],
    ['a worker id with a control character', { workerId: 'a\u001b[31m' }, /cluster\.workerId: .*letters, digits/],
    ['a claim batch of 0', { claimBatch: 0 }, /cluster\.claimBatch: 0: a number of at least 1/],
    ['maxAttempts as text', { maxAttempts: '3' }, /cluster\.maxAttempts: "3": a number/],
    ['publishDebounce in ms words', { publishDebounce: '10ms' }, /cluster\.publishDebounce: "10ms": a duration/],
    ['a chore with a bad cron expression', { chores: { site: '* * * x' } }, /cluster\.chores\.site: "\* \* \* x": a cron expression/],
    ['an unknown chore', { chores: { backup: '0 * * * *' } }, /cluster\.chores: unknown key "backup" \(expected one of: site, housekeeping\)/],
    ['an unknown key', { leaseSeconds: 10 }, /cluster: unknown key "leaseSeconds" \(expected one of: workerId, lease, claimBatch, maxAttempts, publishDebounce, chores\)/],
  ];
  for (const [name, cluster, message] of bad) {
    it(`refused: ${name}`, () => expect(problems({ database: PG, cluster })).toMatch(message));
  }

  it('on PostgreSQL a lease not above the longest fetch timeout plus 10 s is refused, naming both values', () => {
    expect(problems({ database: PG, cluster: { lease: '1m' }, fetch: { totalTimeoutMs: 60_000 } }))
      .toMatch(/cluster\.lease: "1m": 60 s must exceed the longest fetch timeout \(fetch\.totalTimeoutMs: 60000 ms\) plus 10 s to parse and store \(more than 70 s\)/);
    expect(problems({ database: PG, sources: [{ id: 'slow', url: 'https://slow.example/feed', fetch: { totalTimeoutMs: 200_000 } }] }))
      .toMatch(/cluster\.lease \(2m, the default\): 120 s must exceed the longest fetch timeout \(sources\[0\]\.fetch\.totalTimeoutMs: 200000 ms\)/);
    expect(parse({ database: PG, cluster: { lease: '71s' }, fetch: { totalTimeoutMs: 60_000 } }).cluster.leaseSeconds).toBe(71);
  });

  it('on SQLite the lease is not checked (the block is ignored there)', () => {
    expect(parse({ cluster: { lease: '1s' }, fetch: { totalTimeoutMs: 60_000 } }).cluster.leaseSeconds).toBe(1);
  });

  it('check on a SQLite store says the cluster block is ignored; without one it says nothing of it', async () => {
    const ws = await scope.workspace({ config: { ...opsConfig({ database: 'data/own.db' }), cluster: { workerId: 'w1' } }, fileDatabase: true });
    const result = await runCliInProcess(['check', '--config', ws.configPath], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/cluster: ignored \(the database is a SQLite file/);
    const plain = await scope.workspace({ config: opsConfig({ database: 'data/own.db' }), fileDatabase: true });
    expect((await runCliInProcess(['check', '--config', plain.configPath], { cwd: plain.dir })).stdout).not.toMatch(/cluster/);
  });
});
