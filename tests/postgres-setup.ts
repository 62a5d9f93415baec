import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { startPostgres } from './helpers/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL pass: a maintenance database URL whose user may create databases. */
    postgresUrl: string;
    /** This run's test databases start with it, so that teardown drops only ours from a shared server. */
    postgresPrefix: string;
  }
}

/**
 * With FEEDMIRROR_TEST_STORE=postgres the suite runs on PostgreSQL: each workspace gets a
 * database of its own on the server named by FEEDMIRROR_TEST_PG_URL, or else on a server started
 * here (tests/helpers/postgres-server.ts) and stopped at the end.
 */
export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const engine = process.env.FEEDMIRROR_TEST_STORE ?? 'sqlite';
  if (engine === 'sqlite') return undefined;
  if (engine !== 'postgres') throw new Error(`FEEDMIRROR_TEST_STORE=${engine}: expected "sqlite" (the default) or "postgres"`);
  const given = process.env.FEEDMIRROR_TEST_PG_URL;
  const server = given ? { url: given, stop: async () => undefined } : await startPostgres();
  const prefix = `fm_test_${randomBytes(4).toString('hex')}_`;
  project.provide('postgresUrl', server.url);
  project.provide('postgresPrefix', prefix);
  return async () => {
    if (given) await dropDatabases(given, prefix);
    await server.stop();
  };
}

/** On a server we did not start, the databases this run left behind. */
async function dropDatabases(url: string, prefix: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ datname: string }[]>`SELECT datname FROM pg_database WHERE starts_with(datname, ${prefix})`;
    for (const { datname } of rows) await sql`DROP DATABASE IF EXISTS ${sql(datname)} WITH (FORCE)`;
  } finally {
    await sql.end();
  }
}
