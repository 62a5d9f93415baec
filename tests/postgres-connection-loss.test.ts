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

async function loseConnection(shape: string): Promise<{ shape: string; inFlight: string; next: unknown; later: unknown }> {
  const result = await runProcess(process.execPath, [SCRIPT, url, shape], { cwd: REPO_ROOT });
  expect(result.stderr, `the process must survive (exit ${result.code})`).not.toMatch(/TypeError|Cannot read properties of null/);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim()) as { shape: string; inFlight: string; next: unknown; later: unknown };
}

describe.runIf(ON_POSTGRES)('a connection PostgreSQL ends under a statement', () => {
  for (const shape of ['transaction', 'savepoint', 'plain']) {
    it(`${shape}: the statement fails with CONNECTION_CLOSED, the process lives, and the pool answers again`, async () => {
      const seen = await loseConnection(shape);
      expect(seen.inFlight).toBe('CONNECTION_CLOSED');
      // the statement right after may still meet the connection being torn down; the one after that is answered
      expect(seen.next === 1 || typeof seen.next === 'string', `next: ${String(seen.next)}`).toBe(true);
      expect(seen.next).not.toMatch(/no answer/);
      expect(seen.later).toBe(1);
    }, 60_000);
  }

  it('a reserved connection (not used by feedmirror): the statement fails and the process lives', async () => {
    const seen = await loseConnection('reserved');
    expect(seen.inFlight).toBe('CONNECTION_CLOSED');
    // a released dead connection keeps failing the pool (porsager/postgres#1199), but every statement settles
    expect(String(seen.next)).not.toMatch(/no answer/);
    expect(String(seen.later)).not.toMatch(/no answer/);
  }, 60_000);
});
