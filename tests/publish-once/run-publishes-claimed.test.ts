/**
 * `feedmirror run` on PostgreSQL publishes through the outputs queue: one log line per output it
 * published (output, worker, claim_seq, start, end), none when nothing changed; an output stays
 * unpublished until it has been dirty for cluster.publishDebounce, and the run waits for that
 * rather than leave its own changes unpublished.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTimes, listFiles, runCli, type LogRecord, type Workspace } from '../helpers/workspace.js';
import { queryDatabase } from '../helpers/test-store.js';
import { opsConfig } from '../operations/helpers/configs.js';
import { opsScope } from '../operations/helpers/ops-scope.js';

const scope = opsScope();

const OUTPUTS = [
  { id: 'all', title: 'Everything', sources: ['*'], limit: 100 },
  { id: 'seeds-only', title: 'Seeds', sources: ['seeds'], limit: 100 },
];

const run = (ws: Workspace) => runCli(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
const outputDir = (ws: Workspace) => path.join(ws.dir, 'feeds');
const publishLines = (logs: LogRecord[]) => logs.filter((line) => line.event === 'publish');

describe('feedmirror run on PostgreSQL: publishing claimed outputs', () => {
  it('publishes each changed output once, with a log line saying who and when; a run that changes nothing publishes nothing', async () => {
    const ws = await scope.workspace({ config: { ...opsConfig({ outputs: OUTPUTS }), cluster: { publishDebounce: 0 } } });
    const first = await run(ws);
    expect(first.code, first.stderr).toBe(0);
    const lines = publishLines(first.logs);
    expect(lines.map((line) => line.output).sort()).toEqual(['all', 'seeds-only']);
    for (const line of lines) {
      expect(line).toMatchObject({ worker: expect.stringMatching(/:\d+$/), claimSeq: 1 });
      expect(Date.parse(line.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(line.startedAt as string));
    }
    const files = await listFiles(outputDir(ws));
    expect(files).toEqual(expect.arrayContaining(['index.html', 'all/rss.xml', 'all/atom.xml', 'all/feed.json', 'seeds-only/rss.xml']));
    const before = await fileTimes(outputDir(ws));
    const second = await run(ws);
    expect(second.code, second.stderr).toBe(0);
    expect(publishLines(second.logs)).toEqual([]);
    expect(await fileTimes(outputDir(ws))).toEqual(before);
    const rows = await queryDatabase(ws.databasePath, (sql) => sql`SELECT id, dirty, claimed_by, claim_seq::int AS claim_seq FROM outputs ORDER BY id`);
    expect(rows).toEqual([{ id: 'all', dirty: false, claimed_by: null, claim_seq: 1 }, { id: 'seeds-only', dirty: false, claimed_by: null, claim_seq: 1 }]);
  });

  it('an output is published once it has been dirty for publishDebounce: the run waits for its own changes', async () => {
    const ws = await scope.workspace({ config: { ...opsConfig({ outputs: OUTPUTS }), cluster: { publishDebounce: '2s' } } });
    const result = await run(ws);
    expect(result.code, result.stderr).toBe(0);
    const lines = publishLines(result.logs);
    expect(lines.map((line) => line.output).sort()).toEqual(['all', 'seeds-only']);
    // The rows were made by this run, after its store was created: every publish came at least 2 s after that.
    const created = await queryDatabase(ws.databasePath, async (sql) => (await sql<{ t: Date }[]>`SELECT max(applied_at) AS t FROM schema_migrations`)[0]!.t);
    for (const line of lines) expect(Date.parse(line.startedAt as string) - created.getTime()).toBeGreaterThanOrEqual(2000);
  });
});
