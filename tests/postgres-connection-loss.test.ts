/**
 * PostgreSQL ending a connection while a statement is in flight on it (a restart, an operator's
 * pg_terminate_backend, a failover): the statement fails with CONNECTION_CLOSED and the process
 * lives on. postgres.js 3.4.9 instead threw from a setImmediate when a transaction sent its
 * ROLLBACK on the closed connection, which ended a worker in the middle of a database outage
 * (porsager/postgres#1154, #1208); patches/postgres+3.4.9.patch, applied by `npm ci`, fixes it.
 * Each shape runs in a process of its own (tests/fixtures/postgres/connection-loss.mjs), since
 * the failure takes the whole process down.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, ON_POSTGRES } from './helpers/test-store.js';
import { runProcess } from './helpers/tools.js';
import { REPO_ROOT } from './helpers/workspace.js';

const SCRIPT = path.join(REPO_ROOT, 'tests', 'fixtures', 'postgres', 'connection-loss.mjs');

let url: string;
beforeAll(async () => {
  if (ON_POSTGRES) url = await createTestDatabase();
});
afterAll(async () => {
  if (url) await dropTestDatabase(url);
});

/** How the statement in flight ended, and what each `SELECT 1` after it got, until one was answered. */
interface Seen {
  shape: string;
  inFlight: string;
  after: (number | string)[];
}

async function loseConnection(shape: string): Promise<Seen> {
  const result = await runProcess(process.execPath, [SCRIPT, url, shape], { cwd: REPO_ROOT });
  expect(result.stderr, `the process must survive (exit ${result.code})`).not.toMatch(/TypeError|Cannot read properties of null/);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim()) as Seen;
}

/** The connection's loss as postgres.js reports it, or as the server announced it (57P01, admin_shutdown). */
const CONNECTION_LOST = /^(CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|57P01)$/;

describe.runIf(ON_POSTGRES)('a connection PostgreSQL ends under a statement', () => {
  for (const shape of ['transaction', 'savepoint', 'plain']) {
    it(`${shape}: the statement fails as a lost connection, the process lives, and the pool answers again`, async () => {
      const seen = await loseConnection(shape);
      expect(seen.inFlight).toMatch(CONNECTION_LOST);
      // every statement after it settled (none hung), each failure a lost connection, and the pool answered again
      expect(seen.after.at(-1), JSON.stringify(seen.after)).toBe(1);
      for (const failure of seen.after.slice(0, -1)) expect(String(failure)).toMatch(CONNECTION_LOST);
    }, 60_000);
  }

  it('a reserved connection (not used by feedmirror): the statement fails and the process lives', async () => {
    const seen = await loseConnection('reserved');
    expect(seen.inFlight).toMatch(CONNECTION_LOST);
    // a released dead connection keeps failing the pool (porsager/postgres#1199), but every statement settles
    for (const outcome of seen.after) expect(String(outcome)).not.toMatch(/no answer/);
  }, 60_000);
});
