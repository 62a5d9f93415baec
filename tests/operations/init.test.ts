/**
 * `feedmirror init [DIR]`: a project to start from, written without overwriting anything; and
 * what `run` says to someone who has no config yet.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { listFiles, SAMPLE_ID, SAMPLE_SEED, FIXTURE_SEEDS } from '../helpers/workspace.js';
import { opsScope } from './helpers/ops-scope.js';

const scope = opsScope();

/** An empty folder (the workspace's own empty seeds/ removed). */
async function emptyFolder(): Promise<string> {
  const ws = await scope.workspace({ config: null, seeds: [] });
  await rm(ws.seedsDir, { recursive: true });
  return ws.dir;
}

describe('feedmirror init', () => {
  it('init DIR: a commented config and the sample seed in a new folder, the next two commands printed; run and check work there at once', async () => {
    const parent = await emptyFolder();
    const dir = path.join(parent, 'my feeds');
    const init = await runCliInProcess(['init', dir], { cwd: parent });
    expect(init.code, init.stderr).toBe(0);
    expect(await listFiles(dir)).toEqual(['feedmirror.config.json', `seeds/${SAMPLE_SEED}`]);
    expect(init.stdout).toBe(
      [
        'wrote:',
        `  ${path.join(dir, 'feedmirror.config.json')}`,
        `  ${path.join(dir, 'seeds', SAMPLE_SEED)}`,
        'next:',
        `  cd '${dir}' && feedmirror run      # publishes the sample into feeds/`,
        `  cd '${dir}' && feedmirror serve    # serves it at http://127.0.0.1:8080/`,
        '',
      ].join('\n'),
    );
    const config = JSON.parse(await readFile(path.join(dir, 'feedmirror.config.json'), 'utf8')) as Record<string, unknown> & { site: Record<string, unknown> };
    expect(config['//']).toMatch(/Keys named "\/\/" are comments/);
    expect(config.site['//']).toMatch(/where the output folder is served/);
    expect(await readFile(path.join(dir, 'seeds', SAMPLE_SEED))).toEqual(await readFile(path.join(FIXTURE_SEEDS, SAMPLE_SEED)));

    expect((await runCliInProcess(['check'], { cwd: dir })).code).toBe(0);
    const run = await runCliInProcess(['run'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'feeds', 'articles', `${SAMPLE_ID}.html`))).toBe(true);
  });

  it('init with no DIR writes into the current folder, and the commands need no cd', async () => {
    const dir = await emptyFolder();
    const init = await runCliInProcess(['init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('\n  feedmirror run      # publishes the sample into feeds/\n');
    expect(existsSync(path.join(dir, 'feedmirror.config.json'))).toBe(true);
  });

  it('refuses to overwrite: names each file that exists, writes nothing, exit 1', async () => {
    const dir = await emptyFolder();
    await writeFile(path.join(dir, 'feedmirror.config.json'), '{ "mine": true }\n');
    await mkdir(path.join(dir, 'seeds'));
    await writeFile(path.join(dir, 'seeds', SAMPLE_SEED), 'my own article\n');
    const init = await runCliInProcess(['init', dir], { cwd: dir });
    expect(init.code).toBe(1);
    expect(init.stderr).toBe(`feedmirror: init: ${path.join(dir, 'feedmirror.config.json')}, ${path.join(dir, 'seeds', SAMPLE_SEED)} already exist; nothing written (move them away, or init another folder)\n`);
    expect(await readFile(path.join(dir, 'feedmirror.config.json'), 'utf8')).toBe('{ "mine": true }\n');
    expect(await readFile(path.join(dir, 'seeds', SAMPLE_SEED), 'utf8')).toBe('my own article\n');
  });

  it('one file in the way is enough to write none', async () => {
    const dir = await emptyFolder();
    await writeFile(path.join(dir, 'feedmirror.config.json'), '{}\n');
    const init = await runCliInProcess(['init'], { cwd: dir });
    expect(init.code).toBe(1);
    expect(init.stderr).toContain(`init: ${path.join(dir, 'feedmirror.config.json')} already exists; nothing written (move it away`);
    expect(existsSync(path.join(dir, 'seeds'))).toBe(false);
  });

  it('comments survive an edit of the config (sources add, import-opml rewrite it)', async () => {
    const dir = await emptyFolder();
    expect((await runCliInProcess(['init'], { cwd: dir })).code).toBe(0);
    await writeFile(path.join(dir, 'list.opml'), '<?xml version="1.0"?><opml version="2.0"><body><outline text="News" xmlUrl="https://news.example/feed"/></body></opml>');
    expect((await runCliInProcess(['import-opml', 'list.opml'], { cwd: dir })).code).toBe(0);
    const config = JSON.parse(await readFile(path.join(dir, 'feedmirror.config.json'), 'utf8')) as { '//': string; sources: Record<string, string>[] };
    expect(config['//']).toMatch(/comments/);
    expect(config.sources.map((s) => s.id)).toEqual(['seeds', 'news']);
    expect(config.sources[0]!['//']).toMatch(/Seed articles/);
  });
});

describe('no config yet', () => {
  for (const command of ['run', 'status', 'check']) {
    it(`${command} without a config says it is missing and that \`feedmirror init\` writes one`, async () => {
      const dir = await emptyFolder();
      const result = await runCliInProcess([command], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`feedmirror: config: ${path.join(dir, 'feedmirror.config.json')}: cannot read the file: ENOENT; \`feedmirror init\` writes a starting config and a seeds/ folder with a sample\n`);
    });
  }
});
