/**
 * Dangerous paths in the config (issue 15, point 9): an output folder that is the filesystem root
 * or holds the config, the database, a seeds folder, a mirror list or the home folder (so `serve`
 * would hand them out); site mirrors whose host makes a folder like `mirrors/../`; output and
 * variant ids that take a folder the output tree uses itself or share one with another id.
 * Each is refused by `check`, `run` and `serve` (exit 1) with one line naming the file, the key
 * path and the value, and nothing is written. `check` always runs first and must refuse: a
 * regression then fails there, before a `run` could write anywhere it should not.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { siteCopies } from '../../src/publish/site-copies.js';
import { createWorkspace, defaultConfig, writeConfig, type Workspace } from '../helpers/workspace.js';
import { expectExit } from './helpers/expectations.js';
import { listTree } from './helpers/outputs.js';
import { runFeedmirror, useChildCleanup, type ChildResult } from './helpers/processes.js';
import { runInProcess } from './helpers/in-process.js';

useChildCleanup();

const workspaces: Workspace[] = [];
afterEach(async () => {
  for (const ws of workspaces.splice(0)) await ws.cleanup();
});

type Config = ReturnType<typeof defaultConfig>;

interface Case {
  name: string;
  /** Changes the default config (and may prepare the workspace). */
  setup: (config: Config, ws: Workspace) => Promise<void> | void;
  /** The one problem line after "feedmirror: config: <file>: ". */
  says: RegExp;
  /** Extra environment for the child (HOME). */
  env?: (ws: Workspace) => NodeJS.ProcessEnv;
}

const HOLDS_ALL = /which holds the config file, the database and the seeds folder of source "seeds": `serve` would hand them to anyone who asks; use a folder of its own, such as "feeds"$/;

const OUTPUT_DIRS: Case[] = [
  { name: '"/"', setup: (c) => void (c.outputDir = '/'), says: /^outputDir: "\/" is the filesystem root \(\/\): runs would write there and `serve` would serve every file on the machine/ },
  { name: '"//" and a trailing "/."', setup: (c) => void (c.outputDir = '//.'), says: /^outputDir: "\/\/\." is the filesystem root/ },
  { name: '"/tmp/.."', setup: (c) => void (c.outputDir = '/tmp/..'), says: /^outputDir: "\/tmp\/\.\." is the filesystem root/ },
  { name: 'a relative climb to the root ("../../../../../../../..")', setup: (c) => void (c.outputDir = '../../../../../../../..'), says: /is the filesystem root/ },
  { name: 'a link to "/"', setup: async (c, ws) => { await symlink('/', ws.file('rootlink')); c.outputDir = 'rootlink'; }, says: /^outputDir: "rootlink" is the filesystem root \(\/\)/ },
  { name: 'a link to "/" with a trailing slash', setup: async (c, ws) => { await symlink('/', ws.file('rootlink')); c.outputDir = 'rootlink/'; }, says: /^outputDir: "rootlink\/" is the filesystem root/ },
  { name: '"." (the config\'s folder)', setup: (c) => void (c.outputDir = '.'), says: new RegExp(`^outputDir: "\\." resolves to "[^"]+", ${HOLDS_ALL.source}`) },
  { name: '"./" (trailing slash)', setup: (c) => void (c.outputDir = './'), says: HOLDS_ALL },
  { name: '"seeds/.." (the config\'s folder, spelt otherwise)', setup: (c) => void (c.outputDir = 'seeds/..'), says: HOLDS_ALL },
  { name: '".." (a parent of the config\'s folder)', setup: (c) => void (c.outputDir = '..'), says: /^outputDir: "\.\." resolves to "[^"]+", which holds the config file, the database and the seeds folder/ },
  { name: '"../.." (a parent further up)', setup: (c) => void (c.outputDir = '../..'), says: /holds the config file|is the filesystem root/ },
  { name: 'a link to the config\'s folder', setup: async (c, ws) => { await symlink(ws.dir, ws.file('here')); c.outputDir = 'here'; }, says: HOLDS_ALL },
  { name: 'an absolute path to the config\'s folder with a trailing slash', setup: (c, ws) => void (c.outputDir = `${ws.dir}/`), says: HOLDS_ALL },
  { name: 'the config file itself', setup: (c) => void (c.outputDir = 'feedmirror.config.json'), says: /which holds the config file: `serve` would hand it to anyone/ },
  { name: 'the database\'s folder', setup: (c) => void (c.outputDir = 'data/'), says: /^outputDir: "data\/" resolves to "[^"]+\/data", which holds the database: / },
  { name: 'the database inside the output folder', setup: (c) => { c.outputDir = 'public'; c.database = 'public/db/feedmirror.db'; }, says: /^outputDir: "public" resolves to .*, which holds the database: / },
  { name: 'the database inside, through a link', setup: async (c, ws) => { await mkdir(ws.file('real-out')); await symlink('real-out', ws.file('out')); c.outputDir = 'real-out'; c.database = 'out/feedmirror.db'; }, says: /which holds the database: / },
  { name: 'the seeds folder', setup: (c) => void (c.outputDir = 'seeds'), says: /which holds the seeds folder of source "seeds": / },
  {
    name: 'a second seeds folder inside the output folder',
    setup: async (c, ws) => {
      await mkdir(ws.file('site', 'more-seeds'), { recursive: true });
      c.outputDir = 'site';
      c.sources = [...(c.sources as object[]), { id: 'more', seeds: 'site/more-seeds' }];
    },
    says: /which holds the seeds folder of source "more": /,
  },
  {
    name: 'a mirror list inside the output folder',
    setup: async (c, ws) => {
      await mkdir(ws.file('site'));
      await writeFile(ws.file('site', 'mirrors.json'), '{"sites":[]}');
      c.outputDir = 'site';
      c.mirrorLists = [{ path: 'site/mirrors.json' }];
    },
    says: /which holds the mirror list of mirrorLists\[0\]: /,
  },
  {
    name: 'the home folder',
    setup: async (c, ws) => {
      await mkdir(ws.file('home'));
      c.outputDir = 'home';
    },
    env: (ws) => ({ HOME: ws.file('home') }),
    says: /which holds the home folder of the user running feedmirror: /,
  },
];

const MIRRORS: Case[] = [
  ...['http://../', 'http://./', 'http://%2e%2e/', 'https://a..b/', 'http://*.example.net/', 'http://trailing-dot.example./', 'http://..:8080/'].map(
    (mirror): Case => ({
      name: `site.mirrors ["${mirror}"]`,
      setup: (c) => void (c.site.mirrors = ['https://ok.example.net/', mirror]),
      says: new RegExp(`^site\\.mirrors\\[1\\]: "${escapeRegExp(mirror)}": its host "[^"]*" cannot name the folder its copy is written to \\(mirrors/<host>/\\)`),
    }),
  ),
  {
    name: 'two mirrors whose folders coincide ("host:8080" and "host_8080")',
    setup: (c) => void (c.site.mirrors = ['http://x.example.net:8080/', 'http://x.example.net_8080/']),
    says: /^site\.mirrors\[1\]: "http:\/\/x\.example\.net_8080\/": its copy folder mirrors\/x\.example\.net_8080\/ is also that of site\.mirrors\[0\] \("x\.example\.net:8080"\)$/,
  },
];

const IDS: Case[] = [
  ...['archive', 'articles', 'Articles', 'MIRRORS', 'healthz', 'metrics'].map(
    (id): Case => ({
      name: `output id "${id}"`,
      setup: (c) => void (c.outputs = [...c.outputs, { id, title: 'T' }]),
      says: new RegExp(`^outputs\\[1\\]\\.id: "${id}" is reserved for the output folder's own use \\(reserved, in any case: articles, mirrors, archive, healthz, metrics\\)$`),
    }),
  ),
  ...['archive', 'Archive', 'mirrors'].map(
    (id): Case => ({
      name: `variant id "${id}"`,
      setup: (c) => void (c.outputs[0]!.variants = [{ id: 'onion', kind: 'tor' }, { id, kind: 'https' }]),
      says: new RegExp(`^outputs\\[0\\]\\.variants\\[1\\]\\.id: "${id}" is reserved`),
    }),
  ),
  {
    name: 'two variants of one output with one id',
    setup: (c) => void (c.outputs[0]!.variants = [{ id: 'onion', kind: 'tor' }, { id: 'onion', kind: 'https' }]),
    says: /^outputs\[0\]\.variants\[1\]\.id: duplicate id "onion" \(also at outputs\[0\]\.variants\[0\]; ids that differ only in case share a folder on some file systems\)$/,
  },
  {
    name: 'two variants whose ids differ only in case',
    setup: (c) => void (c.outputs[0]!.variants = [{ id: 'onion', kind: 'tor' }, { id: 'Onion', kind: 'https' }]),
    says: /^outputs\[0\]\.variants\[1\]\.id: duplicate id "Onion" \(also at outputs\[0\]\.variants\[0\]/,
  },
  {
    name: 'two outputs whose ids differ only in case',
    setup: (c) => void (c.outputs = [...c.outputs, { id: 'ALL', title: 'T' }]),
    says: /^outputs\[1\]\.id: duplicate id "ALL" \(also at outputs\[0\]; ids that differ only in case/,
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function prepare(c: Case): Promise<Workspace> {
  // Where the database file lies is what several cases are about (and a refused config stores nothing).
  const ws = await createWorkspace({ config: null, fileDatabase: true });
  workspaces.push(ws);
  const config = defaultConfig();
  await c.setup(config, ws);
  await writeConfig(ws.configPath, config);
  return ws;
}

function cli(ws: Workspace, c: Case, args: string[]): Promise<ChildResult> {
  return runFeedmirror([...args, '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir, measure: false, env: c.env?.(ws) });
}

/** `check` and `run` refuse before they start anything: the same command line, run in this process. */
function cliInProcess(ws: Workspace, c: Case, args: string[]): Promise<ChildResult> {
  return runInProcess([...args, '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir, env: c.env?.(ws) });
}

/** Exit 1 and exactly one line: "feedmirror: config: <file>: <problem>". */
function expectRefused(ws: Workspace, c: Case, result: ChildResult, command: string): void {
  expectExit(result, 1);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, `${command}: ${result.stderr}`).toHaveLength(1);
  const prefix = `feedmirror: config: ${ws.configPath}: `;
  expect(lines[0]!.startsWith(prefix), `${command}: ${lines[0]}`).toBe(true);
  expect(lines[0]!.slice(prefix.length), command).toMatch(c.says);
}

describe('dangerous config values: check, run and serve refuse them (exit 1, one line naming file, key and value), nothing is written', () => {
  // Every output folder case through the CLI; for mirrors and ids, whose check is the schema's,
  // two cases each through the CLI and every case through loadConfig (the same text after "feedmirror: ").
  const throughCli = [...OUTPUT_DIRS, ...MIRRORS.slice(0, 1), ...MIRRORS.slice(-1), ...IDS.slice(0, 1), ...IDS.slice(-4, -3)];
  for (const c of throughCli) {
    it(`CLI: ${c.name}`, async () => {
      const ws = await prepare(c);
      const before = await listTree(ws.dir);
      // check first: if it let the value through, the test stops here, before run could write anywhere
      expectRefused(ws, c, await cliInProcess(ws, c, ['check']), 'check');
      expectRefused(ws, c, await cliInProcess(ws, c, ['run']), 'run');
      expect(await listTree(ws.dir), 'run wrote nothing').toEqual(before);
    });
  }

  for (const c of [...MIRRORS, ...IDS]) {
    it(`loadConfig: ${c.name}`, async () => {
      const ws = await prepare(c);
      const error = await loadConfig(ws.configPath).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      const { message } = error as ConfigError;
      expect(message.split('\n'), message).toHaveLength(1);
      expect(message.startsWith(`config: ${ws.configPath}: `), message).toBe(true);
      expect(message.slice(`config: ${ws.configPath}: `.length)).toMatch(c.says);
    });
  }

  it('serve refuses too, before it listens (outputDir "..")', async () => {
    const c = OUTPUT_DIRS.find((x) => x.name.startsWith('".."'))!;
    const ws = await prepare(c);
    expectRefused(ws, c, await cliInProcess(ws, c, ['check']), 'check');
    expectRefused(ws, c, await cli(ws, c, ['serve', '--port', '0', '--host', '127.0.0.1']), 'serve');
  });

  it('safe neighbours still pass: an output folder beside the config, inside a seeds folder, mirrors with ports and IPv6, variant ids reused across outputs', async () => {
    const c: Case = {
      name: 'safe',
      setup: (config) => {
        config.outputDir = 'seeds/public/';
        config.site.mirrors = ['http://127.0.0.1:8081/', 'http://[::1]:8082/', 'https://cdn.example.net/mirror/', 'http://abcdefghijklmnop.onion/'];
        config.outputs = [
          { id: 'all', title: 'All', variants: [{ id: 'onion', kind: 'tor' }] },
          { id: 'news', title: 'News', variants: [{ id: 'onion', kind: 'tor' }] },
        ];
      },
      says: /$^/,
    };
    const ws = await prepare(c);
    const result = await cliInProcess(ws, c, ['check']);
    expectExit(result, 0);
    expect(result.stdout).toContain(`${ws.configPath}: OK`);
  });
});

describe('site copy folders cannot leave mirrors/', () => {
  it('siteCopies gives no copy to a host that makes no safe folder, and one folder to one host', () => {
    const copies = siteCopies('https://feeds.example.org/', ['http://../', 'http://./', 'http://a..b/', 'http://*.x/', 'http://x.example:8080/', 'http://x.example_8080/', 'http://[::1]:8080/']);
    expect(copies.map((c) => c.dir)).toEqual(['', 'mirrors/x.example_8080/', 'mirrors/[__1]_8080/']);
    for (const copy of copies.slice(1)) expect(path.posix.normalize(copy.dir).startsWith('mirrors/') && !copy.dir.slice('mirrors/'.length).includes('..')).toBe(true);
  });
});
