import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/logger.js';

/** The product's own JSON logger (debug level), writing to memory: `lines()` are the records so far. */
export function capturedLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString('utf8')), done()) });
  return { logger: createLogger({ format: 'json', level: 'debug', stream }), lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}
