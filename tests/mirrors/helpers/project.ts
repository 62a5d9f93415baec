/**
 * A throw-away feedmirror project for the mirror tests, run through the whole CLI
 * (`feedmirror run --config …`, in this process: see tests/helpers/in-process-cli.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StoredArticle } from '../../../src/model/article.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import { createWorkspace, writeConfig, type CliResult, type LogRecord, type Workspace } from '../../helpers/workspace.js';

export const SITE_URL = 'https://feeds.example.org/';

export interface StatusRow {
  source: string;
  kind: string;
  url: string;
  outcome: string | null;
  httpStatus: number | null;
  items: number;
  failures: number;
  servedBy: string | null;
  lastError: string | null;
}

export interface Project {
  ws: Workspace;
  feedsDir: string;
  /** `feedmirror run --all --config <config> --log-format json`. */
  run(): Promise<CliResult>;
  status(): Promise<StatusRow[]>;
  articles(): Promise<StoredArticle[]>;
  /** A file under the output folder, e.g. "all/rss.xml". */
  output(relative: string): Promise<string>;
  setConfig(config: Record<string, unknown>): Promise<void>;
}

/** A config with `site.url` = SITE_URL, the store and output folder inside the workspace, loopback allowed. */
export function projectConfig(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    site: { url: SITE_URL, title: 'feedmirror mirror tests', mirrors: [] },
    database: 'data/feedmirror.db',
    outputDir: 'feeds',
    fetch: { allowPrivateNetworks: true },
    sources: [],
    outputs: [{ id: 'all', title: 'Everything', sources: ['*'], limit: 1000 }],
    ...overrides,
  };
}

/** Projects created by a test file, removed after each test. */
export class ProjectScope {
  private readonly workspaces: Workspace[] = [];

  async create(config: Record<string, unknown>, seeds: string[] = []): Promise<Project> {
    const ws = await createWorkspace({ config, seeds });
    this.workspaces.push(ws);
    const withStore = async <T>(use: (store: Store) => Promise<T>): Promise<T> => {
      const store = await openStore(ws.databasePath);
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    };
    return {
      ws,
      feedsDir: ws.feedsDir,
      run: () => runCliInProcess(['run', '--all', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir }),
      async status() {
        const result = await runCliInProcess(['status', '--json', '--config', ws.configPath], { cwd: ws.dir });
        if (result.code !== 0) throw new Error(`status failed (${result.code}): ${result.stderr}`);
        return JSON.parse(result.stdout) as StatusRow[];
      },
      articles: () => withStore((store) => store.listArticles({ limit: 100_000 })),
      output: (relative) => readFile(path.join(ws.feedsDir, relative), 'utf8'),
      setConfig: (next) => writeConfig(ws.configPath, next),
    };
  }

  async cleanupAll(): Promise<void> {
    for (const ws of this.workspaces.splice(0)) await ws.cleanup();
  }
}

/** pino's numeric level for warn. */
export const LOG_WARN = 40;

/** Log records at `level` or above whose message matches. */
export function logsMatching(logs: LogRecord[], pattern: RegExp, level = 0): LogRecord[] {
  return logs.filter((record) => record.level >= level && pattern.test(record.msg));
}

/** Fails with the run's stderr when the run did not exit 0. */
export function expectRunOk(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`feedmirror run exited ${result.code}:\n${result.stderr}`);
  return result;
}
