/**
 * Logs on stderr: JSON lines for machines (--log-format json, or auto when stderr is not a
 * terminal), human-readable lines with --log-format pretty; one summary line per run.
 */
import { describe, expect, it } from 'vitest';
import { feed, reply } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { LOG_ERROR, runCli } from '../helpers/workspace.js';
import { opsConfig } from './helpers/configs.js';
import { events, opsScope } from './helpers/ops-scope.js';

const scope = opsScope();

async function mixedWorkspace() {
  const server = await scope.server();
  server.on('/news.xml', feed(rssFeed(numberedItems(2))));
  server.on('/broken.xml', reply({ status: 503, body: 'down' }));
  const ws = await scope.workspace({
    config: opsConfig({
      sources: [
        { id: 'seeds', seeds: 'seeds' },
        { id: 'news', url: server.url('/news.xml') },
        { id: 'broken', url: server.url('/broken.xml') },
      ],
    }),
  });
  return { server, ws };
}

const COUNTS = ['sources', 'fetched', 'notModified', 'failed', 'skipped', 'inserted', 'updated', 'filesWritten', 'durationMs'];

describe('log format', () => {
  for (const format of ['json', 'auto'] as const) {
    it(`--log-format ${format} (stderr not a terminal): every stderr line is one JSON object with level, time and msg`, async () => {
      const { ws } = await mixedWorkspace();
      const result = await runCli(['run', '--config', ws.configPath, '--log-format', format], { cwd: ws.dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const record = JSON.parse(line) as Record<string, unknown>;
        expect(typeof record.level, line).toBe('number');
        expect(typeof record.time === 'string' && !Number.isNaN(Date.parse(record.time)), line).toBe(true);
        expect(typeof record.msg, line).toBe('string');
      }
      const runs = events(result.logs, 'run');
      expect(runs).toHaveLength(1);
      const summary = runs[0]!;
      for (const key of COUNTS) expect(typeof summary[key], key).toBe('number');
      expect(summary).toMatchObject({ sources: 3, fetched: 1, failed: 1, inserted: 3 });
      expect(summary.msg).toMatch(/3 sources .*1 fetched.*1 failed/);
      expect(result.logs.filter((r) => r.level === LOG_ERROR && r.source === 'broken')).toHaveLength(1);
    });
  }

  it('--log-format pretty: readable lines (not JSON) with the summary; no colour codes when NO_COLOR / not a terminal', async () => {
    const { ws } = await mixedWorkspace();
    const result = await runCli(['run', '--config', ws.configPath, '--log-format', 'pretty'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs).toEqual([]);
    expect(result.stderr).toMatch(/run done: 3 sources/);
    expect(result.stderr).toMatch(/broken\.xml/);
    expect(result.stderr).not.toMatch(/\u001b\[/);
  });

  it('--log-level warn keeps errors and drops the info summary', async () => {
    const { ws } = await mixedWorkspace();
    const result = await runCli(['run', '--config', ws.configPath, '--log-format', 'json', '--log-level', 'warn'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(events(result.logs, 'run')).toHaveLength(0);
    expect(result.logs.every((r) => r.level >= 40)).toBe(true);
    expect(result.logs.some((r) => r.source === 'broken')).toBe(true);
  });
});
