import { hostname } from 'node:os';
import { open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FeedmirrorError } from '../model/errors.js';
import { makeFolders } from '../lib/make-folders.js';

/**
 * One run at a time per store: a lock file next to the database, created exclusively. A lock
 * whose process is gone (same host, pid not alive) is stale and taken over at once, so a run
 * killed by SIGKILL or a reboot never blocks the next cron run; a lock from another host is
 * trusted until it is older than STALE_FOREIGN_MS.
 */
const STALE_FOREIGN_MS = 6 * 3600_000;
/** A lock file that is still empty or half-written this long after creation is a crashed writer's. */
const UNREADABLE_GRACE_MS = 10_000;

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

export interface RunLock {
  release(): Promise<void>;
}

export type LockAttempt = { acquired: true; lock: RunLock } | { acquired: false; holder: LockInfo | null };

export async function tryAcquireLock(file: string, now: () => Date = () => new Date()): Promise<LockAttempt> {
  // The lock sits beside the database, whose folder the first run creates.
  await makeFolders(path.dirname(file), { code: 'FM_STORE', label: 'database' });
  for (let attempt = 0; attempt < 3; attempt++) {
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: now().toISOString() };
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      return { acquired: true, lock: { release: () => releaseLock(file, info) } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (!(await isStale(file, holder, now()))) return { acquired: false, holder: holder?.info ?? null };
    if (!(await removeStaleLock(file, now))) return { acquired: false, holder: holder?.info ?? null };
  }
  return { acquired: false, holder: (await readHolder(file))?.info ?? null };
}

/**
 * Removes a stale lock while holding `<lock>.takeover`, so that of several processes finding the
 * same stale lock only one removes it — and never the fresh lock another one has just created.
 */
async function removeStaleLock(file: string, now: () => Date): Promise<boolean> {
  const takeover = `${file}.takeover`;
  let handle;
  try {
    handle = await open(takeover, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A takeover abandoned by a crash is itself stale after a moment.
    const info = await stat(takeover).catch(() => null);
    if (info && now().getTime() - info.mtimeMs > UNREADABLE_GRACE_MS) await rm(takeover, { force: true });
    return false;
  }
  try {
    const holder = await readHolder(file);
    // Gone already: another contender removed it, and may be creating its own lock this instant.
    if (holder !== null && (await isStale(file, holder, now()))) await rm(file, { force: true });
    return true;
  } finally {
    await handle.close();
    await rm(takeover, { force: true });
  }
}

/** Polls until the lock is free. */
export async function acquireLockWaiting(file: string, pollMs = 1000, signal?: AbortSignal): Promise<RunLock> {
  return pollLock(() => tryAcquireLock(file), pollMs, signal);
}

/** Tries a lock (a file, or another kind) until it is acquired. */
export async function pollLock(tryLock: () => Promise<LockAttempt>, pollMs = 1000, signal?: AbortSignal): Promise<RunLock> {
  for (;;) {
    const attempt = await tryLock();
    if (attempt.acquired) return attempt.lock;
    if (signal?.aborted) throw new FeedmirrorError('FM_LOCK_ABORTED', 'gave up waiting for the run lock');
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function readHolder(file: string): Promise<{ info: LockInfo | null; mtimeMs: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    try {
      return { info: JSON.parse(text) as LockInfo, mtimeMs: info.mtimeMs };
    } catch {
      return { info: null, mtimeMs: info.mtimeMs };
    }
  } catch {
    return null; // gone between our attempts: not held
  }
}

async function isStale(file: string, holder: Awaited<ReturnType<typeof readHolder>>, now: Date): Promise<boolean> {
  if (holder === null) return true;
  const age = now.getTime() - holder.mtimeMs;
  if (!holder.info || typeof holder.info.pid !== 'number') return age > UNREADABLE_GRACE_MS;
  if (holder.info.host !== hostname()) return age > STALE_FOREIGN_MS;
  return !isAlive(holder.info.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(file: string, info: LockInfo): Promise<void> {
  const holder = await readHolder(file);
  // Never remove a lock another process took over.
  if (holder?.info?.pid === info.pid && holder.info.startedAt === info.startedAt) await rm(file, { force: true });
}
