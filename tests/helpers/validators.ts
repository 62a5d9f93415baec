/**
 * The external judges of feed validity: xmllint (well-formedness and namespaces), jing (Atom 1.0
 * RELAX NG, RFC 4287), Python feedparser (what real readers see), ajv (JSON Feed 1.1 schema) and
 * newsboat (a real reader fetching over HTTP). Each checks that its tool exists first: see missingTool.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import Database from 'better-sqlite3';
import { jingLaunch } from './jing.js';
import { LineServer } from './line-server.js';
import { findExecutable, hasPythonModule, missingTool, runProcess } from './tools.js';

const SCHEMAS = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));
export const ATOM_RNC = path.join(SCHEMAS, 'atom.rnc');
export const JSON_FEED_SCHEMA = path.join(SCHEMAS, 'jsonfeed-1.1.schema.json');

/** feedparser is installed for the system Python; the python3 first on PATH (pyenv) does not have it. */
const SYSTEM_PYTHON = '/usr/bin/python3';

export interface XmllintResult {
  ok: boolean;
  code: number | null;
  stderr: string;
}

/** `xmllint --noout`: ok only with exit code 0 AND nothing on stderr (namespace errors still exit 0). */
export async function xmllint(file: string): Promise<XmllintResult> {
  const tool = (await findExecutable('xmllint')) ?? missingTool('xmllint (Debian package libxml2-utils)');
  const { code, stderr } = await runProcess(tool, ['--noout', file]);
  return { ok: code === 0 && stderr === '', code, stderr };
}

export interface JingResult {
  ok: boolean;
  code: number | null;
  /** Validation messages; jing's "[warning] … Unable to locate" start-up lines are left out. */
  errors: string[];
}

/** jing with the Atom schema over `files`: its output lines, without its start-up chatter. */
async function runJing(files: string[]): Promise<{ code: number | null; lines: string[] }> {
  const launch = await jingLaunch(['-c', ATOM_RNC, ...files]);
  const { code, stdout, stderr } = await runProcess(launch.command, launch.args, launch.env ? { env: launch.env } : {}).finally(() => launch.finished());
  // "[warning] /usr/bin/jing: Unable to locate …" (the script) and "Picked up JAVA_TOOL_OPTIONS: …" (the JVM)
  const chatter = (line: string) => line.startsWith('[warning]') || line.startsWith('Picked up JAVA_TOOL_OPTIONS:');
  return { code, lines: `${stdout}\n${stderr}`.split('\n').filter((line) => !chatter(line.trim())) };
}

/** Validates an Atom document against the RFC 4287 RELAX NG schema (compact syntax). */
export async function jingAtom(file: string): Promise<JingResult> {
  const { code, lines } = await runJing([file]);
  const errors = lines.map((line) => line.trim()).filter((line) => line !== '');
  return { ok: code === 0 && errors.length === 0, code, errors };
}

/**
 * xmllint over many files in one process; the messages of each file keyed by it ([] when it is
 * well-formed). xmllint starts every message with the file's name.
 */
export async function xmllintFiles(files: string[]): Promise<Map<string, string[]>> {
  const result = new Map(files.map((f) => [f, [] as string[]]));
  if (files.length === 0) return result;
  const tool = (await findExecutable('xmllint')) ?? missingTool('xmllint (Debian package libxml2-utils)');
  const { code, stderr } = await runProcess(tool, ['--noout', ...files]);
  attributeLines(result, stderr.split('\n'));
  if (code !== 0 && [...result.values()].every((messages) => messages.length === 0)) for (const messages of result.values()) messages.push(`xmllint exited ${code}`);
  return result;
}

/** jing over several Atom files in one JVM; errors keyed by file. */
export async function jingAtomFiles(files: string[]): Promise<Map<string, string[]>> {
  const result = new Map(files.map((f) => [f, [] as string[]]));
  if (files.length === 0) return result;
  const { code, lines } = await runJing(files);
  attributeLines(result, lines);
  if (code !== 0 && [...result.values()].every((errors) => errors.length === 0)) for (const errors of result.values()) errors.push(`jing exited ${code}`);
  return result;
}

/**
 * Each non-empty line goes to the file it starts with ("FILE:line:…", jing may write "file:FILE:…");
 * a line naming none follows the previous one (xmllint's source line and caret), or, before any,
 * goes to every file, marked.
 */
function attributeLines(result: Map<string, string[]>, lines: string[]): void {
  let last: string[] | null = null;
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const messages = fileOfLine(result, line.replace(/^file:/, ''));
    if (messages) (last = messages).push(line);
    else if (last) last.push(line);
    else for (const all of result.values()) all.push(`(unattributed) ${line}`);
  }
}

function fileOfLine(result: Map<string, string[]>, line: string): string[] | undefined {
  for (let colon = line.indexOf(':'); colon !== -1; colon = line.indexOf(':', colon + 1)) {
    const messages = result.get(line.slice(0, colon));
    if (messages) return messages;
  }
  return undefined;
}

export interface ParsedLink {
  rel: string | null;
  href: string | null;
  type: string | null;
}

export interface FeedparserEntry {
  title: string | null;
  link: string | null;
  id: string | null;
  /** published_parsed as an ISO 8601 UTC string. */
  published: string | null;
  updated: string | null;
  summary: string | null;
  content: string[];
  links: ParsedLink[];
}

export interface FeedparserResult {
  bozo: boolean;
  bozo_exception: string | null;
  version: string;
  encoding: string | null;
  feed: { title: string | null; link: string | null; links: ParsedLink[] };
  entries: FeedparserEntry[];
}

const FEEDPARSER_SCRIPT = String.raw`
import calendar, datetime, json, sys
import feedparser

def iso(parsed):
    if not parsed:
        return None
    return datetime.datetime.fromtimestamp(calendar.timegm(parsed), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')

def links(obj):
    return [{'rel': l.get('rel'), 'href': l.get('href'), 'type': l.get('type')} for l in obj.get('links', [])]

def summary(path):
    d = feedparser.parse(path)
    return {
        'bozo': bool(d.bozo),
        'bozo_exception': repr(d.get('bozo_exception')) if d.bozo else None,
        'version': d.get('version', ''),
        'encoding': d.get('encoding'),
        'feed': {'title': d.feed.get('title'), 'link': d.feed.get('link'), 'links': links(d.feed)},
        'entries': [{
            'title': e.get('title'),
            'link': e.get('link'),
            'id': e.get('id'),
            'published': iso(e.get('published_parsed')),
            'updated': iso(e.get('updated_parsed')),
            'summary': e.get('summary'),
            'content': [c.get('value') for c in e.get('content', [])],
            'links': links(e),
        } for e in d.entries],
    }

def serve():
    # --serve: a JSON list of paths per line in, {"result": {path: summary}} (or {"error": …}) per line out
    for line in sys.stdin:
        try:
            reply = {'result': {path: summary(path) for path in json.loads(line)}}
        except Exception as error:
            reply = {'error': repr(error)}
        sys.stdout.write(json.dumps(reply) + '\n')
        sys.stdout.flush()

# one file: its summary; several: a summary per file, keyed by the path as given
if sys.argv[1:] == ['--serve']:
    serve()
elif len(sys.argv) == 2:
    json.dump(summary(sys.argv[1]), sys.stdout)
else:
    json.dump({path: summary(path) for path in sys.argv[1:]}, sys.stdout)
`;

/** One Python with feedparser loaded for the whole worker (see LineServer). */
const feedparserServer = new LineServer('feedparser', SYSTEM_PYTHON, ['-c', FEEDPARSER_SCRIPT, '--serve']);

/** Parses a feed file with Python feedparser, the parser behind many readers and aggregators. */
export async function feedparser(file: string): Promise<FeedparserResult> {
  return (await feedparserFiles([file])).get(file)!;
}

/** feedparser over many files at once (its start-up costs more than a parse); keyed by file. */
export async function feedparserFiles(files: string[]): Promise<Map<string, FeedparserResult>> {
  if (files.length === 0) return new Map();
  if (!(await hasPythonModule(SYSTEM_PYTHON, 'feedparser'))) missingTool(`Python feedparser for ${SYSTEM_PYTHON} (Debian package python3-feedparser)`);
  // absolute: the program's working folder is the one the worker had when it started
  const results = await feedparserServer.request<Record<string, FeedparserResult>>(files.map((file) => path.resolve(file)));
  return new Map(files.map((file) => [file, results[path.resolve(file)]!]));
}

export interface JsonFeedResult {
  ok: boolean;
  errors: ErrorObject[];
  /** One line per schema error, for assertion messages. */
  messages: string[];
}

let jsonFeedValidator: Promise<ValidateFunction> | undefined;

/** Validates a JSON Feed file against the JSON Feed 1.1 schema (draft-07), formats included. */
export async function validateJsonFeed(file: string): Promise<JsonFeedResult> {
  jsonFeedValidator ??= compileJsonFeedSchema();
  const validate = await jsonFeedValidator;
  const ok = validate(JSON.parse(await readFile(file, 'utf8')) as unknown);
  const errors = validate.errors ?? [];
  return { ok, errors, messages: errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`) };
}

/** RFC 3339 date-time, as the schema's "date-time" format means. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

async function compileJsonFeedSchema(): Promise<ValidateFunction> {
  const schema = JSON.parse(await readFile(JSON_FEED_SCHEMA, 'utf8')) as Record<string, unknown>;
  // ajv-formats is not a dependency; the schema uses only these two formats, checked here.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', { type: 'string', validate: isAbsoluteUri });
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)) });
  return ajv.compile(schema);
}

function isAbsoluteUri(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value) || /\s/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export interface NewsboatResult {
  /** Titles of the items newsboat stored in its cache. */
  titles: string[];
  code: number | null;
  stderr: string;
}

/**
 * Lets newsboat fetch a feed URL (a server the test runs on 127.0.0.1) non-interactively, then reads
 * the items it stored from its cache database. Everything newsboat writes stays in a temp folder.
 */
export async function newsboatRead(url: string): Promise<NewsboatResult> {
  const tool = (await findExecutable('newsboat')) ?? missingTool('newsboat (Debian package newsboat)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-newsboat-'));
  try {
    const urls = path.join(dir, 'urls');
    const cache = path.join(dir, 'cache.db');
    const config = path.join(dir, 'config');
    await writeFile(urls, `${url}\n`);
    await writeFile(config, 'download-timeout 30\nreload-threads 1\n');
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir };
    const { code, stderr } = await runProcess(tool, ['-u', urls, '-c', cache, '-C', config, '-x', 'reload'], { cwd: dir, env });
    return { titles: readNewsboatTitles(cache), code, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function readNewsboatTitles(cache: string): string[] {
  if (!existsSync(cache)) return []; // newsboat failed before creating it: code and stderr tell why
  const db = new Database(cache, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT title FROM rss_item ORDER BY id').all() as { title: string }[]).map((row) => row.title);
  } finally {
    db.close();
  }
}
