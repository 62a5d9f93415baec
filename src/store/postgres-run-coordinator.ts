import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { RunCoordinator } from 'node-cron';
import { FeedmirrorError } from '../model/errors.js';

/** How long a fire may wait for the database: past this it is skipped (node-cron fails closed) rather than run late. */
export const COORDINATOR_TIMEOUT_MS = 5_000;

/**
 * node-cron's RunCoordinator over PostgreSQL (migration 4's `cron_fires`): the fire key
 * ("<task name>:<fire time>", the same on every instance whose clock agrees) elects one instance
 * per fire. The row is inserted with a random token and a lease, in one statement whose unique
 * key settles a race; a row whose lease ran out before its holder finished (the holder died) may
 * be taken again. Only the database's clock decides expiry.
 *
 * A completed fire keeps its row, marked completed, instead of being deleted: an instance whose
 * timer fires a moment late (a busy event loop, a clock a little behind) then finds the fire done
 * and does not run it a second time. Housekeeping removes old rows (pruneFires).
 *
 * Errors propagate: node-cron then skips the fire on this instance ("coordinator-error").
 */
export class PostgresRunCoordinator implements RunCoordinator {
  /** The token of each fire this instance holds, to complete only a row that is still ours. */
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly sql: postgres.Sql,
    private readonly workerId: string,
    private readonly timeoutMs = COORDINATOR_TIMEOUT_MS,
  ) {}

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const token = randomUUID();
    const rows = await withTimeout(
      this.sql<{ token: string }[]>`
        INSERT INTO cron_fires (key, token, worker_id, expires_at)
        VALUES (${key}, ${token}, ${this.workerId}, now() + make_interval(secs => ${ttlMs / 1000}))
        ON CONFLICT (key) DO UPDATE SET token = excluded.token, worker_id = excluded.worker_id, claimed_at = now(), expires_at = excluded.expires_at
        WHERE cron_fires.expires_at < now() AND cron_fires.completed_at IS NULL
        RETURNING token`,
      this.timeoutMs,
      `coordinator: no answer from the database within ${this.timeoutMs} ms for ${key}`,
    );
    if (rows.length === 0) return false;
    this.tokens.set(key, token);
    return true;
  }

  /** Marks the fire done, only if the row still holds our token (not when another instance took it over after our lease ran out). */
  async onComplete(key: string): Promise<void> {
    const token = this.tokens.get(key);
    if (token === undefined) return;
    this.tokens.delete(key);
    await this.sql`UPDATE cron_fires SET completed_at = now() WHERE key = ${key} AND token = ${token}`;
  }
}

/** Drops fire rows whose lease ended more than `olderThanSeconds` ago; how many. */
export async function pruneFires(sql: postgres.Sql, olderThanSeconds: number): Promise<number> {
  const result = await sql`DELETE FROM cron_fires WHERE expires_at < now() - make_interval(secs => ${olderThanSeconds})`;
  return result.count;
}

/**
 * How far this host's clock is from the database's (ms; positive: ours is ahead), measured
 * around one round trip. node-cron names fires after the local clock, so instances that
 * disagree by more than a second elect each fire at different moments.
 */
export async function measureClockSkew(sql: postgres.Sql, now: () => number = Date.now): Promise<number> {
  const before = now();
  const [row] = await sql<{ ms: number }[]>`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms`;
  const after = now();
  return Math.round((before + after) / 2 - row!.ms);
}

/**
 * The query's rows, or an error after `ms`. The query is not cancelled: postgres.js opens a new
 * connection to send a cancel and drops the promise of that attempt, so with the server out of
 * reach (the usual reason for the wait) its failure would be an unhandled rejection that ends the
 * worker. A late answer claims a fire that then runs nowhere, which the next fire makes up for.
 */
async function withTimeout<T>(query: postgres.PendingQuery<T & postgres.Row[]>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FeedmirrorError('FM_CHORE_COORDINATOR', message)), ms);
  });
  try {
    return (await Promise.race([query, expired])) as T;
  } finally {
    clearTimeout(timer);
  }
}
