import { createRequire } from 'node:module';
import { pino, type Bindings, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import type PinoPretty from 'pino-pretty';
import { escapeLogArgs, escapeLogValue, serializeError } from './escape-log.js';

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
 * Logged values come from files, feeds and configs nobody vetted: a file name with a newline
 * would forge a line, one with ESC would recolour the terminal. pino's log-method hook and error
 * serializer escape control characters in every message, field and error before either format
 * sees them; child bindings, which pino serializes once when the child is made, in `child`.
 */
const ESCAPING: Pick<PinoOptions, 'hooks' | 'serializers'> = {
  hooks: {
    logMethod(args, method) {
      method.apply(this, escapeLogArgs(args) as Parameters<typeof method>);
    },
  },
  serializers: { err: serializeError },
};

/** Children inherit this `child` (pino makes them with Object.create), so grandchildren escape too. */
function escapingChildren(logger: Logger): Logger {
  const makeChild = logger.child;
  logger.child = function (this: Logger, bindings: Bindings, options) {
    return makeChild.call(this, escapeLogValue(bindings) as Bindings, options);
  } as Logger['child'];
  return logger;
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
  if (!isPretty) return escapingChildren(pino({ ...ESCAPING, level, base: null, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd, sync: true })));
  // Messages carry everything a person needs; the structured fields stay in the JSON format.
  const stream = requirePretty()({ colorize: isTty(fd), sync: true, destination: fd, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss', hideObject: true });
  return escapingChildren(pino({ ...ESCAPING, level, base: null }, stream));
}

function isTty(fd: number): boolean {
  return (fd === 1 ? process.stdout.isTTY : fd === 2 ? process.stderr.isTTY : false) === true;
}
