/**
 * One error model (issue 16): every error src/ creates is a FeedmirrorError with a code from the
 * one table in src/model/errors.ts, every code written in src/ is in that table, and README.md's
 * table of codes is that table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FeedmirrorError } from '../src/model/errors.js';
import { FetchError } from '../src/sources/http/fetch-errors.js';
import { ConfigError } from '../src/config/config-error.js';
import { CliError, EXIT } from '../src/cli/exit-codes.js';
import { errorCodesMarkdown, README, readmeErrorCodes } from '../scripts/error-codes-table.js';
import { REPO_ROOT } from './helpers/workspace.js';

const SRC = path.join(REPO_ROOT, 'src');
const TABLE_FILE = 'src/model/errors.ts';

/** Errors src/ creates that are not ours, each with why it must be that class. */
const FOREIGN_ERRORS: { file: string; className: string; why: string }[] = [
  { file: 'src/cli/main.ts', className: 'InvalidArgumentError', why: "commander's option parsers report a bad value with it, and commander turns it into its usage message" },
  { file: 'src/sources/http/address-policy.ts', className: 'Error', why: 'a DNS lookup that finds no address answers net.connect as dns.lookup does: an ENOTFOUND error' },
];

function sourceFiles(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name);
      return { file: path.relative(REPO_ROOT, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') };
    });
}

const FILES = sourceFiles(SRC);

/** Every class src/ declares that descends from FeedmirrorError, FeedmirrorError included. */
function feedmirrorErrorClasses(): Set<string> {
  const parents = new Map<string, string>();
  for (const { text } of FILES) for (const [, name, parent] of text.matchAll(/\bclass\s+(\w+)\s+extends\s+(\w+)/g)) parents.set(name!, parent!);
  const ours = new Set(['FeedmirrorError']);
  const descends = (name: string): boolean => name === 'FeedmirrorError' || (parents.has(name) && descends(parents.get(name)!));
  for (const name of parents.keys()) if (descends(name)) ours.add(name);
  return ours;
}

describe('the one table of error codes', () => {
  it('README.md lists every code with its stage and meaning, as the table has them', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readmeErrorCodes(readme), 'run `npm run docs:error-codes` to write the table into README.md').toBe(errorCodesMarkdown());
  });

  it('every error src/ creates is a FeedmirrorError (so it carries a code from the table)', () => {
    const ours = feedmirrorErrorClasses();
    expect([...ours]).toEqual(expect.arrayContaining(['FeedmirrorError', 'FetchError', 'ConfigError', 'CliError']));
    const foreign: string[] = [];
    for (const { file, text } of FILES) {
      for (const [, className] of text.matchAll(/\bnew\s+(\w*Error)\s*\(/g)) {
        if (ours.has(className!) || FOREIGN_ERRORS.some((known) => known.file === file && known.className === className)) continue;
        foreign.push(`${file}: new ${className}(…)`);
      }
    }
    expect(foreign).toEqual([]);
  });

  it('every FM_ code written in src/ is in the table, and every code in the table is used', () => {
    const codes = new Set(Object.keys(ERROR_CODES));
    const used = new Set<string>();
    for (const { file, text } of FILES) {
      if (file === TABLE_FILE) continue;
      for (const [code] of text.matchAll(/\bFM_[A-Z0-9_]+/g)) used.add(code);
    }
    expect([...used].filter((code) => !codes.has(code))).toEqual([]);
    expect([...codes].filter((code) => !used.has(code))).toEqual([]);
  });

  it('the codes are stable FM_ names, each with a stage and a one-sentence-or-more meaning', () => {
    for (const [code, { stage, meaning }] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^FM_[A-Z0-9]+(?:_[A-Z0-9]+)*$/);
      expect(stage).toMatch(/^[a-z]+$/);
      expect(meaning).toMatch(/^\S.*\.$/);
    }
    // Codes stored in source states and documented before the table existed keep their spelling.
    expect(Object.keys(ERROR_CODES)).toEqual(expect.arrayContaining([
      'FM_DNS', 'FM_CONNECT', 'FM_TLS', 'FM_TIMEOUT', 'FM_HTTP_STATUS', 'FM_TOO_BIG', 'FM_REDIRECT_LOOP', 'FM_TOO_MANY_REDIRECTS', 'FM_BAD_REDIRECT',
      'FM_BLOCKED_ADDRESS', 'FM_BAD_URL', 'FM_DECODE', 'FM_ABORTED', 'FM_NETWORK', 'FM_PARSE', 'FM_NOT_A_FEED', 'FM_ITEMS_SKIPPED', 'FM_CONFIG',
      'FM_STORE', 'FM_OPML', 'FM_MIRROR_LIST', 'FM_SEED_FOLDER', 'FM_SEED_OUTSIDE', 'FM_SEED_NOT_FILE', 'FM_SEED_TOO_BIG', 'FM_SEED_UNREADABLE',
      'FM_SEED_CHANGED', 'FM_SEED_EMPTY', 'FM_SEED_BINARY', 'FM_SEED_NOT_UTF8', 'FM_SEED_NO_HEADLINE', 'FM_SEED_DUPLICATE_ID',
    ]));
  });
});

describe('FeedmirrorError', () => {
  it('takes its stage from the table, and each kind is told apart by instanceof, not by the shape of its fields', () => {
    const errors = [
      new FeedmirrorError('FM_PARSE', 'invalid JSON'),
      new FetchError('FM_HTTP_STATUS', 'HTTP 503', { status: 503 }),
      new ConfigError('feedmirror.config.json', ['sources[0].id: expected a string']),
      new CliError('FM_USAGE', 'run: unknown source id x', EXIT.USAGE),
    ];
    expect(errors.map((e) => [e.name, e.code, e.stage])).toEqual([
      ['FeedmirrorError', 'FM_PARSE', 'ingest'],
      ['FetchError', 'FM_HTTP_STATUS', 'fetch'],
      ['ConfigError', 'FM_CONFIG', 'config'],
      ['CliError', 'FM_USAGE', 'cli'],
    ]);
    for (const error of errors) expect(error).toBeInstanceOf(FeedmirrorError);
    // An object that merely has a code is not one of ours.
    expect(Object.assign(new Error('x'), { code: 'FM_PARSE' })).not.toBeInstanceOf(FeedmirrorError);
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('unexpected end of input');
    expect(new FeedmirrorError('FM_PARSE', 'not well-formed', { cause }).cause).toBe(cause);
  });
});
