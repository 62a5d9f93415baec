/**
 * The PostgreSQL 15 a cluster benchmark runs on: started here on 127.0.0.1 in a temp folder
 * (tests/helpers/postgres-server.ts: runuser -u postgres when root, fsync off) with
 * pg_stat_statements loaded, or a given server (--pg-url). One database per scenario.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { startPostgres } from '../../tests/helpers/postgres-server.js';
import { processTreeCpuMs } from './proc-cpu.js';

export interface BenchPostgres {
  /** The maintenance database's URL. */
  url: string;
  /** Whether pg_stat_statements is loaded (only on a server started here). */
  statements: boolean;
  /** A new empty database, as a URL. */
  createDatabase(label: string): Promise<string>;
  /** pg_stat_statements: forget what was counted so far (no-op without it). */
  resetStatements(): Promise<void>;
  /** pg_stat_statements: the statements that took the most server time in `database` since the reset ([] without it). */
  topStatements(database: string, count: number): Promise<StatementStat[]>;
  /** CPU time of the server's processes so far (ms), or null when they cannot be read (a remote server). */
  cpuMs(): number | null;
  stop(): Promise<void>;
}

export interface StatementStat {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
  rows: number;
}

const STATEMENT_SETTINGS = ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all', 'pg_stat_statements.max=1000'];

export async function benchPostgres(givenUrl?: string): Promise<BenchPostgres> {
  const server = givenUrl ? { url: givenUrl, stop: async () => undefined } : await startPostgres(STATEMENT_SETTINGS);
  const admin = postgres(server.url, { max: 1, onnotice: () => undefined });
  const created: string[] = [];
  try {
    const [settings] = await admin<{ dir: string; loaded: boolean }[]>`
      SELECT current_setting('data_directory') AS dir, current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' AS loaded`;
    const { dir, loaded } = settings!;
    const postmaster = readPostmasterPid(dir);
    if (loaded) await admin`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
    return {
      url: server.url,
      statements: loaded,
      async createDatabase(label) {
        const name = `fm_bench_${label}_${randomBytes(3).toString('hex')}`;
        await admin`CREATE DATABASE ${admin(name)} STRATEGY FILE_COPY`;
        created.push(name);
        const url = new URL(server.url);
        url.pathname = `/${name}`;
        return url.toString();
      },
      async resetStatements() {
        if (loaded) await admin`SELECT pg_stat_statements_reset()`;
      },
      async topStatements(database, count) {
        if (!loaded) return [];
        const rows = await admin<{ query: string; calls: string; total: number; mean: number; max: number; rows: string }[]>`
          SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean, max_exec_time AS max, rows
          FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = ${new URL(database).pathname.slice(1)})
          ORDER BY total_exec_time DESC LIMIT ${count}`;
        return rows.map((r) => ({ query: r.query.replace(/\s+/g, ' ').slice(0, 140), calls: Number(r.calls), totalMs: r.total, meanMs: r.mean, maxMs: r.max, rows: Number(r.rows) }));
      },
      cpuMs: () => (postmaster === null ? null : processTreeCpuMs(postmaster)),
      async stop() {
        try {
          if (givenUrl) for (const name of created) await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
        } finally {
          await admin.end();
          await server.stop();
        }
      },
    };
  } catch (error) {
    await admin.end();
    await server.stop();
    throw error;
  }
}

/** The postmaster's pid, from its pid file (readable when the server runs on this machine and we may read its folder). */
function readPostmasterPid(dataDir: string): number | null {
  try {
    return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}
