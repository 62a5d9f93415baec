/**
 * A throw-away PostgreSQL 15 server for the test suite's PostgreSQL pass: a cluster in a temp
 * folder, listening on 127.0.0.1 at a free port, without durability (fsync off: a crash only
 * loses test data), stopped and removed at the end.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from './closed-port.js';

const run = promisify(execFile);

/** Debian's postgresql-15; another install can be named with FEEDMIRROR_TEST_PG_BIN. */
export const PG_BIN = process.env.FEEDMIRROR_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const USER = 'fm';

export interface PostgresServer {
  /** The maintenance database, as a superuser that may create databases. */
  url: string;
  stop(): Promise<void>;
  /** Stops the server as an operator would (`pg_ctl stop -m fast`: connections ended), keeping its data. */
  halt(): Promise<void>;
  /** Starts it again on the same data folder and port, after halt(). */
  resume(): Promise<void>;
}

/** `settings`: more `-c name=value` server settings (the benchmark loads pg_stat_statements with one). */
export async function startPostgres(settings: string[] = []): Promise<PostgresServer> {
  if (!existsSync(path.join(PG_BIN, 'initdb'))) {
    throw new Error(
      `the PostgreSQL pass needs PostgreSQL 15 and there is no ${PG_BIN}/initdb: install it (apt-get install postgresql-15), ` +
        'name another bin folder with FEEDMIRROR_TEST_PG_BIN, or set FEEDMIRROR_TEST_PG_URL to a server where the user may CREATE DATABASE',
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-pg-'));
  const cluster = new Cluster(dir, await serverUser(), settings);
  try {
    await cluster.init();
    return { url: await cluster.start(), stop: () => cluster.stop(), halt: () => cluster.halt(), resume: () => cluster.resume() };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class Cluster {
  private readonly data: string;
  private readonly log: string;
  private port = 0;
  private running = false;

  constructor(
    private readonly dir: string,
    /** initdb and postgres refuse to run as root: as root, they run as the postgres user. */
    private readonly user: { uid: number; gid: number; name: string } | null,
    private readonly settings: string[] = [],
  ) {
    this.data = path.join(dir, 'data');
    this.log = path.join(dir, 'server.log');
  }

  async init(): Promise<void> {
    if (this.user) await chown(this.dir, this.user.uid, this.user.gid);
    const base = ['-D', this.data, '-U', USER, '-A', 'trust', '--no-sync', '-E', 'UTF8'];
    // A collation that does not sort by bytes, as production databases have: the store must not depend on the locale.
    try {
      await this.pg('initdb', [...base, '--locale=C', '--locale-provider=icu', '--icu-locale=en-US']);
    } catch {
      await rm(this.data, { recursive: true, force: true });
      await this.pg('initdb', [...base, '--no-locale']);
    }
  }

  async start(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      this.port = await closedPort();
      try {
        await this.resume();
        return `postgres://${USER}@127.0.0.1:${this.port}/postgres`;
      } catch (error) {
        // Another process may have taken the port between our probe and the server's bind.
        if (attempt === 3) throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${await readFile(this.log, 'utf8').catch(() => '')}`);
      }
    }
  }

  async resume(): Promise<void> {
    const settings = `-c listen_addresses=127.0.0.1 -p ${this.port} -k '${this.dir}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300${this.settings.map((setting) => ` -c ${setting}`).join('')}`;
    await this.pg('pg_ctl', ['-D', this.data, '-l', this.log, '-w', '-t', '60', '-o', settings, 'start']);
    this.running = true;
  }

  async halt(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
    this.running = false;
  }

  async stop(): Promise<void> {
    try {
      if (this.running) await this.pg('pg_ctl', ['-D', this.data, '-m', 'immediate', 'stop']);
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private async pg(program: string, args: string[]): Promise<void> {
    const binary = path.join(PG_BIN, program);
    const [file, argv] = this.user ? ['runuser', ['-u', this.user.name, '--', binary, ...args]] : [binary, args];
    await run(file, argv, { cwd: this.dir });
  }
}

async function serverUser(): Promise<{ uid: number; gid: number; name: string } | null> {
  if (process.getuid?.() !== 0) return null;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout), name: 'postgres' };
  } catch {
    throw new Error('running as root, the PostgreSQL pass needs the "postgres" user (created by the postgresql-15 package) to run the server as');
  }
}

