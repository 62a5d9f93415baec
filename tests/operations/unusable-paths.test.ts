/**
 * A `database` or `outputDir` that cannot be used: the run ends at once with exit 2 and a message
 * naming the path and the reason, the lock is released, and a file that is not feedmirror's is
 * left byte for byte as it was.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { opsScope, waitForExit } from './helpers/ops-scope.js';
import { opsConfig } from './helpers/configs.js';
import type { Workspace } from '../helpers/workspace.js';
import { nothingHeld } from '../helpers/test-store.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';

const scope = opsScope();

/** `run` in a child: before the fix these never ended (Node's recursive mkdir spins on ENOENT under /proc). */
async function runChild(ws: Workspace, args: string[] = ['run']): Promise<{ code: number | null; stderr: string }> {
  const child = scope.start([...args, '--config', ws.configPath, '--log-level', 'warn'], { cwd: ws.dir });
  const exit = await waitForExit(child, `feedmirror ${args.join(' ')} to give up`);
  return { code: exit.code, stderr: child.stderr() };
}

/** The same command in this process, where the path cannot make it hang: what is judged is its exit code, its message and the file. */
async function runHere(ws: Workspace, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const result = await runCliInProcess([...args, '--config', ws.configPath, '--log-level', 'warn'], { cwd: ws.dir });
  return { code: result.code, stderr: result.stderr };
}

describe('outputDir or database where no folder can be made', () => {
  it('outputDir under /proc: exit 2 at once, naming the folder and why; the lock is released', async () => {
    const ws = await scope.workspace({ config: opsConfig({ outputDir: '/proc/feedmirror-test/feeds' }) });
    const result = await runChild(ws);
    expect(result).toEqual({
      code: 2,
      stderr: 'feedmirror: run: could not publish: outputDir: cannot create the folder /proc/feedmirror-test (needed for /proc/feedmirror-test/feeds): ENOENT, the file system there allows no new folder\n',
    });
    expect(await nothingHeld(ws.databasePath)).toBe(true);
  });

  it('database under /proc: exit 2 before any lock or store, naming the folder', async () => {
    const ws = await scope.workspace({ config: opsConfig({ database: '/proc/feedmirror-test/feedmirror.db' }) });
    const result = await runChild(ws);
    expect(result).toEqual({ code: 2, stderr: 'feedmirror: database: cannot create the folder /proc/feedmirror-test: ENOENT, the file system there allows no new folder\n' });
    expect(existsSync(ws.feedsDir)).toBe(false);
  });

  it('status with a database under /proc: the same message, exit 2', async () => {
    const ws = await scope.workspace({ config: opsConfig({ database: '/proc/feedmirror-test/feedmirror.db' }) });
    const result = await runChild(ws, ['status']);
    expect(result).toEqual({ code: 2, stderr: 'feedmirror: database: cannot create the folder /proc/feedmirror-test: ENOENT, the file system there allows no new folder\n' });
  });

  it('a file where a folder of the database path should be: named as a file, not a folder', async () => {
    const ws = await scope.workspace({ config: opsConfig({ database: 'blocker/inner/feedmirror.db' }) });
    await writeFile(ws.file('blocker'), 'a file');
    const result = await runChild(ws);
    expect(result).toEqual({ code: 2, stderr: `feedmirror: database: ${ws.file('blocker')} is a file, not a folder (needed for ${ws.file('blocker', 'inner')})\n` });
    expect(readFileSync(ws.file('blocker'), 'utf8')).toBe('a file');
  });
});

describe('database naming a file that is not a feedmirror database', () => {
  const CASES: { name: string; make: (file: string) => Promise<void>; says: string }[] = [
    { name: 'a text file', make: (file) => writeFile(file, 'these are my notes\n'), says: 'is not a feedmirror database: it is not an SQLite file at all' },
    { name: 'a JSON file (the config, say)', make: (file) => writeFile(file, JSON.stringify(opsConfig())), says: 'is not a feedmirror database: it is not an SQLite file at all' },
    {
      name: "another program's SQLite database",
      make: async (file) => {
        const db = new Database(file);
        db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE posts (id INTEGER); INSERT INTO users VALUES (1, 'ann')");
        db.close();
      },
      says: "is not a feedmirror database: it is another program's SQLite file (tables posts, users)",
    },
    { name: 'a folder', make: (file) => mkdir(file), says: 'is a folder, not a feedmirror database file' },
  ];
  for (const c of CASES) {
    it(`${c.name}: run and status exit 2 naming the file; the file is left as it was`, async () => {
      const ws = await scope.workspace({ config: opsConfig({ database: 'data/mine.db' }) });
      const file = ws.file('data', 'mine.db');
      await mkdir(ws.file('data'));
      await c.make(file);
      const before = existsSync(file) && !c.name.includes('folder') ? readFileSync(file) : null;
      for (const command of ['run', 'status']) {
        const result = await runHere(ws, [command]);
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toBe(`feedmirror: store: ${file} ${c.says}${c.name === 'a folder' ? ` (the config's "database" names it)` : c.name.includes('SQLite') ? '; point "database" at a new file' : '; point "database" at a new file (it is created) or at the one feedmirror made'}\n`);
      }
      if (before) expect(readFileSync(file)).toEqual(before);
      // no journal, WAL or shared-memory file was made beside it
      expect((await readdir(ws.file('data'))).sort()).toEqual(['mine.db']);
      expect(existsSync(ws.feedsDir)).toBe(false);
    });
  }
});
