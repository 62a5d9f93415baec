/**
 * A source removed from the config: its items leave every live output at the next run, "*"
 * outputs included, although the store still holds them.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { FIXTURE_SEEDS, SAMPLE_HEADLINE } from '../helpers/workspace.js';
import { opsConfig } from './helpers/configs.js';
import { opsScope } from './helpers/ops-scope.js';

const scope = opsScope();

describe('a source removed from the config', () => {
  it('its items leave the "*" output at the next run (the store still holds them)', async () => {
    const ws = await scope.workspace({
      config: opsConfig({
        sources: [
          { id: 'seeds', seeds: 'seeds' },
          { id: 'more', seeds: 'more-seeds' },
        ],
        outputs: [{ id: 'all', title: 'Everything', sources: ['*'] }],
      }),
    });
    await mkdir(ws.file('more-seeds'));
    await copyFile(path.join(FIXTURE_SEEDS, 'no-footer.txt'), ws.file('more-seeds', 'no-footer.txt'));
    const cli = (...args: string[]) => runCliInProcess([...args, '--config', ws.configPath], { cwd: ws.dir });
    expect((await cli('run')).code).toBe(0);
    const feed = (output: string) => readFile(path.join(ws.feedsDir, output, 'feed.json'), 'utf8').then((text) => (JSON.parse(text) as { items: unknown[] }).items.length);
    expect(await feed('all')).toBe(2);

    const removed = await cli('sources', 'remove', 'more');
    expect(removed.code, removed.stderr).toBe(0);
    expect((await cli('run')).code).toBe(0);
    expect(await feed('all')).toBe(1);
    expect(await readFile(path.join(ws.feedsDir, 'all', 'rss.xml'), 'utf8')).toContain(SAMPLE_HEADLINE.replaceAll("'", '&apos;').slice(0, 20));
  });
});
