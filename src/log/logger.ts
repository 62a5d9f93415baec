import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

// Loaded only for a person at a terminal; cron and daemons log JSON without paying for it.
const requirePretty = () => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

export type { Logger } from 'pino';
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** File descriptor to write to; stderr keeps stdout free for command output (status tables, OPML). */
  fd?: number;
}

/**
 * JSON lines for machines (cron mail, journald, log shippers), colours for a person at a terminal.
 * Writes are synchronous so the last lines before an exit or a crash are never lost.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 2;
  const format = options.format ?? 'auto';
  const isPretty = format === 'pretty' || (format === 'auto' && isTty(fd));
  const level = options.level ?? 'info';
  if (!isPretty) return pino({ level, base: null, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd, sync: true }));
  // Messages carry everything a person needs; the structured fields stay in the JSON format.
  const stream = requirePretty()({ colorize: isTty(fd), sync: true, destination: fd, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss', hideObject: true });
  return pino({ level, base: null }, stream);
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

function isTty(fd: number): boolean {
  return (fd === 1 ? process.stdout.isTTY : fd === 2 ? process.stderr.isTTY : false) === true;
}
