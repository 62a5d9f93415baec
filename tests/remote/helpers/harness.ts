/**
 * A throw-away feedmirror project whose sources are remote feeds on the fixture server, and two
 * ways to run it: `run()` calls runOnce in this process (clock and HTTP dispatcher injectable, log
 * lines captured) and `cli()` runs the whole `feedmirror run` command line (in this process too:
 * tests that are about the process start bin/feedmirror.js themselves). Both leave what a user
 * sees: the store, the feed files and the log lines.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import type { Dispatcher } from 'undici';
import { loadConfig } from '../../../src/config/load-config.js';
import type { StoredArticle } from '../../../src/model/article.js';
import type { SourceState } from '../../../src/model/source-state.js';
import { runOnce, type RunReport } from '../../../src/pipeline/run-once.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import { scheduleTick } from '../../helpers/test-store.js';
import { createWorkspace, fileTimes, parseLogLines, writeConfig, type CliResult, type LogRecord, type Workspace } from '../../helpers/workspace.js';

export const SITE_URL = 'https://feeds.example.org/';
export const OUTPUT = 'all';

export interface SourceSpec {
  id: string;
  url: string;
  title?: string;
  mirrors?: string[];
  fetch?: Record<string, number>;
  /** `true` or the full-text options (see README, Sources). */
  fullText?: unknown;
  media?: string;
}

export interface HarnessOptions {
  sources: SourceSpec[];
  /** Global fetch settings; allowPrivateNetworks defaults to on (the fixture server is on loopback). */
  fetch?: Record<string, unknown>;
  limits?: Record<string, number>;
  /** Default: one output "all" with every source. */
  outputs?: Record<string, unknown>[];
}

export interface RunOptions {
  all?: boolean;
  only?: string[];
  /** The run's clock; default: the real time. */
  now?: Date;
  refresh?: boolean;
  dispatcher?: Dispatcher;
}

export interface RunResult {
  report: RunReport;
  logs: LogRecord[];
}

export interface Harness {
  dir: string;
  configPath: string;
  feedsDir: string;
  /** The store (see Workspace.databasePath). */
  databasePath: string;
  /** One pass in this process. */
  run(options?: RunOptions): Promise<RunResult>;
  /**
   * `feedmirror run <args> --config <this config>`, the CLI's exit code, output and log lines; each
   * call is the run cron starts at the next tick of schedule.cron (see scheduleTick).
   */
  cli(args?: string[]): Promise<CliResult>;
  /** Replaces the config's sources (e.g. a feed URL changed). */
  setSources(sources: SourceSpec[]): Promise<void>;
  /** Stored articles, newest first, optionally only those seen in some sources. */
  articles(sourceIds?: string[]): Promise<StoredArticle[]>;
  states(): Promise<Map<string, SourceState>>;
  state(sourceId: string): Promise<SourceState>;
  /** A generated file under the output folder, e.g. "all/rss.xml". */
  output(relative: string): Promise<string>;
  /** mtime of every generated file. */
  outputTimes(): Promise<Record<string, number>>;
  cleanup(): Promise<void>;
}

export function remoteConfig(options: HarnessOptions): Record<string, unknown> {
  return {
    site: { url: SITE_URL, title: 'feedmirror remote tests', mirrors: [] },
    database: 'data/feedmirror.db',
    outputDir: 'feeds',
    fetch: { allowPrivateNetworks: true, ...options.fetch },
    ...(options.limits ? { limits: options.limits } : {}),
    sources: options.sources.map((source) => ({ mirrors: [], ...source })),
    outputs: options.outputs ?? [{ id: OUTPUT, title: 'Everything', sources: ['*'], limit: 1000 }],
  };
}

export async function createHarness(options: HarnessOptions): Promise<Harness> {
  let current = options;
  const ws: Workspace = await createWorkspace({ config: remoteConfig(options), seeds: [] });
  const withStore = async <T>(use: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore(ws.databasePath);
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };
  return {
    dir: ws.dir,
    configPath: ws.configPath,
    feedsDir: ws.feedsDir,
    databasePath: ws.databasePath,
    async run(runOptions = {}) {
      const config = await loadConfig(ws.configPath);
      const lines: string[] = [];
      const logger = pino({ level: 'debug', base: null }, { write: (line: string) => void lines.push(line) });
      const now = runOptions.now;
      const report = await withStore((store) =>
        runOnce(
          { config, store, logger, now: () => (now ? new Date(now) : new Date()), ...(runOptions.dispatcher ? { dispatcher: runOptions.dispatcher } : {}) },
          { all: runOptions.all, only: runOptions.only, refresh: runOptions.refresh },
        ),
      );
      return { report, logs: parseLogLines(lines.join('')) };
    },
    async cli(args = []) {
      await scheduleTick(ws.databasePath);
      return runCliInProcess(['run', ...args, '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
    },
    async setSources(sources) {
      current = { ...current, sources };
      await writeConfig(ws.configPath, remoteConfig(current));
    },
    articles: (sourceIds) => withStore((store) => store.listArticles({ limit: 100_000, ...(sourceIds ? { sourceIds } : {}) })),
    states: () => withStore((store) => store.getSourceStates()),
    async state(sourceId) {
      const state = (await withStore((store) => store.getSourceStates())).get(sourceId);
      if (!state) throw new Error(`no source state recorded for ${sourceId}`);
      return state;
    },
    output: (relative) => readFile(path.join(ws.feedsDir, relative), 'utf8'),
    outputTimes: () => fileTimes(ws.feedsDir),
    cleanup: () => ws.cleanup(),
  };
}

/** Log records whose message matches. */
export function logsMatching(logs: LogRecord[], pattern: RegExp): LogRecord[] {
  return logs.filter((record) => pattern.test(record.msg));
}

/** Titles of the stored articles, sorted, for order-free comparisons. */
export function titlesOf(articles: StoredArticle[]): string[] {
  return articles.map((a) => a.title).sort();
}

/** The article with this title; fails the test with the titles there are when missing. */
export function articleTitled(articles: StoredArticle[], title: string): StoredArticle {
  const found = articles.find((a) => a.title === title);
  if (!found) throw new Error(`no stored article titled ${JSON.stringify(title)}; stored: ${JSON.stringify(titlesOf(articles))}`);
  return found;
}
