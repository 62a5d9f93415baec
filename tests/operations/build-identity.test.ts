/**
 * What a run skips as unchanged is keyed on the code that would redo it: a rebuilt renderer reaches
 * every file, and `run --refresh` redoes everything whatever the records say.
 */
import { cp, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkspace, REPO_ROOT, type Workspace } from '../helpers/workspace.js';
import { runProcess } from '../helpers/tools.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A copy of the built program (bin/, dist/, what it was built from) that a test may change. */
async function scratchCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-build-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const entry of ['bin', 'dist', 'scripts', 'src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) await cp(path.join(REPO_ROOT, entry), path.join(dir, entry), { recursive: true });
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

async function workspace(): Promise<Workspace> {
  const ws = await createWorkspace();
  cleanups.push(() => ws.cleanup());
  return ws;
}

async function run(program: string, ws: Workspace, ...args: string[]) {
  const result = await runProcess(process.execPath, [path.join(program, 'bin', 'feedmirror.js'), 'run', ...args, '--log-format', 'json'], { cwd: ws.dir, env: { ...process.env, NO_COLOR: '1' } });
  expect(result.code, result.stderr).toBe(0);
  const done = result.stderr.split('\n').find((line) => line.includes('"event":"run"'));
  return JSON.parse(done!) as { publishSkipped: boolean; filesWritten: number };
}

describe('build identity', () => {
  it('a renderer changed and rebuilt reaches feed.json on the next run, though nothing else changed', async () => {
    const program = await scratchCopy();
    const ws = await workspace();
    await run(program, ws);
    expect((await run(program, ws)).publishSkipped).toBe(true);
    // The edit a contributor makes, then what `npm run build` does after tsc: record the build.
    const renderer = path.join(program, 'dist', 'publish', 'render-json.js');
    const source = await readFile(renderer, 'utf8');
    expect(source).toContain("title: view.title,");
    await writeFile(renderer, source.replace('title: view.title,', "title: `${view.title} (rebuilt)`,"));
    const build = await runProcess(process.execPath, [path.join(program, 'scripts', 'write-build-id.mjs')], { cwd: program });
    expect(build.code, build.stderr).toBe(0);
    const after = await run(program, ws);
    expect(after.publishSkipped).toBe(false);
    expect(after.filesWritten).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(ws.file('feeds', 'all', 'feed.json'), 'utf8')).title).toMatch(/\(rebuilt\)$/);
  });

  it('run --refresh renders and compares every file: one changed behind the records\' back is rewritten', async () => {
    const ws = await workspace();
    await run(REPO_ROOT, ws);
    const file = ws.file('feeds', 'all', 'feed.json');
    const original = await readFile(file, 'utf8');
    const before = await stat(file);
    // Same size, same inode, same mtime: nothing a record compares tells it from the one written.
    await writeFile(file, original.replace('"version"', '"VERSION"'));
    await utimes(file, before.atime, before.mtime);
    expect((await run(REPO_ROOT, ws)).publishSkipped).toBe(true);
    expect(await readFile(file, 'utf8')).not.toBe(original);
    const refreshed = await run(REPO_ROOT, ws, '--refresh');
    expect(refreshed.publishSkipped).toBe(false);
    expect(refreshed.filesWritten).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(original);
  });
});
