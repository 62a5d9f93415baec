import { hostname } from 'node:os';
import postgres from 'postgres';
import { redactDatabase } from '../lib/database-url.js';
import { LOCK_SPACE, RUN_LOCK } from './postgres-migrations.js';
import { FeedmirrorError } from '../model/errors.js';

/** What the lock's connection calls itself, so that a run finding the lock held can say who holds it. */
const HOLDER_NAME = /^feedmirror run (\d+)@(.*)$/;

export interface PostgresLockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export type PostgresLockAttempt = { acquired: true; lock: { release(): Promise<void> } } | { acquired: false; holder: PostgresLockHolder | null };

/**
 * One run at a time per PostgreSQL store, on any host: a session advisory lock held by a
 * connection of its own for the whole run. The server releases it when that connection ends, so
 * a run killed on any host never leaves a lock behind (the lock file of a SQLite store needs
 * stale-lock rules for that).
 */
export async function tryAcquirePostgresRunLock(url: string): Promise<PostgresLockAttempt> {
  // application_name holds at most 63 bytes: a long host name is cut, the pid is kept.
  const sql = postgres(url, { max: 1, onnotice: () => undefined, connection: { application_name: `feedmirror run ${process.pid}@${hostname()}`.slice(0, 63) } });
  try {
    const [row] = await sql<{ acquired: boolean }[]>`SELECT pg_try_advisory_lock(${LOCK_SPACE}::int, ${RUN_LOCK}::int) AS acquired`;
    if (row!.acquired) return { acquired: true, lock: { release: () => sql.end({ timeout: 5 }) } };
    const holder = await lockHolder(sql);
    await sql.end({ timeout: 5 });
    return { acquired: false, holder };
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw new FeedmirrorError('FM_STORE', `store: cannot open ${redactDatabase(url)}: ${(error as Error).message}`, { cause: error });
  }
}

async function lockHolder(sql: postgres.Sql): Promise<PostgresLockHolder | null> {
  const [row] = await sql<{ application_name: string; backend_start: Date }[]>`
    SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = ${LOCK_SPACE}::int::oid AND l.objid = ${RUN_LOCK}::int::oid AND l.objsubid = 2`;
  const match = row && HOLDER_NAME.exec(row.application_name);
  return match ? { pid: Number(match[1]), host: match[2]!, startedAt: row.backend_start.toISOString() } : null;
}
