import { redactDatabase } from '../lib/database-url.js';

/**
 * postgres.js's own codes for a connection that could not be made or was lost, and the system's.
 * A query on such a connection failed because of where the database is, not what was asked.
 */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
]);
/**
 * SQLSTATEs of a server going away or not taking connections: class 08 (connection exception),
 * 57P01–57P03 (shut down by an operator, after a crash, still starting or stopping), 53300 (too many
 * connections).
 */
const SERVER_GONE = /^(08...|57P0[123]|53300)$/;

/** Whether `error` (or what caused it) says the database could not be reached, rather than refused a statement. */
export function isStoreUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || SERVER_GONE.test(code))) return true;
    if (current instanceof AggregateError && current.errors.some(isStoreUnreachable)) return true;
  }
  return false;
}

/** "the database postgres://fm:***@db:5432/feeds cannot be reached (connect ECONNREFUSED …)": for log lines. */
export function unreachableText(database: string, error: unknown): string {
  return `the database ${redactDatabase(database)} cannot be reached (${(error as Error).message})`;
}
