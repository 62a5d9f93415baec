/**
 * A throw-away project folder for end-to-end tests: a config file, a seeds folder copied from
 * tests/fixtures/seeds, and a way to run the real CLI (bin/feedmirror.js → dist/) inside it.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from './tools.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'feedmirror.js');
export const FIXTURE_SEEDS = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));
export const SAMPLE_SEED = '000_d7ec912073c84491.txt';
export const SAMPLE_ID = 'd7ec912073c84491';
export const SAMPLE_HEADLINE = "US anti-Syria hysteria hits new high: Kerry accuses Assad of 'massacre'";
export const CONFIG_FILE = 'feedmirror.config.json';

/** The shape of the shipped default config (feedmirror.config.json), as a fresh object each call. */
export function defaultConfig(): Record<string, unknown> & { site: Record<string, unknown>; outputs: Record<string, unknown>[] } {
  return {
    site: { url: 'http://127.0.0.1:8080/', title: 'feedmirror', description: 'Articles republished by feedmirror', language: 'en', mirrors: [] },
    database: 'data/feedmirror.db',
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
}

export interface Workspace {
  dir: string;
  configPath: string;
  seedsDir: string;
  feedsDir: string;
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
  const configPath = path.join(dir, CONFIG_FILE);
  const config = options.config === undefined ? defaultConfig() : options.config;
  if (config !== null) await writeConfig(configPath, config);
  return {
    dir,
    configPath,
    seedsDir,
    feedsDir: path.join(dir, 'feeds'),
    databasePath: path.join(dir, 'data', 'feedmirror.db'),
    file: (...parts) => path.join(dir, ...parts),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function writeConfig(file: string, config: unknown): Promise<void> {
  await writeFile(file, typeof config === 'string' ? config : `${JSON.stringify(config, null, 2)}\n`);
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
