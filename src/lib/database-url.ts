/**
 * The config's `database` is a SQLite file path or a PostgreSQL URL. These helpers let config,
 * CLI and store tell the two apart and name a database in messages without its password.
 */
const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;
const ANY_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export function isPostgresUrl(database: string): boolean {
  return POSTGRES_URL.test(database);
}

/** A URL of another scheme (`mysql://`, `sqlite://`…), which would otherwise be taken for a relative path. */
export function isOtherUrl(database: string): boolean {
  return ANY_URL.test(database) && !isPostgresUrl(database);
}

/** The database as messages and logs may show it: a URL's password (in the user part or a query parameter) masked. */
export function redactDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database;
  return database.replace(/^([a-z]+:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}
