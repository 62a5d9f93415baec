import { pino } from 'pino';
import { escapeControls } from '../lib/escape-controls.js';

/** Logged objects are small records; anything nested deeper is replaced by a marker, never logged raw. */
const MAX_DEPTH = 8;

/**
 * The arguments of one log call with every string escaped: the message, interpolated values and
 * the fields object. An Error (or `{ err }`) logged without a message would lend pino its raw
 * message, so the escaped one is passed explicitly.
 */
export function escapeLogArgs(args: unknown[]): unknown[] {
  if (args.length === 0) return args;
  const [first, ...rest] = args;
  const escaped = [escapeLogValue(first), ...rest.map((arg) => escapeLogValue(arg))];
  if (typeof rest[0] !== 'string') {
    const error = first instanceof Error ? first : isObject(first) && first.err instanceof Error ? first.err : null;
    if (error) escaped.splice(1, 0, escapeControls(error.message));
  }
  return escaped;
}

/** Strings escaped at any depth of objects and arrays; an Error is left to the `err` serializer, which escapes it. */
export function escapeLogValue(value: unknown): unknown {
  return escapeDeep(value, '', 0, new WeakSet());
}

/** pino's error record (type, message, stack, causes, own fields such as `path`), escaped. */
export function serializeError(error: Error): unknown {
  return escapeDeep(pino.stdSerializers.err(error), '', 0, new WeakSet(), true);
}

function escapeDeep(value: unknown, key: string, depth: number, seen: WeakSet<object>, inError = false): unknown {
  // A stack keeps its line breaks, one frame a line (JSON escapes them; the pretty format hides fields).
  if (typeof value === 'string') return inError && key === 'stack' ? value.split('\n').map(escapeControls).join('\n') : escapeControls(value);
  if (!isObject(value)) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Nested]';
  // Dates, URLs and Buffers serialize themselves to safe text; errors go through the serializer.
  if ((!inError && value instanceof Error) || typeof value.toJSON === 'function') return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => escapeDeep(item, '', depth + 1, seen, inError));
  return Object.fromEntries(Object.entries(value).map(([k, item]) => [escapeControls(k), escapeDeep(item, k, depth + 1, seen, inError)]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
