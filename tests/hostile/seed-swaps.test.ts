/**
 * Seed files swapped between the listing and the read (issue 15, point 7). The folder is listed,
 * then an entry is replaced the way an attacker with write access to the folder would do it
 * mid-run (a link to an outside file renamed over it, a FIFO, a folder, a bigger file), then the
 * listing is read: the outside content never appears, a FIFO never blocks, each swapped entry gets
 * one clear problem, the untouched seeds are read, and the scan says the listing went stale.
 */
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listSeedFolder, readSeedEntries, type SeedFolderScan } from '../../src/sources/read-seeds.js';
import { createWorkspace, LOG_ERROR, SAMPLE_HEADLINE, type Workspace } from '../helpers/workspace.js';
import { expectExit } from './helpers/expectations.js';
import { runFeedmirror, useChildCleanup } from './helpers/processes.js';

useChildCleanup();

const SECRET = 'OUTSIDE-SECRET root:x:0:0 must never be read';
const GOOD = 'A good headline\n\nA body that stays.\n';

interface Scene {
  dir: string;
  seeds: string;
  outside: string;
  /** FIFOs made by the scene: opened for writing at cleanup, so a reader stuck on one is released. */
  fifos: string[];
}

const scenes: Scene[] = [];
afterEach(async () => {
  for (const scene of scenes.splice(0)) {
    for (const fifo of scene.fifos) await releaseFifo(fifo);
    await rm(scene.dir, { recursive: true, force: true });
  }
});

async function releaseFifo(fifo: string): Promise<void> {
  try {
    const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    await writer.close();
  } catch {
    // ENXIO: nobody is reading it, which is what the fix promises
  }
}

/** seeds/aaa.txt, seeds/zzz.txt (good), seeds/sub/inner.txt with a link seeds/link.txt to it, and outside/secret.txt. */
async function scene(): Promise<Scene> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-swap-'));
  const seeds = path.join(dir, 'seeds');
  const outside = path.join(dir, 'outside');
  await mkdir(path.join(seeds, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(seeds, 'aaa.txt'), GOOD);
  await writeFile(path.join(seeds, 'zzz.txt'), 'Another headline\n\nAnother body.\n');
  await writeFile(path.join(seeds, 'sub', 'inner.txt'), 'Inner headline\n\nReached through a link inside the folder.\n');
  await symlink('sub/inner.txt', path.join(seeds, 'link.txt'));
  await writeFile(path.join(outside, 'secret.txt'), SECRET);
  await writeFile(path.join(outside, 'inner.txt'), SECRET);
  const made: Scene = { dir, seeds, outside, fifos: [] };
  scenes.push(made);
  return made;
}

function mkfifo(file: string, s: Scene): void {
  execFileSync('mkfifo', [file]);
  s.fifos.push(file);
}

/** Replaces `name` atomically with what `make` creates under a temporary name. */
async function swapIn(s: Scene, name: string, make: (temp: string) => Promise<void> | void): Promise<void> {
  const temp = path.join(s.seeds, `.swap-${path.basename(name)}`);
  await make(temp);
  await rename(temp, path.join(s.seeds, name));
}

/** Fails instead of hanging when a read blocks (on a FIFO): only a guard, never a measure. */
async function readWithin(promise: Promise<SeedFolderScan>): Promise<SeedFolderScan | 'blocked'> {
  let timer: NodeJS.Timeout | undefined;
  const blocked = new Promise<'blocked'>((resolve) => (timer = setTimeout(() => resolve('blocked'), 15_000)));
  try {
    return await Promise.race([promise, blocked]);
  } finally {
    clearTimeout(timer);
  }
}

interface Swap {
  name: string;
  entry: string;
  swap: (s: Scene) => Promise<void>;
  code: string;
  says: RegExp;
}

const SWAPS: Swap[] = [
  {
    name: 'a link to an outside file renamed over a regular seed',
    entry: 'aaa.txt',
    swap: (s) => swapIn(s, 'aaa.txt', (temp) => symlink(path.join(s.outside, 'secret.txt'), temp)),
    code: 'FM_SEED_CHANGED',
    says: /became a link after the folder was listed/,
  },
  {
    name: 'a relative link to an outside file renamed over a regular seed',
    entry: 'aaa.txt',
    swap: (s) => swapIn(s, 'aaa.txt', (temp) => symlink('../outside/secret.txt', temp)),
    code: 'FM_SEED_CHANGED',
    says: /became a link/,
  },
  {
    name: 'a link that stays inside renamed over a regular seed (not read this time either)',
    entry: 'aaa.txt',
    swap: (s) => swapIn(s, 'aaa.txt', (temp) => symlink('zzz.txt', temp)),
    code: 'FM_SEED_CHANGED',
    says: /became a link/,
  },
  {
    name: 'a FIFO renamed over a regular seed',
    entry: 'aaa.txt',
    swap: (s) => swapIn(s, 'aaa.txt', (temp) => mkfifo(temp, s)),
    code: 'FM_SEED_NOT_FILE',
    says: /is a named pipe \(FIFO\), not a regular file/,
  },
  {
    name: 'a folder in place of a regular seed',
    entry: 'aaa.txt',
    swap: async (s) => {
      await unlink(path.join(s.seeds, 'aaa.txt'));
      await mkdir(path.join(s.seeds, 'aaa.txt'));
    },
    code: 'FM_SEED_NOT_FILE',
    says: /is a folder, not a regular file/,
  },
  {
    name: 'a 100 MB sparse file renamed over a regular seed',
    entry: 'aaa.txt',
    swap: (s) =>
      swapIn(s, 'aaa.txt', async (temp) => {
        await writeFile(temp, GOOD);
        await truncate(temp, 100 * 1024 * 1024);
      }),
    code: 'FM_SEED_TOO_BIG',
    says: /is 104857600 bytes, more than the 5000000-byte limit/,
  },
  {
    name: 'a regular seed removed',
    entry: 'aaa.txt',
    swap: (s) => unlink(path.join(s.seeds, 'aaa.txt')),
    code: 'FM_SEED_UNREADABLE',
    says: /cannot be read \(ENOENT\)/,
  },
  {
    name: 'a link inside the folder re-pointed outside',
    entry: 'link.txt',
    swap: (s) => swapIn(s, 'link.txt', (temp) => symlink(path.join(s.outside, 'secret.txt'), temp)),
    code: 'FM_SEED_OUTSIDE',
    says: /is a link to .*outside\/secret\.txt, outside the seeds folder/,
  },
  {
    name: "the folder on a link's way swapped for a link to an outside folder",
    entry: 'link.txt',
    swap: async (s) => {
      await rename(path.join(s.seeds, 'sub'), path.join(s.dir, 'sub-moved'));
      await symlink(s.outside, path.join(s.seeds, 'sub'));
    },
    code: 'FM_SEED_OUTSIDE',
    says: /is a link to .*outside\/inner\.txt, outside the seeds folder/,
  },
  {
    name: "a FIFO renamed over a link's target",
    entry: 'link.txt',
    swap: (s) => swapIn(s, 'sub/inner.txt', (temp) => mkfifo(temp, s)),
    code: 'FM_SEED_NOT_FILE',
    says: /named pipe/,
  },
  {
    name: "a link to an outside file renamed over a link's target",
    entry: 'link.txt',
    swap: (s) => swapIn(s, 'sub/inner.txt', (temp) => symlink(path.join(s.outside, 'secret.txt'), temp)),
    code: 'FM_SEED_CHANGED',
    says: /became a link/,
  },
];

describe('a seed swapped between listing and reading', () => {
  for (const c of SWAPS) {
    it(`${c.name}: ${c.code}, nothing from outside, no hang, the other seeds read`, async () => {
      const s = await scene();
      const listing = await listSeedFolder('seeds', s.seeds);
      expect(listing.problems).toEqual([]);
      expect(listing.entries.map((e) => e.name)).toEqual(['aaa.txt', 'link.txt', 'zzz.txt']);

      await c.swap(s);
      const scan = await readWithin(readSeedEntries('seeds', listing));

      expect(scan, 'the read blocked').not.toBe('blocked');
      const { files, problems, matchesListing } = scan as SeedFolderScan;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ sourceId: 'seeds', target: path.join(s.seeds, c.entry), code: c.code });
      expect(problems[0]!.message).toMatch(c.says);
      expect(files.map((f) => f.name)).toEqual(['aaa.txt', 'link.txt', 'zzz.txt'].filter((name) => name !== c.entry));
      for (const file of files) expect(file.bytes.toString('utf8')).not.toContain('OUTSIDE-SECRET');
      expect(matchesListing).toBe(false);
    });
  }

  it('a seed rewritten by an atomic save (another regular file): the new bytes are read; the listing is marked stale', async () => {
    const s = await scene();
    const listing = await listSeedFolder('seeds', s.seeds);
    await swapIn(s, 'aaa.txt', (temp) => writeFile(temp, 'An edited headline\n\nEdited body.\n'));
    const scan = await readSeedEntries('seeds', listing);
    expect(scan.problems).toEqual([]);
    expect(scan.files.find((f) => f.name === 'aaa.txt')!.bytes.toString('utf8')).toContain('An edited headline');
    expect(scan.matchesListing).toBe(false);
  });

  it('nothing swapped: every seed read, the link inside the folder too, and the listing still matches', async () => {
    const s = await scene();
    const scan = await readSeedEntries('seeds', await listSeedFolder('seeds', s.seeds));
    expect(scan.problems).toEqual([]);
    expect(scan.files.map((f) => [f.name, f.bytes.toString('utf8').split('\n')[0]])).toEqual([
      ['aaa.txt', 'A good headline'],
      ['link.txt', 'Inner headline'],
      ['zzz.txt', 'Another headline'],
    ]);
    expect(scan.matchesListing).toBe(true);
  });
});

describe('entries that are not regular files, through the CLI', () => {
  const workspaces: Workspace[] = [];
  afterEach(async () => {
    for (const ws of workspaces.splice(0)) await ws.cleanup();
  });

  it('a FIFO, a folder and a link to a FIFO named *.txt: the run ends (exit 0), one FM_SEED_NOT_FILE line each, the good seed published', async () => {
    const ws = await createWorkspace();
    workspaces.push(ws);
    const fifo = path.join(ws.seedsDir, 'x.txt');
    execFileSync('mkfifo', [fifo]);
    await mkdir(path.join(ws.seedsDir, 'folder.txt'));
    await symlink('x.txt', path.join(ws.seedsDir, 'pipe-link.txt'));
    try {
      const result = await runFeedmirror(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir, measure: false });
      expectExit(result, 0);
      const errors = result.logs.filter((r) => r.level >= LOG_ERROR);
      expect(errors.map((r) => [r.code, r.file]).sort()).toEqual(
        [
          ['FM_SEED_NOT_FILE', path.join(ws.seedsDir, 'folder.txt')],
          ['FM_SEED_NOT_FILE', path.join(ws.seedsDir, 'pipe-link.txt')],
          ['FM_SEED_NOT_FILE', fifo],
        ].sort(),
      );
      expect(errors.find((r) => r.file === fifo)!.msg).toMatch(/x\.txt.*is a named pipe \(FIFO\), not a regular file/);
      expect(await readFile(path.join(ws.feedsDir, 'all/rss.xml'), 'utf8')).toContain(SAMPLE_HEADLINE.slice(0, 20));
    } finally {
      await releaseFifo(fifo);
    }
  });
});
