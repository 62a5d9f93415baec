/**
 * Disk full and a read-only output folder (issue 8): the run reports the error, exits 2 ("could
 * not publish"), the previous feed files stay byte-identical and no temp file is left behind; the
 * next run on a healthy disk publishes what was stored meanwhile.
 *
 * How the failures are made, without touching the machine outside the test:
 * - Disk full (ENOSPC): the run happens in a private mount namespace (`unshare --mount`, plus
 *   `--user --map-root-user` when not root) where the output folder is a tiny tmpfs, pre-filled
 *   with the previous feed files and then filled to the last byte. The mount exists only inside
 *   that namespace and disappears with it; afterwards the tmpfs contents are copied out to be
 *   compared. Where namespaces are not available the test says so and skips.
 * - Read-only output folder: chmod 0555 stops nobody when the tests run as root (root ignores
 *   permission bits), so the output folder is bind-mounted read-only (EROFS) in a private mount
 *   namespace. Fallbacks: chmod 0555 when not root, `chattr +i` when root without namespaces.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { CLI_BIN, createWorkspace, type Workspace } from '../helpers/workspace.js';
import { scheduleTick } from '../helpers/test-store.js';
import { expectExit } from './helpers/expectations.js';
import { checkOutputTree, inspectStore, listTree, snapshotTree, tempFiles } from './helpers/outputs.js';
import { runCommand, runFeedmirror, useChildCleanup } from './helpers/processes.js';

useChildCleanup();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const IS_ROOT = process.getuid?.() === 0;

/** `unshare` arguments that give a private mount namespace here, or null (probed once). */
let namespacePrefix: Promise<string[] | null> | undefined;

function privateMountNamespace(): Promise<string[] | null> {
  namespacePrefix ??= (async () => {
    const candidates = [
      ...(IS_ROOT ? [['--mount', '--propagation', 'private']] : []),
      ['--user', '--map-root-user', '--mount', '--propagation', 'private'],
    ];
    const probeDir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-ns-probe-'));
    try {
      for (const args of candidates) {
        try {
          execFileSync('unshare', [...args, 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs "$1" && touch "$1/x" && umount "$1"', 'sh', probeDir], { stdio: 'ignore', timeout: 10_000 });
          return args;
        } catch {
          // not allowed here; try the next way
        }
      }
      return null;
    } finally {
      await rm(probeDir, { recursive: true, force: true });
    }
  })();
  return namespacePrefix;
}

async function publishedProject(): Promise<Workspace> {
  const ws = await createWorkspace();
  cleanups.push(() => ws.cleanup());
  const first = await runFeedmirror(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir, measure: false });
  expectExit(first, 0);
  // a new article, so the next run has feed files to rewrite
  await writeFile(path.join(ws.seedsDir, '001_0badd15c0ffee0.txt'), 'A second article arrives\n\nIts body, in one paragraph.\n');
  await scheduleTick(ws.databasePath); // the next run reads the seeds folder again (on PostgreSQL: at cron's next tick)
  return ws;
}

const NEW_HEADLINE = 'A second article arrives';

/** tmpfs needs a page per small file: room for the previous files and a little more, then filled up. */
async function tmpfsKilobytes(dir: string): Promise<number> {
  let pages = 16;
  for (const file of await listTree(dir)) pages += Math.ceil((await stat(path.join(dir, file))).size / 4096) + 1;
  return pages * 4;
}

describe('disk full (ENOSPC) while publishing', () => {
  it('exit 2 with the error reported; the previous feed files byte-identical, no temp file; the next healthy run publishes', async (context: TestContext) => {
    const prefix = await privateMountNamespace();
    if (!prefix) {
      console.warn('[feedmirror tests] SKIPPED: no private mount namespace (unshare) here, so no way to fill a disk without root');
      return context.skip();
    }
    const ws = await publishedProject();
    const before = await snapshotTree(ws.feedsDir);
    const after = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-enospc-after-'));
    const stage = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-enospc-stage-'));
    cleanups.push(() => rm(after, { recursive: true, force: true }), () => rm(stage, { recursive: true, force: true }));
    // inside the namespace: tmpfs over the output folder, previous files copied in, the rest filled, run, copy out
    const script = [
      'set -e',
      'stage="$1"; feeds="$2"; after="$3"; kb="$4"; shift 4',
      'cp -a "$feeds/." "$stage/"',
      'mount -t tmpfs -o "size=${kb}k" tmpfs "$feeds"',
      'cp -a "$stage/." "$feeds/"',
      'dd if=/dev/zero of="$feeds/.disk-filler" bs=4096 2>/dev/null || true',
      'set +e',
      '"$@"; rc=$?',
      'rm -f "$feeds/.disk-filler"',
      'cp -a "$feeds/." "$after/"',
      'exit $rc',
    ].join('\n');
    const kb = await tmpfsKilobytes(ws.feedsDir);

    const result = await runCommand(
      'unshare',
      [...prefix, 'sh', '-c', script, 'sh', stage, ws.feedsDir, after, String(kb), process.execPath, CLI_BIN, 'run', '--config', ws.configPath, '--log-format', 'json'],
      { cwd: ws.dir, measure: false },
    );

    expectExit(result, 2);
    expect(result.stderr).toMatch(/feedmirror: run: could not publish: .*(ENOSPC|no space left)/i);
    expect(await snapshotTree(after)).toEqual(before);
    expect(await tempFiles(after)).toEqual([]);
    // the real folder under the mount was never touched either
    expect(await snapshotTree(ws.feedsDir)).toEqual(before);
    expect((await inspectStore(ws.databasePath)).integrity).toBe('ok');

    const healthy = await runFeedmirror(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir, measure: false });
    expectExit(healthy, 0);
    expect(await readFile(path.join(ws.feedsDir, 'all/rss.xml'), 'utf8')).toContain(NEW_HEADLINE);
    expect(await checkOutputTree(ws.feedsDir, { deep: false })).toEqual([]);
  });
});

type ReadOnlyWay = { kind: 'namespace'; prefix: string[] } | { kind: 'chmod' } | { kind: 'chattr' };

/** FEEDMIRROR_TEST_READONLY_WAY=chmod|chattr forces a fallback, to exercise it where namespaces exist. */
async function readOnlyWay(): Promise<ReadOnlyWay | null> {
  const forced = process.env.FEEDMIRROR_TEST_READONLY_WAY;
  if (forced === 'chmod' || forced === 'chattr') return { kind: forced };
  const prefix = await privateMountNamespace();
  if (prefix) return { kind: 'namespace', prefix };
  if (!IS_ROOT) return { kind: 'chmod' };
  try {
    const probe = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-chattr-probe-'));
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    await rm(probe, { recursive: true });
    return { kind: 'chattr' };
  } catch {
    return null;
  }
}

/** Every folder under (and including) `root`. */
async function folders(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return [root, ...entries.filter((e) => e.isDirectory()).map((e) => path.join(e.parentPath, e.name))];
}

describe('a read-only output folder', () => {
  it('exit 2 with the error reported; the previous feed files byte-identical (and untouched), no temp file; the next writable run publishes', async (context: TestContext) => {
    const way = await readOnlyWay();
    if (!way) {
      console.warn('[feedmirror tests] SKIPPED: running as root with neither mount namespaces nor chattr, so nothing can make a folder read-only');
      return context.skip();
    }
    const ws = await publishedProject();
    const before = await snapshotTree(ws.feedsDir);
    const timesBefore = await Promise.all((await listTree(ws.feedsDir)).map(async (f) => [f, (await stat(path.join(ws.feedsDir, f))).mtimeMs] as const));
    const cli = [process.execPath, CLI_BIN, 'run', '--config', ws.configPath, '--log-format', 'json'];

    let result;
    if (way.kind === 'namespace') {
      // a read-only bind mount of the output folder onto itself, visible to this one run only
      const script = 'set -e; feeds="$1"; shift; mount --bind "$feeds" "$feeds"; mount -o remount,bind,ro "$feeds"; exec "$@"';
      result = await runCommand('unshare', [...way.prefix, 'sh', '-c', script, 'sh', ws.feedsDir, ...cli], { cwd: ws.dir, measure: false });
    } else {
      const dirs = await folders(ws.feedsDir);
      if (way.kind === 'chmod') {
        for (const dir of dirs) await chmod(dir, 0o555);
        cleanups.push(async () => {
          for (const dir of dirs) await chmod(dir, 0o755);
        });
      } else {
        execFileSync('chattr', ['+i', ...dirs]);
        cleanups.push(async () => void execFileSync('chattr', ['-i', ...dirs]));
      }
      result = await runFeedmirror(cli.slice(2), { cwd: ws.dir, measure: false });
      for (const cleanup of cleanups.splice(-1)) await cleanup();
    }

    expectExit(result, 2);
    expect(result.stderr).toMatch(/feedmirror: run: could not publish: .*(EROFS|EACCES|EPERM|read-only|permission)/i);
    expect(await snapshotTree(ws.feedsDir)).toEqual(before);
    expect(await Promise.all((await listTree(ws.feedsDir)).map(async (f) => [f, (await stat(path.join(ws.feedsDir, f))).mtimeMs] as const))).toEqual(timesBefore);
    expect(await tempFiles(ws.feedsDir)).toEqual([]);
    expect((await inspectStore(ws.databasePath)).integrity).toBe('ok');

    const healthy = await runFeedmirror(cli.slice(2), { cwd: ws.dir, measure: false });
    expectExit(healthy, 0);
    expect(await snapshotTree(ws.feedsDir)).not.toEqual(before);
    expect(await readFile(path.join(ws.feedsDir, 'all/rss.xml'), 'utf8')).toContain(NEW_HEADLINE);
    expect(await checkOutputTree(ws.feedsDir, { deep: false })).toEqual([]);
  });
});

