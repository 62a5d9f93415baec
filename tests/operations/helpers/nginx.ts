/**
 * Debian's nginx, started by a test on 127.0.0.1 with the server block documented in
 * examples/nginx.conf: no root needed (pid, logs and temp paths in a temp folder), no file of
 * /etc changed. A missing nginx follows the validators' policy (skip, or fail under
 * FEEDMIRROR_REQUIRE_VALIDATORS=1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closedPort } from '../../helpers/closed-port.js';
import { findExecutable, missingTool, runProcess } from '../../helpers/tools.js';
import { REPO_ROOT } from '../../helpers/workspace.js';
import { request } from './http-client.js';
import { waitFor } from './ops-scope.js';

export const NGINX_EXAMPLE = path.join(REPO_ROOT, 'examples', 'nginx.conf');
/** The output folder the example names: the test puts its own in its place. */
export const EXAMPLE_FOLDER = '/srv/feedmirror/feeds';
const NGINX_CANDIDATES = ['/usr/sbin/nginx', 'nginx'];
/** Debian's list, which the example relies on (it is included by nginx.conf's http block). */
const MIME_TYPES = '/etc/nginx/mime.types';

export interface RunningNginx {
  port: number;
  stop(): Promise<void>;
}

/** The nginx binary, or a skip (a failure in CI) naming the package. */
export async function nginxBinary(): Promise<string> {
  for (const candidate of NGINX_CANDIDATES) {
    const found = await findExecutable(candidate);
    if (found) return found;
  }
  return missingTool('nginx at /usr/sbin/nginx (Debian package nginx)');
}

/**
 * The example's server block with only what must change to run here: the output folder, and
 * `listen 80` (and its IPv6 twin) for a free port of 127.0.0.1. Each replacement must find its
 * text, so a change to the documented file cannot leave the test running something else.
 */
export function runnableServerBlock(example: string, feedsDir: string, port: number): string {
  const replacements: [string, string][] = [
    [EXAMPLE_FOLDER, feedsDir],
    ['    listen 80;\n', `    listen 127.0.0.1:${port};\n`],
    ['    listen [::]:80;\n', ''],
  ];
  let text = example;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`examples/nginx.conf no longer contains ${JSON.stringify(from)}: update the nginx test`);
    text = text.replaceAll(from, to);
  }
  return text;
}

function mainConfig(prefix: string): string {
  return [
    'daemon off;',
    'worker_processes 1;',
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log;`,
    'events { worker_connections 64; }',
    'http {',
    `  include ${MIME_TYPES};`,
    '  default_type application/octet-stream;',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${prefix}/${name};`),
    `  include ${prefix}/site.conf;`,
    '}',
    '',
  ].join('\n');
}

/** Starts nginx with the documented server block serving `feedsDir`; tries another port if one was taken meanwhile. */
export async function startNginx(feedsDir: string): Promise<RunningNginx> {
  const binary = await nginxBinary();
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-nginx-'));
  const example = await readFile(NGINX_EXAMPLE, 'utf8');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await closedPort();
    await writeFile(path.join(prefix, 'site.conf'), runnableServerBlock(example, feedsDir, port));
    await writeFile(path.join(prefix, 'nginx.conf'), mainConfig(prefix));
    const check = await runProcess(binary, ['-t', '-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', path.join(prefix, 'nginx.conf')]);
    if (check.code !== 0) throw new Error(`nginx -t refused the documented config:\n${check.stderr}`);
    const child = spawn(binary, ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', path.join(prefix, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await untilListening(child, port, prefix);
      return { port, stop: () => stopNginx(child, prefix) };
    } catch (error) {
      lastError = error;
      await stopNginx(child, null);
    }
  }
  await rm(prefix, { recursive: true, force: true });
  throw lastError;
}

async function untilListening(child: ChildProcess, port: number, prefix: string): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(async () => {
    if (exited) throw new Error(`nginx exited at start:\n${await readFile(path.join(prefix, 'error.log'), 'utf8').catch(() => '')}`);
    return request(port, '/').then(
      () => true,
      () => false,
    );
  }, `nginx listening on 127.0.0.1:${port}`);
}

async function stopNginx(child: ChildProcess, prefix: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM'); // fast shutdown of the master and its worker
    await exited;
  }
  if (prefix) await rm(prefix, { recursive: true, force: true });
}

