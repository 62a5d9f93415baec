/**
 * Logs on stderr: JSON lines for machines (--log-format json, or auto when stderr is not a
 * terminal), human-readable lines with --log-format pretty; one summary line per run.
 */
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/log/logger.js';
import { describe, expect, it } from 'vitest';
import { feed, reply } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { LOG_ERROR, runCli } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
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

/**
 * Seed file names that would forge or recolour log lines if printed raw, each with how it must
 * appear: a newline, CR, CRLF, an ANSI colour sequence, the one-byte CSI U+009B, U+2028/U+2029
 * and a bidi override, plus a whole forged JSON log line after a newline.
 */
const HOSTILE_NAMES: [name: string, shown: string][] = [
  ['line\nbreak.txt', 'line\\nbreak.txt'],
  ['carriage\rreturn.txt', 'carriage\\rreturn.txt'],
  ['crlf\r\n[12:00:00] INFO: forged.txt', 'crlf\\r\\n[12:00:00] INFO: forged.txt'],
  ['\u001b[31mred\u001b[0m.txt', '\\x1b[31mred\\x1b[0m.txt'],
  ['csi\u009b2J.txt', 'csi\\x9b2J.txt'],
  ['sep\u2028line\u2029para.txt', 'sep\\u2028line\\u2029para.txt'],
  ['bidi\u202etxt.exe.txt', 'bidi\\u202etxt.exe.txt'],
  ['json\n{"level":30,"msg":"forged"}.txt', 'json\\n{"level":30,"msg":"forged"}.txt'],
];

/** Every way a terminal or a line reader may end a line. */
const LINE_BREAKS = /\r\n|[\n\r\u2028\u2029\u0085]/;

async function hostileNameWorkspace() {
  const ws = await scope.workspace({ config: opsConfig() });
  // empty files: each gets one FM_SEED_EMPTY error line naming it
  for (const [name] of HOSTILE_NAMES) await writeFile(path.join(ws.seedsDir, name), '');
  return ws;
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
    const result = await runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'pretty'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs).toEqual([]);
    expect(result.stderr).toMatch(/run done: 3 sources/);
    // the line about a source names it first: the JSON fields that say so are not shown
    expect(result.stderr).toMatch(/^\[\d\d:\d\d:\d\d\] ERROR: \[broken\] feed http:\/\/127\.0\.0\.1:\d+\/broken\.xml: /m);
    expect(result.stderr).not.toMatch(/\u001b\[/);
  });

  it('--log-level warn keeps errors and drops the info summary', async () => {
    const { ws } = await mixedWorkspace();
    const result = await runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'json', '--log-level', 'warn'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(events(result.logs, 'run')).toHaveLength(0);
    expect(result.logs.every((r) => r.level >= 40)).toBe(true);
    expect(result.logs.some((r) => r.source === 'broken')).toBe(true);
  });

  it('--log-format json: a seed file name with a newline, CR, ANSI colours, U+2028 or a bidi override stays inside its one line, escaped in msg and fields', async () => {
    const ws = await hostileNameWorkspace();
    const result = await runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/[\u001b\u009b\u202e]/);
    const lines = result.stderr.split(LINE_BREAKS).filter((line) => line !== '');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    const errors = result.logs.filter((r) => r.level === LOG_ERROR);
    expect(errors).toHaveLength(HOSTILE_NAMES.length);
    for (const [, shown] of HOSTILE_NAMES) {
      const record = errors.find((r) => r.file === path.join(ws.seedsDir, shown));
      expect(record, `${shown}: ${result.stderr}`).toBeDefined();
      expect(record!.msg).toContain(`${shown} is empty`);
      expect(record!.code).toBe('FM_SEED_EMPTY');
    }
    expect(result.logs.filter((r) => r.msg === 'forged')).toEqual([]);
  });

  it('--log-format pretty: the same names leave every event on its own line, visible and escaped', async () => {
    const ws = await hostileNameWorkspace();
    const result = await runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'pretty'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/[\u001b\u009b\u202e]/);
    const lines = result.stderr.split(LINE_BREAKS).filter((line) => line !== '');
    // every physical line is one event: "[HH:MM:SS] LEVEL: message"
    for (const line of lines) expect(line, result.stderr).toMatch(/^\[\d\d:\d\d:\d\d\] (?:DEBUG|INFO|WARN|ERROR|FATAL): /);
    for (const [, shown] of HOSTILE_NAMES) {
      expect(lines.filter((line) => line.includes(`${path.join(ws.seedsDir, shown)} is empty`)), shown).toHaveLength(1);
    }
    expect(lines.filter((line) => line.startsWith('[12:00:00] INFO: forged'))).toEqual([]);
  });

  for (const format of ['json', 'pretty'] as const) {
    it(`${format}: errors (message, own fields, causes), child bindings, interpolated values and nested fields are escaped too`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-log-'));
      scope.defer(() => rm(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'log.txt');
      const fd = openSync(file, 'w');
      try {
        const logger = createLogger({ format, fd });
        const child = logger.child({ source: 'src\nINFO: forged' }).child({ feed: '\u001b[2Jwiped' });
        child.warn({ nested: { list: ['a\rb'] } }, 'warn %s', 'x\u2028y');
        const error = Object.assign(new Error('boom\n[00:00:00] INFO: forged', { cause: new Error('inner\u2029cause') }), { path: '/p\n/q' });
        logger.error(error);
        logger.error({ err: error, file: 'f\u0085g' });
        const cycle: Record<string, unknown> = { name: 'c\nd' };
        cycle.self = cycle;
        logger.info({ cycle }, 'cycle');
      } finally {
        closeSync(fd);
      }
      const text = await readFile(file, 'utf8');
      const lines = text.split(LINE_BREAKS).filter((line) => line !== '');
      expect(lines, text).toHaveLength(4);
      expect(text).not.toMatch(/[\u001b\u0085]/);
      for (const line of lines) expect(line, text).toMatch(format === 'json' ? /^\{.*\}$/ : /^\[\d\d:\d\d:\d\d\] (?:INFO|WARN|ERROR): /);
      expect(text).toContain('boom\\n[00:00:00] INFO: forged');
      if (format === 'json') {
        const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(records[0]).toMatchObject({ source: 'src\\nINFO: forged', feed: '\\x1b[2Jwiped', nested: { list: ['a\\rb'] }, msg: 'warn x\\u2028y' });
        expect(records[1]).toMatchObject({ msg: 'boom\\n[00:00:00] INFO: forged', err: { path: '/p\\n/q', message: 'boom\\n[00:00:00] INFO: forged: inner\\u2029cause' } });
        // a stack keeps its line breaks inside the JSON string (one frame a line); other controls are escaped
        expect((records[1]!.err as { stack: string }).stack).toMatch(/^Error: boom\n\[00:00:00\] INFO: forged\n {4}at [^]*\ncaused by: Error: inner\\u2029cause\n/);
        expect(records[2]).toMatchObject({ file: 'f\\x85g', msg: 'boom\\n[00:00:00] INFO: forged' });
        expect(records[3]).toMatchObject({ cycle: { name: 'c\\nd', self: '[Circular]' } });
      } else {
        // the source (a child binding here) leads the line, escaped like everything else
        expect(lines[0]).toMatch(/WARN: \[src\\nINFO: forged\] warn x\\u2028y$/);
        expect(lines[1]).toMatch(/ERROR: boom\\n\[00:00:00\] INFO: forged$/);
      }
    });
  }

  it('error lines outside the logger (config problems, usage errors) escape them too and keep one problem a line', async () => {
    const ws = await scope.workspace({ config: opsConfig({ sources: [{ id: 'seeds', seeds: 'no\nsuch\u001b[2J' }] }) });
    const check = await runCliInProcess(['check', '--config', ws.configPath], { cwd: ws.dir });
    expect(check.code, check.stderr).toBe(1);
    expect(check.stderr).not.toMatch(/\u001b/);
    expect(check.stderr.trimEnd().split('\n')).toEqual([`feedmirror: config: ${ws.configPath}: 1 problem`, `  sources[0].seeds: ${path.join(ws.dir, 'no\\nsuch\\x1b[2J')} is not a readable folder`]);

    const usage = await runCliInProcess(['run', '--config', ws.configPath, '--source', 'x\u001b[31my\rz'], { cwd: ws.dir });
    expect(usage.code, usage.stderr).toBe(1);
    expect(usage.stderr.trimEnd().split(LINE_BREAKS)).toEqual([`feedmirror: run: unknown source id x\\x1b[31my\\rz (not in ${ws.configPath})`]);
  });
});
