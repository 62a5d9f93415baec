/**
 * `feedmirror serve --access-log`: a line per request answered, in the common or combined log
 * format or as JSON, to a file (reopened on SIGHUP, for logrotate) or to stdout; query strings
 * never reach it, and nothing a client sends can break a line. And the warning serve gives at
 * start when site.url is not where it listens.
 */
import net from 'node:net';
import { readFile, rename, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli, writeConfig, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { opsConfig, SITE_URL } from './helpers/configs.js';
import { request } from './helpers/http-client.js';
import { events, opsScope, startServe, startServeInProcess, waitFor, waitForExit, waitForLogs, type CliChild } from './helpers/ops-scope.js';

const scope = opsScope();
/** host ident user [time] "request" status bytes */
const COMMON = /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "([^"]*)" (\d{3}) (\d+|-)$/;
const SECRET = 'SECRET-TOKEN-4e1d';

async function publishedSite(): Promise<Workspace> {
  const ws = await scope.workspace({ config: opsConfig() });
  const run = await runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
  if (run.code !== 0) throw new Error(`feedmirror run failed: ${run.stderr}`);
  return ws;
}

/** A request written byte for byte on a socket (what no HTTP client library would send); the server closes it. */
function rawRequest(port: number, head: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer)).on('error', reject);
  });
}

async function stop(child: CliChild): Promise<void> {
  child.signal('SIGTERM');
  expect((await waitForExit(child)).code).toBe(0);
}

const linesOf = (text: string) => text.split('\n').filter((line) => line !== '');

describe('serve --access-log', () => {
  it('common log format: one line per response with status and body bytes; no query string; hostile bytes escaped', async () => {
    const ws = await publishedSite();
    const file = ws.file('access.log');
    const { child, port } = await startServe(scope, ws, ['--access-log', file]);
    const rss = await readFile(ws.file('feeds', 'all', 'rss.xml'));
    const feed = await request(port, `/all/rss.xml?key=${SECRET}&x=1`);
    await request(port, '/', { method: 'HEAD' });
    const missing = await request(port, '/nope.xml');
    await request(port, '/all');
    await request(port, '/all/rss.xml', { headers: { 'if-none-match': String(feed.headers.etag) } });
    // Node's parser lets quotes and backslashes through in a path, and bytes above 0x7f in a header (read as latin-1)
    const hostile = await rawRequest(port, Buffer.from('GET /x"y\\z%22 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: a"b\xe9\r\nConnection: close\r\n\r\n', 'latin1'));
    expect(hostile).toMatch(/^HTTP\/1\.1 404 /);
    await stop(child);
    const lines = linesOf(await readFile(file, 'utf8'));
    const parsed = lines.map((line) => COMMON.exec(line)?.slice(1));
    expect(parsed).toEqual([
      ['GET /all/rss.xml HTTP/1.1', '200', String(rss.length)],
      ['HEAD / HTTP/1.1', '200', '-'],
      ['GET /nope.xml HTTP/1.1', '404', String(missing.body.length)],
      ['GET /all HTTP/1.1', '301', '-'],
      ['GET /all/rss.xml HTTP/1.1', '304', '-'],
      ['GET /x\\x22y\\x5Cz%22 HTTP/1.1', '404', String(missing.body.length)],
    ]);
    expect(await readFile(file, 'utf8')).not.toContain(SECRET);
    // access lines go to the file only, never into the logs
    expect(child.stdout()).toBe('');
    expect(child.stderr()).not.toContain('/nope.xml');
  });

  it('combined: the referer and the user agent, quoted and escaped', async () => {
    const ws = await publishedSite();
    const file = ws.file('access.log');
    const { child, port } = await startServeInProcess(scope, ws, ['--access-log', file, '--access-log-format', 'combined']);
    await request(port, '/all/atom.xml', { headers: { referer: 'https://reader.example/?q=1', 'user-agent': 'Reader/1.0 "beta" \\o/' } });
    await request(port, '/');
    await rawRequest(port, Buffer.from('GET /all/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: caf\xe9 "x"\r\nConnection: close\r\n\r\n', 'latin1'));
    await stop(child);
    const [withHeaders, without, latin1] = linesOf(await readFile(file, 'utf8'));
    expect(withHeaders).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/all\/atom\.xml HTTP\/1\.1" 200 \d+ "https:\/\/reader\.example\/\?q=1" "Reader\/1\.0 \\x22beta\\x22 \\x5Co\/"$/);
    expect(without).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "-"$/);
    // a byte above 0x7f in a header (obs-text) is escaped too: the log stays ASCII
    expect(latin1).toMatch(/ "GET \/all\/ HTTP\/1\.1" 200 \d+ "-" "caf\\xE9 \\x22x\\x22"$/);
  });

  it('json to stdout ("-"): a JSON object per line, the logs stay on stderr', async () => {
    const ws = await publishedSite();
    const { child, port } = await startServe(scope, ws, ['--access-log', '-', '--access-log-format', 'json']);
    const index = await readFile(ws.file('feeds', 'index.html'));
    await request(port, `/?token=${SECRET}`, { headers: { 'user-agent': 'Test "UA"' } });
    await request(port, '/all/feed.json', { method: 'HEAD' });
    await stop(child);
    const records = linesOf(child.stdout()).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ remote: '127.0.0.1', method: 'GET', path: '/', protocol: 'HTTP/1.1', status: 200, bytes: index.length, host: `127.0.0.1:${port}`, referer: null, userAgent: 'Test "UA"' });
    expect(records[1]).toMatchObject({ method: 'HEAD', path: '/all/feed.json', status: 200, bytes: null });
    for (const record of records) {
      expect(new Date(String(record.time)).toISOString()).toBe(record.time);
      expect(typeof record.durationMs).toBe('number');
    }
    expect(child.stdout()).not.toContain(SECRET);
    expect(events(child.logs(), 'listening')).toHaveLength(1);
  });

  it('SIGHUP reopens the file: after logrotate moves it away, new lines go to a new file by the same name', async () => {
    const ws = await publishedSite();
    const file = ws.file('access.log');
    const { child, port } = await startServe(scope, ws, ['--access-log', file]);
    await request(port, '/before-rotation');
    await waitFor(async () => (await readFile(file, 'utf8')).includes('/before-rotation'), 'the first line in the file');
    await rename(file, `${file}.1`);
    child.signal('SIGHUP');
    await waitFor(() => stat(file).then(() => true, () => false), 'the access log opened again');
    await request(port, '/after-rotation');
    await stop(child);
    expect(linesOf(await readFile(`${file}.1`, 'utf8'))).toEqual([expect.stringContaining('/before-rotation')]);
    expect(linesOf(await readFile(file, 'utf8'))).toEqual([expect.stringContaining('/after-rotation')]);
  });

  it('a file that cannot be opened stops serve at once (exit 1), naming it and why', async () => {
    const ws = await publishedSite();
    const file = ws.file('no-such-folder', 'access.log');
    const result = await runCliInProcess(['serve', '--config', ws.configPath, '--port', '0', '--log-format', 'json', '--access-log', file], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot open the access log ${file}: ENOENT`);
    expect(events(result.logs, 'listening')).toHaveLength(0);
  });

  it('an unknown --access-log-format is refused as bad usage', async () => {
    const ws = await publishedSite();
    const result = await runCli(['serve', '--config', ws.configPath, '--port', '0', '--access-log', '-', '--access-log-format', 'apache'], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--access-log-format.*apache.*common, combined, json|Allowed choices are common, combined, json/s);
  });
});

describe('serve: site.url and where serve listens', () => {
  it('warns at start when site.url is an address of this machine that serve does not listen on', async () => {
    const ws = await scope.workspace({ config: { ...opsConfig(), site: { url: 'http://127.0.0.1:1/', title: 'elsewhere', mirrors: [] } } });
    const { child, port } = await startServeInProcess(scope, ws);
    const [warning] = await waitForLogs(child, (r) => r.event === 'site-url-mismatch', 'the site.url warning');
    expect(warning).toMatchObject({ level: 40, code: 'FM_SITE_URL_MISMATCH', siteUrl: 'http://127.0.0.1:1/', host: '127.0.0.1', port });
    expect(warning!.msg).toContain(`its port is 1, and serve listens on port ${port}`);
    expect(warning!.msg).toContain('feed.xsl');
  });

  it('says nothing when site.url is a name (a proxy or DNS in front of serve)', async () => {
    const ws = await scope.workspace({ config: opsConfig() });
    await writeConfig(ws.configPath, { ...opsConfig(), site: { url: SITE_URL, title: 'behind a proxy', mirrors: [] } });
    const { child, port } = await startServeInProcess(scope, ws);
    // logged right after "listening" if at all: a response means serve is past that point
    await request(port, '/');
    expect(events(child.logs(), 'site-url-mismatch')).toEqual([]);
  });
});
