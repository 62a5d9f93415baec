/**
 * A throw-away project folder for end-to-end tests: a config file, a seeds folder copied from
 * tests/fixtures/seeds, and a way to run the real CLI (bin/feedmirror.js → dist/) inside it.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from './tools.js';
import { dropTestDatabase, testDatabase } from './test-store.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'feedmirror.js');
export const FIXTURE_SEEDS = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));
export const SAMPLE_SEED = '000_d7ec912073c84491.txt';
export const SAMPLE_ID = 'd7ec912073c84491';
export const SAMPLE_HEADLINE = "US anti-Syria hysteria hits new high: Kerry accuses Assad of 'massacre'";
export const CONFIG_FILE = 'feedmirror.config.json';
/** The database of defaultConfig() and of the other helpers' configs: the workspace's own store. */
export const WORKSPACE_DATABASE = 'data/feedmirror.db';

/** The shape of the shipped default config (feedmirror.config.json), as a fresh object each call. */
export function defaultConfig(): Record<string, unknown> & { site: Record<string, unknown>; outputs: Record<string, unknown>[] } {
  return {
    site: { url: 'http://127.0.0.1:8080/', title: 'feedmirror', description: 'Articles republished by feedmirror', language: 'en', mirrors: [] },
    database: WORKSPACE_DATABASE,
    outputDir: 'feeds',
    sources: [{ id: 'seeds', title: 'Seed articles', seeds: 'seeds' }],
    outputs: [{ id: 'all', title: 'All articles', sources: ['*'], limit: 100 }],
  };
}

export interface WorkspaceOptions {
  /** Config as an object (written as JSON) or as raw text; null writes no config file. Default: defaultConfig(). */
  config?: unknown;
  /** Fixture seed file names to copy into `seeds/`. Default: the real sample only. */
  seeds?: string[];
  /** Keep the SQLite file on the PostgreSQL pass too: for tests about where the database file may lie. */
  fileDatabase?: boolean;
}

export interface Workspace {
  dir: string;
  configPath: string;
  seedsDir: string;
  feedsDir: string;
  /**
   * The workspace's store: the SQLite file data/feedmirror.db, or on the PostgreSQL pass the URL of
   * a database of its own, which every config written into the workspace with the default
   * `database` names instead (a config naming another file keeps it).
   */
  databasePath: string;
  /** An absolute path inside the workspace. */
  file(...parts: string[]): string;
  cleanup(): Promise<void>;
}

export async function createWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-ws-'));
  const seedsDir = path.join(dir, 'seeds');
  await mkdir(seedsDir);
  for (const name of options.seeds ?? [SAMPLE_SEED]) await copyFile(path.join(FIXTURE_SEEDS, name), path.join(seedsDir, name));
  const file = path.join(dir, WORKSPACE_DATABASE);
  const databasePath = options.fileDatabase ? file : await testDatabase(file);
  if (databasePath !== file) workspaceDatabases.set(dir, databasePath);
  const configPath = path.join(dir, CONFIG_FILE);
  const config = options.config === undefined ? defaultConfig() : options.config;
  if (config !== null) await writeConfig(configPath, config);
  return {
    dir,
    configPath,
    seedsDir,
    feedsDir: path.join(dir, 'feeds'),
    databasePath,
    file: (...parts) => path.join(dir, ...parts),
    cleanup: async () => {
      workspaceDatabases.delete(dir);
      await rm(dir, { recursive: true, force: true });
      await dropTestDatabase(databasePath);
    },
  };
}

/** Workspace folder → its PostgreSQL database, on the PostgreSQL pass. */
const workspaceDatabases = new Map<string, string>();

/**
 * Writes a config (an object as JSON, a string as it is). In a workspace on the PostgreSQL pass,
 * `"database": "data/feedmirror.db"` becomes the workspace's database (in a string, only that
 * value is replaced, so the text is otherwise as given; see onPostgres for an object).
 */
export async function writeConfig(file: string, config: unknown): Promise<void> {
  const database = workspaceDatabases.get(path.dirname(path.resolve(file)));
  if (typeof config === 'string') {
    await writeFile(file, database ? config.replace(/("database"\s*:\s*)"data\/feedmirror\.db"/, (_, key: string) => `${key}${JSON.stringify(database)}`) : config);
    return;
  }
  const isDefault = typeof config === 'object' && config !== null && (config as { database?: unknown }).database === WORKSPACE_DATABASE;
  await writeFile(file, `${JSON.stringify(database && isDefault ? onPostgres(config as Record<string, unknown>, database) : config, null, 2)}\n`);
}

/**
 * A workspace config on the PostgreSQL pass: its database, and outputs published as soon as they
 * are dirty (unless the test sets cluster.publishDebounce), or every run would wait the default 10 s.
 */
function onPostgres(config: Record<string, unknown>, database: string): Record<string, unknown> {
  const cluster = typeof config.cluster === 'object' && config.cluster !== null ? config.cluster : {};
  return { ...config, database, cluster: { publishDebounce: 0, ...cluster } };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr lines that are JSON log records (the CLI logs JSON lines when stderr is not a terminal). */
  logs: LogRecord[];
}

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Runs `node bin/feedmirror.js …args` with the workspace as its working folder. */
export async function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env };
  const result = await runProcess(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd, env });
  return { ...result, logs: parseLogLines(result.stderr) };
}

export function parseLogLines(text: string): LogRecord[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogRecord];
    } catch {
      return [];
    }
  });
}

/** pino's numeric level for error. */
export const LOG_ERROR = 50;

/** Every file under `root`, as sorted paths relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** mtime in ms of each file under `root`, keyed by relative path. */
export async function fileTimes(root: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const file of await listFiles(root)) out[file] = (await stat(path.join(root, file))).mtimeMs;
  return out;
}
