import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { pino } from 'pino';
import { FeedmirrorError } from '../model/errors.js';

export const ACCESS_LOG_FORMATS = ['common', 'combined', 'json'] as const;
export type AccessLogFormat = (typeof ACCESS_LOG_FORMATS)[number];

/** Where `serve` writes one line per request it answered. */
export interface AccessLog {
  /** Call when a request arrives: its line is written when the response is sent or the connection drops. */
  observe(req: IncomingMessage, res: ServerResponse): void;
  /** Opens the file again by its name (after logrotate moved it away); SIGHUP calls this. */
  reopen(): void;
  close(): Promise<void>;
}

type Destination = ReturnType<typeof pino.destination>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Opens the access log: a file appended to, or stdout for "-". Lines are written asynchronously
 * (sonic-boom, pino's writer), so a slow disk never holds a response. Fails, naming the file,
 * when it cannot be opened; a write failure later is reported once to `onError`, never thrown.
 */
export async function openAccessLog(target: string, format: AccessLogFormat, onError: (error: Error) => void): Promise<AccessLog> {
  if (target !== '-') await checkWritable(target);
  const destination: Destination = target === '-' ? pino.destination({ fd: 1, sync: false }) : pino.destination({ dest: target, append: true, sync: false });
  let reported = false;
  destination.on('error', (error: Error) => {
    if (!reported) onError(error);
    reported = true;
  });
  return {
    observe(req, res) {
      const started = process.hrtime.bigint();
      // Read now: once the client has gone, its socket no longer knows its address.
      const remote = req.socket.remoteAddress ?? '-';
      res.once('close', () => destination.write(`${formatLine(format, entryOf(req, res, remote, started))}\n`));
    },
    reopen: () => {
      if (target !== '-') destination.reopen();
    },
    async close() {
      const closed = once(destination, 'close');
      destination.end();
      await closed;
    },
  };
}

/** Opened once here so that a bad path is an error at start, not a line lost later (the writer opens it again). */
async function checkWritable(file: string): Promise<void> {
  try {
    await (await open(file, 'a')).close();
  } catch (error) {
    throw new FeedmirrorError('FM_ACCESS_LOG', `cannot open the access log ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export interface AccessEntry {
  time: Date;
  remote: string;
  method: string;
  /** The path requested, without its query string (see pathOf). */
  path: string;
  protocol: string;
  status: number;
  /** Body bytes sent; null when none were (HEAD, 304) or the response did not finish. */
  bytes: number | null;
  durationMs: number;
  host: string | null;
  referer: string | null;
  userAgent: string | null;
}

/** nginx's status for a client that closed the connection before the response began. */
const CLIENT_CLOSED = 499;

function entryOf(req: IncomingMessage, res: ServerResponse, remote: string, started: bigint): AccessEntry {
  const length = Number(res.getHeader('content-length') ?? 0);
  const sentBody = res.writableFinished && req.method !== 'HEAD' && length > 0;
  return {
    time: new Date(),
    remote,
    method: req.method ?? '-',
    path: pathOf(req.url ?? '/'),
    protocol: `HTTP/${req.httpVersion}`,
    status: res.headersSent ? res.statusCode : CLIENT_CLOSED,
    bytes: sentBody ? length : null,
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    host: headerOf(req, 'host'),
    referer: headerOf(req, 'referer'),
    userAgent: headerOf(req, 'user-agent'),
  };
}

/**
 * The request target without its query string: nothing `serve` answers depends on a query, and
 * feed readers put private tokens there (`rss.xml?key=…`), which a log should not keep.
 */
export function pathOf(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

export function formatLine(format: AccessLogFormat, e: AccessEntry): string {
  if (format === 'json') {
    const { time, durationMs, ...rest } = e;
    return JSON.stringify({ time: time.toISOString(), ...rest, durationMs: Math.round(durationMs * 1000) / 1000 });
  }
  const common = `${quoteFree(e.remote)} - - [${clfTime(e.time)}] "${escapeText(`${e.method} ${e.path} ${e.protocol}`)}" ${e.status} ${e.bytes ?? '-'}`;
  return format === 'common' ? common : `${common} "${escapeText(e.referer ?? '-')}" "${escapeText(e.userAgent ?? '-')}"`;
}

/** [02/Dec/2026:04:50:18 +0000]'s inside, in UTC. */
function clfTime(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`;
}

/**
 * What a client sent, made safe for a line of a text log (as nginx does): quotes, backslashes and
 * every byte outside printable ASCII become \xHH, so no request can end a field or a line.
 */
export function escapeText(text: string): string {
  return text.replace(/[^\x20-\x7e]|["\\]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0').toUpperCase()}` : `\\u${code.toString(16).padStart(4, '0').toUpperCase()}`;
  });
}

function quoteFree(text: string): string {
  return escapeText(text).replace(/ /g, '\\x20');
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}
