/**
 * `feedmirror migrate` (the store created or brought up to date, on either engine) and what the
 * config's `database` may be: a file path, a PostgreSQL URL (whose password no message shows),
 * nothing else.
 */
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../../src/store/migrations.js';
import { PG_LATEST_VERSION } from '../../src/store/postgres-migrations.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { type Workspace } from '../helpers/workspace.js';
import { breakStore, ON_POSTGRES, storeExists } from '../helpers/test-store.js';
import { opsConfig } from './helpers/configs.js';
import { opsScope } from './helpers/ops-scope.js';
import { closedPort } from '../helpers/closed-port.js';

const scope = opsScope();
const LATEST = ON_POSTGRES ? PG_LATEST_VERSION : LATEST_VERSION;

const cli = (ws: Workspace, ...args: string[]) => runCliInProcess([...args, '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });

describe('feedmirror migrate', () => {
  it('creates the store at the latest schema, then finds it up to date; a run uses it', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    const first = await cli(ws, 'migrate');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${ws.databasePath}: schema version 0 → ${LATEST}\n`);
    expect(await storeExists(ws.databasePath)).toBe(true);
    const again = await cli(ws, 'migrate');
    expect(again.stdout).toBe(`${ws.databasePath}: schema version ${LATEST}, up to date\n`);
    expect((await cli(ws, 'run')).code).toBe(0);
  });

  it('a store that cannot be opened: exit 2 with the reason, naming the database', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    expect((await cli(ws, 'migrate')).code).toBe(0);
    await breakStore(ws.databasePath);
    const result = await cli(ws, 'migrate');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    // A SQLite file that is no database is refused as such; a PostgreSQL database that cannot be opened is named with the reason.
    expect(result.stderr).toMatch(new RegExp(`^feedmirror: store: (${escapeRegExp(ws.databasePath)} is not a feedmirror database|cannot open ${escapeRegExp(ws.databasePath)}): .+\\n$`));
  });
});

describe('config: database', () => {
  it.each(['mysql://feeds@127.0.0.1/feeds', 'sqlite:///tmp/x.db', 'https://db.example/feeds'])('%s is refused (exit 1): a file path or a PostgreSQL URL', async (database) => {
    const ws = await scope.workspace({ config: opsConfig({ database }) });
    for (const command of ['migrate', 'run', 'check']) {
      const result = await cli(ws, command);
      expect(result.code, command).toBe(1);
      expect(result.stderr, command).toContain(`database: ${JSON.stringify(database)}: a SQLite file path, or a PostgreSQL URL (postgres://user@host:5432/dbname)`);
    }
  });

  it('check with a PostgreSQL server that does not answer: exit 1 naming the URL, never its password', async () => {
    const port = await closedPort();
    for (const database of [`postgres://feeds:s3cret-pw@127.0.0.1:${port}/feeds`, `postgresql://feeds@127.0.0.1:${port}/feeds?password=s3cret-pw`]) {
      const ws = await scope.workspace({ config: opsConfig({ database }) });
      const check = await cli(ws, 'check');
      expect(check.code).toBe(1);
      expect(check.stderr).toMatch(new RegExp(`database: cannot connect to postgres(ql)?://feeds(:\\*\\*\\*)?@127\\.0\\.0\\.1:${port}/feeds(\\?password=\\*\\*\\*)?: .*ECONNREFUSED`));
      const run = await cli(ws, 'run');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`store: cannot open postgres`);
      for (const output of [check.stderr, run.stderr, run.stdout]) expect(output).not.toContain('s3cret');
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

