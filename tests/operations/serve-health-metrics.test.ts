/**
 * `feedmirror serve`'s /healthz (store reachable, last run's result) and /metrics (Prometheus text
 * format, read back line by line), with and without `--schedule`, and on their own port with
 * `--admin-port`.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { feed, reply, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { writeConfig, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { opsConfig } from './helpers/configs.js';
import { header, request, type HttpResponse } from './helpers/http-client.js';
import { events, opsScope, startServe, startServeInProcess, waitFor, waitForExit } from './helpers/ops-scope.js';
import { parseExposition, valueOf, type Exposition } from './helpers/prometheus.js';
import { breakStore } from '../helpers/test-store.js';

const scope = opsScope();

interface Health {
  status: string;
  store: string;
  lastRun?: { finishedAt: string; outcome: string; durationMs: number; summary: Record<string, unknown> } | null;
  lastSuccessAt?: string | null;
  error?: string;
}

const healthOf = (response: HttpResponse) => JSON.parse(response.body.toString('utf8')) as Health;

async function run(ws: Workspace, configPath = ws.configPath) {
  return runCliInProcess(['run', '--config', configPath, '--log-format', 'json'], { cwd: ws.dir });
}

function remoteSources(server: FixtureServer) {
  server.on('/news.xml', feed(rssFeed(numberedItems(2))));
  server.on('/broken.xml', reply({ status: 500, body: 'oops' }));
  return [
    { id: 'news', url: server.url('/news.xml') },
    { id: 'broken', url: server.url('/broken.xml') },
  ];
}

describe('serve: /healthz', () => {
  it('200 with the last run (time, result, summary) after a good run; HEAD too; never cached; SIGTERM stops serve with exit 0', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    const result = await run(ws);
    expect(result.code, result.stderr).toBe(0);
    const { port, child } = await startServe(scope, ws);

    const response = await request(port, '/healthz');
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toMatch(/^application\/json/);
    expect(header(response, 'cache-control')).toBe('no-store');
    const health = healthOf(response);
    expect(health).toMatchObject({ status: 'ok', store: 'ok', lastRun: { outcome: 'ok', summary: { inserted: 1 } } });
    expect(Date.parse(health.lastRun!.finishedAt)).not.toBeNaN();
    expect(health.lastSuccessAt).toBe(health.lastRun!.finishedAt);

    const head = await request(port, '/healthz', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);

    child.signal('SIGTERM');
    expect((await waitForExit(child)).code, child.stderr()).toBe(0);
    expect(events(child.logs(), 'stopped')).toHaveLength(1);
  });

  it('503 while the last run failed (output folder unusable), 200 again after a good run', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    expect((await run(ws)).code).toBe(0);
    // The same store, publishing into a path that is a file: the run cannot publish (exit 2).
    await writeFile(ws.file('not-a-folder'), 'x');
    const broken = ws.file('broken.config.json');
    await writeConfig(broken, opsConfig({ outputDir: 'not-a-folder' }));
    expect((await run(ws, broken)).code).toBe(2);

    const { port } = await startServeInProcess(scope, ws);
    const failing = await request(port, '/healthz');
    expect(failing.status).toBe(503);
    const health = healthOf(failing);
    expect(health).toMatchObject({ status: 'failing', store: 'ok', lastRun: { outcome: 'failed' } });
    expect(health.lastSuccessAt).not.toBeNull();

    expect((await run(ws)).code).toBe(0);
    const recovered = await request(port, '/healthz');
    expect(recovered.status).toBe(200);
    expect(healthOf(recovered)).toMatchObject({ status: 'ok', lastRun: { outcome: 'ok' } });
  });

  it('503 when the store cannot be used (the database file is not SQLite); files are still served', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    expect((await run(ws)).code).toBe(0);
    await breakStore(ws.databasePath);
    const { port } = await startServeInProcess(scope, ws);
    const response = await request(port, '/healthz');
    expect(response.status).toBe(503);
    expect(healthOf(response)).toMatchObject({ status: 'failing', store: 'unreachable' });
    expect((await request(port, '/all/rss.xml')).status).toBe(200);
  });
});

describe('serve: /metrics', () => {
  const FAMILIES = {
    feedmirror_runs_total: 'counter',
    feedmirror_run_duration_seconds: 'histogram',
    feedmirror_fetches_total: 'counter',
    feedmirror_items_ingested_total: 'counter',
    feedmirror_source_errors_total: 'counter',
    feedmirror_last_run_timestamp_seconds: 'gauge',
    feedmirror_last_run_success: 'gauge',
    feedmirror_output_last_success_timestamp_seconds: 'gauge',
    feedmirror_source_consecutive_failures: 'gauge',
  };

  async function scrape(port: number): Promise<Exposition> {
    const response = await request(port, '/metrics');
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = parseExposition(response.body.toString('utf8'));
    expect(exposition.problems).toEqual([]);
    return exposition;
  }

  it('Prometheus text format: every sample line is `name{labels} value` with HELP and TYPE; store gauges reflect a run by cron', async () => {
    const server = await scope.server();
    const ws = await scope.workspace({ config: opsConfig({ sources: remoteSources(server) }) });
    expect((await run(ws)).code).toBe(0);
    const { port } = await startServeInProcess(scope, ws);

    const metrics = await scrape(port);
    for (const [family, type] of Object.entries(FAMILIES)) {
      expect(metrics.type.get(family), family).toBe(type);
      expect(metrics.help.get(family), family).toMatch(/\S/);
    }
    expect(metrics.samples.length).toBeGreaterThan(0);
    expect(valueOf(metrics, 'feedmirror_last_run_success')).toBe(1);
    expect(valueOf(metrics, 'feedmirror_last_run_timestamp_seconds')).toBeGreaterThan(0);
    expect(valueOf(metrics, 'feedmirror_output_last_success_timestamp_seconds', { output: 'all' })).toBeGreaterThan(0);
    expect(valueOf(metrics, 'feedmirror_source_consecutive_failures', { source: 'broken' })).toBe(1);
    expect(valueOf(metrics, 'feedmirror_source_consecutive_failures', { source: 'news' })).toBe(0);
    expect(valueOf(metrics, 'feedmirror_run_duration_seconds_count')).toBe(0); // no run by this process yet
  });

  it('with --schedule the runs counter increases run after run, and fetches, items and errors are counted', async () => {
    const server = await scope.server();
    const ws = await scope.workspace({ config: opsConfig({ sources: remoteSources(server), schedule: { cron: '* * * * * *', timezone: 'UTC' } }) });
    const { port, child } = await startServe(scope, ws, ['--schedule', '--grace', '500']);

    const okRuns = async () => valueOf(await scrape(port), 'feedmirror_runs_total', { result: 'ok' }) ?? 0;
    const first = await waitFor(async () => (await okRuns()) >= 1 && (await okRuns()), 'a first scheduled run in /metrics');
    await waitFor(async () => (await okRuns()) > first, 'the runs counter to increase');

    const metrics = await scrape(port);
    expect(valueOf(metrics, 'feedmirror_fetches_total', { status: '200' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(metrics, 'feedmirror_items_ingested_total', { change: 'new' })).toBe(2);
    expect(valueOf(metrics, 'feedmirror_source_errors_total', { source: 'broken', code: 'FM_HTTP_STATUS' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(metrics, 'feedmirror_run_duration_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(events(child.logs(), 'run').length).toBeGreaterThanOrEqual(2);
    expect((await request(port, '/healthz')).status).toBe(200);

    child.signal('SIGTERM');
    expect((await waitForExit(child)).code, child.stderr()).toBe(0);
    expect(events(child.logs(), 'stopped').length).toBeGreaterThanOrEqual(1);
  });
});

describe('serve --admin-port: /healthz and /metrics on their own address only', () => {
  it('the admin port answers /healthz and /metrics and serves no file; the public port serves files and not those two, whatever the Host', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    expect((await run(ws)).code).toBe(0);
    const { port, child } = await startServeInProcess(scope, ws, ['--admin-port', '0']);
    const [listening] = events(child.logs(), 'listening');
    expect(listening).toMatchObject({ host: '127.0.0.1', port, adminHost: '127.0.0.1' });
    const adminPort = listening!.adminPort as number;
    expect(adminPort).toBeGreaterThan(0);
    expect(adminPort).not.toBe(port);

    const health = await request(adminPort, '/healthz');
    expect(health.status).toBe(200);
    expect(healthOf(health)).toMatchObject({ status: 'ok', store: 'ok' });
    expect(header(health, 'x-content-type-options')).toBe('nosniff');
    const metrics = await request(adminPort, '/metrics');
    expect(metrics.status).toBe(200);
    expect(parseExposition(metrics.body.toString('utf8')).problems).toEqual([]);
    for (const target of ['/all/rss.xml', '/', '/index.html']) expect((await request(adminPort, target)).status, `admin ${target}`).toBe(404);
    expect((await request(adminPort, '/healthz', { method: 'POST' })).status).toBe(405);

    for (const host of [undefined, 'localhost', '127.0.0.1', 'feeds.example.org', 'admin.internal']) {
      const headers: Record<string, string> = host ? { host } : {};
      for (const target of ['/healthz', '/metrics', '/healthz?x=1', '/metrics/']) {
        const response = await request(port, target, { headers });
        expect(response.status, `public ${target} Host ${host}`).toBe(404);
        expect(response.body.toString('utf8')).not.toMatch(/feedmirror_|"status"/);
      }
    }
    expect((await request(port, '/all/rss.xml')).status).toBe(200);
  });

  it('--admin-host picks the admin address; --admin-host alone, or an admin port already taken, is exit 1 with the reason', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    expect((await run(ws)).code).toBe(0);
    const { child } = await startServeInProcess(scope, ws, ['--admin-port', '0', '--admin-host', '127.0.0.2']);
    const [listening] = events(child.logs(), 'listening');
    expect(listening).toMatchObject({ adminHost: '127.0.0.2' });
    expect((await request(listening!.adminPort as number, '/healthz', { address: '127.0.0.2' })).status).toBe(200);

    const alone = await runCliInProcess(['serve', '--config', ws.configPath, '--port', '0', '--admin-host', '127.0.0.1'], { cwd: ws.dir });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('--admin-host needs --admin-port');

    const taken = await scope.server();
    const takenPort = Number(new URL(taken.origin).port);
    const clash = await runCliInProcess(['serve', '--config', ws.configPath, '--port', '0', '--admin-port', String(takenPort)], { cwd: ws.dir });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${takenPort}: EADDRINUSE`));
  });
});

describe("parseExposition (this suite's reader of the text format)", () => {
  it('accepts well-formed samples and flags malformed lines and families without HELP/TYPE', () => {
    const good = parseExposition('# HELP a_total A.\n# TYPE a_total counter\na_total{x="1",y="q\\"uote"} 3\n# HELP h Hist.\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 0.5\nh_count 2\n');
    expect(good.problems).toEqual([]);
    expect(valueOf(good, 'a_total', { x: '1', y: 'q\\"uote' })).toBe(3);
    expect(valueOf(good, 'h_bucket', { le: '+Inf' })).toBe(2);
    const bad = parseExposition('# TYPE a counter\na 1\nb 2\nc{x=1} 3\nd four\n');
    expect(bad.problems).toHaveLength(5); // a: no HELP; b: no HELP, no TYPE; c, d: malformed
  });
});
