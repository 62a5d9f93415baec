import { isPostgresUrl } from '../lib/database-url.js';
import { migrateSqliteStore, openSqliteStore } from './sqlite-store.js';
import type { MigrationOutcome, Store } from './store.js';
import type { SourceQueue } from './source-queue.js';
import type { FleetRegistry } from './fleet-registry.js';

/**
 * The store the config's `database` names: a `postgres://` or `postgresql://` URL opens the
 * PostgreSQL store, anything else is a SQLite file. Either is migrated to the latest schema on
 * opening. The PostgreSQL client is loaded only when one is asked for.
 */
export async function openStore(database: string): Promise<Store> {
  if (!isPostgresUrl(database)) return openSqliteStore(database);
  const { openPostgresStore } = await import('./postgres-store.js');
  return openPostgresStore(database);
}

/** `feedmirror migrate`: the schema brought up to date, without opening the store for work. */
export async function migrateStore(database: string): Promise<MigrationOutcome> {
  if (!isPostgresUrl(database)) return migrateSqliteStore(database);
  const { migratePostgresStore } = await import('./postgres-store.js');
  return migratePostgresStore(database);
}

/** `feedmirror check` on a PostgreSQL URL: whether the database can be reached (null when it can). */
export async function probeDatabase(url: string): Promise<string | null> {
  const { probePostgres } = await import('./postgres-store.js');
  return probePostgres(url);
}

/** A PostgreSQL store with the fleet's work queue and workers table: what a worker of a fleet opens. */
export interface FleetStore {
  store: Store;
  queue: SourceQueue;
  fleet: FleetRegistry;
}

export async function openFleetStore(url: string): Promise<FleetStore> {
  const { openPostgresStore } = await import('./postgres-store.js');
  const store = await openPostgresStore(url);
  return { store, queue: store.sourceQueue(), fleet: store.fleet() };
}
