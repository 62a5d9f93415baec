/**
 * README.md's "Error codes" table, written from the one table of codes (src/model/errors.ts).
 *
 *   npm run docs:error-codes   # rewrites the table in README.md
 *
 * tests/error-codes.test.ts fails when the README's table is not what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCode } from '../src/model/errors.js';

export const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const START = '<!-- error codes: written from src/model/errors.ts by `npm run docs:error-codes` -->';
const END = '<!-- end of error codes -->';

/** The table, between its markers, in the table's order. */
export function errorCodesMarkdown(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => `| \`${code}\` | ${ERROR_CODES[code].stage} | ${ERROR_CODES[code].meaning} |`);
  return [START, '| code | stage | meaning |', '|---|---|---|', ...rows, END].join('\n');
}

/** The README's table between its markers, or null when the markers are missing. */
export function readmeErrorCodes(readme: string): string | null {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  return start === -1 || end === -1 ? null : readme.slice(start, end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(README, 'utf8');
  const current = readmeErrorCodes(readme);
  if (current === null) throw new Error(`README.md has no error-code markers (${START} … ${END})`);
  writeFileSync(README, readme.replace(current, errorCodesMarkdown()));
}
