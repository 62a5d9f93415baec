/**
 * `feedmirror serve --port 0`, with real HTTP requests on 127.0.0.1: content types, conditional
 * requests, compression, HEAD, caching and CORS headers, path traversal, symlinks out of the
 * folder, the 404 page, methods, and the site copy chosen by the Host header. What is tested is
 * what serve answers, so it runs in this process (startServeInProcess); the tests of the process
 * itself (signals, exit, its stdout) start a child (serve-access-log, serve-health-metrics).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_ID, writeConfig, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { scheduleTick } from '../helpers/test-store.js';
import { MIRROR_HOST, ONION_HOST, opsConfig, SITE_URL } from './helpers/configs.js';
import { decodedBody, header, request } from './helpers/http-client.js';
import { opsScope, startServeInProcess } from './helpers/ops-scope.js';

const scope = opsScope();
/** RSS and Atom as static hosts send any .xml file: the type under which Chromium applies feed.xsl. */
const FEED_TYPES = {
  'all/rss.xml': 'application/xml; charset=utf-8',
  'all/atom.xml': 'application/xml; charset=utf-8',
  'all/feed.json': 'application/feed+json; charset=utf-8',
} as const;
const FEEDS = Object.keys(FEED_TYPES);

/** A published site (seeds, a plain mirror and an onion mirror), served on a free port. */
async function servedSite(): Promise<{ ws: Workspace; port: number; file(relative: string): Promise<Buffer> }> {
  const ws = await scope.workspace({ config: opsConfig({ siteMirrors: [`https://${MIRROR_HOST}/`, `http://${ONION_HOST}/`] }) });
  const run = await runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
  if (run.code !== 0) throw new Error(`feedmirror run failed: ${run.stderr}`);
  const { port } = await startServeInProcess(scope, ws);
  return { ws, port, file: (relative) => readFile(path.join(ws.feedsDir, relative)) };
}

describe('serve: content types', () => {
  it('feeds, index.html and feed.xsl get their types with charset=utf-8, and the bytes of the file', async () => {
    const site = await servedSite();
    for (const [file, type] of Object.entries(FEED_TYPES)) {
      const response = await request(site.port, `/${file}`);
      expect(response.status, file).toBe(200);
      expect(header(response, 'content-type'), file).toBe(type);
      expect(response.body.equals(await site.file(file)), file).toBe(true);
    }
    const index = await request(site.port, '/');
    expect(index.status).toBe(200);
    expect(header(index, 'content-type')).toBe('text/html; charset=utf-8');
    expect(index.body.equals(await site.file('index.html'))).toBe(true);
    expect(header(await request(site.port, '/index.html'), 'content-type')).toBe('text/html; charset=utf-8');
    const xsl = await request(site.port, '/feed.xsl');
    expect(xsl.status).toBe(200);
    expect(header(xsl, 'content-type')).toMatch(/^(text\/xsl|application\/xslt\+xml|application\/xml|text\/xml); charset=utf-8$/);
    expect(header(await request(site.port, `/articles/${SAMPLE_ID}.html`), 'content-type')).toBe('text/html; charset=utf-8');
  });
});

describe('serve: feeds opened in a browser', () => {
  it('rss.xml and atom.xml are application/xml for a page load and for a reader alike: one representation, one ETag', async () => {
    const site = await servedSite();
    for (const file of ['all/rss.xml', 'all/atom.xml']) {
      const reader = await request(site.port, `/${file}`);
      const browser = await request(site.port, `/${file}`, { headers: { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' } });
      for (const response of [reader, browser]) {
        expect(header(response, 'content-type'), file).toBe('application/xml; charset=utf-8');
        expect(header(response, 'vary'), file).toBe('Accept-Encoding');
        expect(response.body.equals(await site.file(file)), file).toBe(true);
      }
      expect(header(browser, 'etag')).toBe(header(reader, 'etag'));
    }
  });

  it('a feed folder serves its web page: /all/ is all/index.html, /all redirects to /all/ (its links are relative), in every copy', async () => {
    const site = await servedSite();
    for (const [host, folder] of [[undefined, ''], [MIRROR_HOST, `mirrors/${MIRROR_HOST}/`]] as const) {
      const headers: Record<string, string> = host ? { host } : {};
      const page = await request(site.port, '/all/', { headers });
      expect(page.status, host).toBe(200);
      expect(header(page, 'content-type')).toBe('text/html; charset=utf-8');
      expect(page.body.equals(await site.file(`${folder}all/index.html`)), host).toBe(true);
      const bare = await request(site.port, '/all', { headers });
      expect(bare.status, host).toBe(301);
      expect(header(bare, 'location')).toBe('/all/');
      expect(bare.body.length).toBe(0);
    }
    // a folder with no page is a 404 like any other, with or without the slash
    for (const target of ['/articles', '/articles/', '/mirrors', '/mirrors/']) expect((await request(site.port, target)).status, target).toBe(404);
  });
});

describe('serve: conditional requests', () => {
  it('ETag: If-None-Match with it gives 304 without a body; another tag gives 200', async () => {
    const site = await servedSite();
    for (const file of FEEDS) {
      const first = await request(site.port, `/${file}`);
      const etag = header(first, 'etag');
      expect(etag, file).toMatch(/^"[^"]+"$/); // strong
      const again = await request(site.port, `/${file}`, { headers: { 'if-none-match': etag } });
      expect(again.status, file).toBe(304);
      expect(again.body.length).toBe(0);
      expect(header(again, 'etag')).toBe(etag);
      expect((await request(site.port, `/${file}`, { headers: { 'if-none-match': '"something-else"' } })).status).toBe(200);
      expect((await request(site.port, `/${file}`, { headers: { 'if-none-match': `"x", ${etag}` } })).status).toBe(304);
    }
  });

  it('Last-Modified: If-Modified-Since at or after it gives 304, before it 200; If-None-Match wins over it', async () => {
    const site = await servedSite();
    const first = await request(site.port, '/all/rss.xml');
    const lastModified = header(first, 'last-modified');
    expect(Number.isNaN(Date.parse(lastModified))).toBe(false);
    const at = (ms: number) => new Date(Date.parse(lastModified) + ms).toUTCString();
    expect((await request(site.port, '/all/rss.xml', { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await request(site.port, '/all/rss.xml', { headers: { 'if-modified-since': at(3600_000) } })).status).toBe(304);
    const older = await request(site.port, '/all/rss.xml', { headers: { 'if-modified-since': at(-3600_000) } });
    expect(older.status).toBe(200);
    expect(older.body.equals(await site.file('all/rss.xml'))).toBe(true);
    const conflicting = await request(site.port, '/all/rss.xml', { headers: { 'if-modified-since': lastModified, 'if-none-match': '"other"' } });
    expect(conflicting.status).toBe(200);
  });

  it('the ETag is a hash of the bytes: identical files share it, and it changes when the file does', async () => {
    const site = await servedSite();
    const xsl = await site.file('feed.xsl');
    const mirrorXsl = await site.file(`mirrors/${MIRROR_HOST}/feed.xsl`);
    expect(xsl.equals(mirrorXsl)).toBe(true);
    const canonical = header(await request(site.port, '/feed.xsl'), 'etag');
    const onMirror = header(await request(site.port, '/feed.xsl', { headers: { host: MIRROR_HOST } }), 'etag');
    expect(onMirror).toBe(canonical);

    const before = header(await request(site.port, '/all/rss.xml'), 'etag');
    const seed = path.join(site.ws.seedsDir, '001_0123456789abcdef.txt');
    await writeFile(seed, 'Another headline\n\nA paragraph of a second article.\n');
    await scheduleTick(site.ws.databasePath); // the seeds folder is due again (on PostgreSQL: at cron's next tick)
    const rerun = await runCliInProcess(['run', '--config', site.ws.configPath, '--log-format', 'json'], { cwd: site.ws.dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    const after = await request(site.port, '/all/rss.xml', { headers: { 'if-none-match': before } });
    expect(after.status).toBe(200);
    expect(header(after, 'etag')).not.toBe(before);
    expect(after.body.equals(await site.file('all/rss.xml'))).toBe(true);
  });
});

describe('serve: compression', () => {
  it('gzip and br by Accept-Encoding: decoded bodies equal the file; Vary: Accept-Encoding; distinct ETags', async () => {
    const site = await servedSite();
    for (const file of FEEDS) {
      const bytes = await site.file(file);
      const plain = await request(site.port, `/${file}`);
      expect(plain.headers['content-encoding'], file).toBeUndefined();
      for (const [accept, coding] of [['gzip', 'gzip'], ['br', 'br'], ['gzip, deflate, br', 'br'], ['br;q=0, gzip', 'gzip'], ['identity', undefined]] as const) {
        const response = await request(site.port, `/${file}`, { headers: { 'accept-encoding': accept } });
        expect(response.status).toBe(200);
        expect(response.headers['content-encoding'], `${file} with ${accept}`).toBe(coding);
        expect(decodedBody(response).equals(bytes), `${file} with ${accept}`).toBe(true);
        expect(Number(header(response, 'content-length'))).toBe(response.body.length);
        expect(header(response, 'vary').toLowerCase()).toContain('accept-encoding');
        if (coding) {
          expect(header(response, 'etag')).not.toBe(header(plain, 'etag'));
          const revalidated = await request(site.port, `/${file}`, { headers: { 'accept-encoding': accept, 'if-none-match': header(response, 'etag') } });
          expect(revalidated.status).toBe(304);
        }
      }
    }
  });
});

describe('serve: HEAD, caching and CORS headers, methods', () => {
  it('HEAD gives the headers of GET and no body', async () => {
    const site = await servedSite();
    for (const file of [...FEEDS, 'index.html']) {
      const get = await request(site.port, `/${file}`);
      const head = await request(site.port, `/${file}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      for (const name of ['content-type', 'etag', 'last-modified', 'content-length', 'cache-control']) expect(head.headers[name], `${file} ${name}`).toBe(get.headers[name]);
    }
    const missing = await request(site.port, '/nope.xml', { method: 'HEAD' });
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBe(0);
  });

  it('Cache-Control on files; Access-Control-Allow-Origin: * on the feeds', async () => {
    const site = await servedSite();
    for (const file of FEEDS) {
      const response = await request(site.port, `/${file}`);
      expect(header(response, 'cache-control'), file).toMatch(/\bmax-age=[1-9]\d*\b/);
      expect(header(response, 'access-control-allow-origin'), file).toBe('*');
    }
    expect(header(await request(site.port, '/index.html'), 'cache-control')).toMatch(/\bmax-age=\d+\b/);
  });

  it('POST, PUT and DELETE are 405 with Allow: GET, HEAD, and change nothing', async () => {
    const site = await servedSite();
    const before = await site.file('all/rss.xml');
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await request(site.port, '/all/rss.xml', { method });
      expect(response.status, method).toBe(405);
      expect(header(response, 'allow').replace(/\s/g, '')).toBe('GET,HEAD');
    }
    expect((await site.file('all/rss.xml')).equals(before)).toBe(true);
  });

  it('an unknown path gets the 404 page (HTML, not cached)', async () => {
    const site = await servedSite();
    for (const target of ['/nope.xml', '/all/nope/', '/articles/0000000000000000.html']) {
      const response = await request(site.port, target);
      expect(response.status, target).toBe(404);
      expect(header(response, 'content-type')).toBe('text/html; charset=utf-8');
      expect(response.body.toString('utf8')).toMatch(/<title>Not found<\/title>/);
      expect(header(response, 'cache-control')).toMatch(/no-cache|no-store/);
    }
  });
});

describe('serve: path traversal', () => {
  const MARKER = 'SECRET-MARKER-7f3a9c';

  it('every attempt to leave the folder or reach a dot file is a 404 that never carries a file from outside', async () => {
    const site = await servedSite();
    const { ws } = site;
    // Files a traversal would want: beside the output folder, and dot files inside it (a run's temp files).
    await writeFile(path.join(ws.dir, 'secret.txt'), MARKER);
    await writeFile(path.join(ws.feedsDir, '.secret'), MARKER);
    await writeFile(path.join(ws.feedsDir, 'all', '.rss.xml.0a1b2c3d4e5f.feedmirror-tmp'), MARKER);
    await mkdir(path.join(ws.feedsDir, '.git'), { recursive: true });
    await writeFile(path.join(ws.feedsDir, '.git', 'config'), MARKER);
    const absolute = path.join(ws.dir, 'secret.txt');
    const attempts = [
      '/../secret.txt',
      '/../../../../../../etc/passwd',
      '/all/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/all/%2e%2e/%2e%2e/secret.txt',
      '/.%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/all%2f..%2f..%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/all/rss.xml%00',
      '/all/rss.xml%00.html',
      '/%00../secret.txt',
      `/${absolute}`,
      `//${absolute.replace(/^\//, '')}`,
      `/%2f${absolute.replace(/^\//, '')}`,
      `/mirrors/${MIRROR_HOST}/../../../secret.txt`,
      '/.secret',
      '/%2esecret',
      '/all/.rss.xml.0a1b2c3d4e5f.feedmirror-tmp',
      '/.git/config',
      '/.git/',
      '/%c0%ae%c0%ae/secret.txt',
      '/%c0%ae%c0%ae%c0%afsecret.txt',
      '/%e0%80%ae%e0%80%ae/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..%255csecret.txt',
      '/%2e%2e%5csecret.txt',
      '/all/..%5c..%5csecret.txt',
      '/..;/secret.txt',
      '/.%00./secret.txt',
      '/all/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/%2F..%2F..%2Fsecret.txt',
    ];
    for (const target of attempts) {
      for (const headers of [{}, { host: MIRROR_HOST }] as Record<string, string>[]) {
        const response = await request(site.port, target, { headers });
        expect(response.status, `${target} ${JSON.stringify(headers)}`).toBe(404);
        expect(response.body.toString('latin1'), target).not.toContain(MARKER);
        expect(response.body.toString('latin1'), target).not.toMatch(/root:.*:0:0:/);
      }
    }
    // The ordinary file next to them is still served.
    expect((await request(site.port, '/all/rss.xml')).status).toBe(200);
  });
});

describe('serve: symlinks in the output folder', () => {
  const MARKER = 'OUTSIDE-MARKER-4b1d';

  it('a link that leads out of the folder (file, folder, chain, relative, to a dot file) is a 404 identical to any other; no byte of the target is sent', async () => {
    const site = await servedSite();
    const { ws } = site;
    const feeds = ws.feedsDir;
    const outside = ws.file('outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.txt'), MARKER);
    await writeFile(path.join(outside, 'index.html'), `<p>${MARKER}</p>`);
    await writeFile(path.join(feeds, '.hidden'), MARKER);
    const links: [string, string][] = [
      ['hostname', '/etc/hostname'],
      ['passwd.txt', '/etc/passwd'],
      ['etc', '/etc'],
      ['secret.txt', '../outside/secret.txt'],
      ['config.json', ws.configPath],
      ['all/database.db', ws.databasePath],
      ['away', outside],
      ['chain1', 'chain2'],
      ['chain2', '../outside/secret.txt'],
      ['seen.txt', '.hidden'],
      ['loop', 'loop'],
      [`mirrors/${MIRROR_HOST}/leak.txt`, '../../../outside/secret.txt'],
    ];
    for (const [link, target] of links) await symlink(target, path.join(feeds, link));
    execFileSync('mkfifo', [path.join(feeds, 'fifo.xml')]); // a FIFO must neither be served nor hang the request
    const missing = (await request(site.port, '/no-such-file.txt')).body;
    const hostnameFile = await readFile('/etc/hostname', 'utf8').catch(() => '');
    const attempts = ['/hostname', '/passwd.txt', '/etc/hostname', '/etc/passwd', '/secret.txt', '/config.json', '/all/database.db', '/away/secret.txt', '/away/', '/away', '/chain1', '/seen.txt', '/loop', '/fifo.xml'];
    for (const [target, headers] of [...attempts.map((t) => [t, {}] as const), ['/leak.txt', { host: MIRROR_HOST }] as const]) {
      const response = await request(site.port, target, { headers });
      expect(response.status, target).toBe(404);
      expect(response.body.equals(missing), `${target}: the ordinary 404 page`).toBe(true);
      const text = response.body.toString('latin1');
      expect(text, target).not.toContain(MARKER);
      expect(text, target).not.toMatch(/root:.*:0:0:/);
      if (hostnameFile.trim().length >= 8) expect(text, target).not.toContain(hostnameFile.trim());
    }
  });

  it('a link that stays inside the folder is served; so is a folder reached through a symlinked output folder', async () => {
    const site = await servedSite();
    await symlink('all/rss.xml', path.join(site.ws.feedsDir, 'latest.xml'));
    await symlink('all', path.join(site.ws.feedsDir, 'everything'));
    const latest = await request(site.port, '/latest.xml');
    expect(latest.status).toBe(200);
    expect(latest.body.equals(await site.file('all/rss.xml'))).toBe(true);
    expect((await request(site.port, '/everything/atom.xml')).body.equals(await site.file('all/atom.xml'))).toBe(true);

    // outputDir itself a symlink (e.g. /srv/feeds → /data/feeds): its real folder is the boundary
    await symlink('feeds', site.ws.file('feeds-link'));
    const linkedConfig = site.ws.file('linked.config.json');
    await writeConfig(linkedConfig, opsConfig({ outputDir: 'feeds-link' }));
    const { port } = await startServeInProcess(scope, site.ws, ['--config', linkedConfig]);
    const viaLink = await request(port, '/all/rss.xml');
    expect(viaLink.status).toBe(200);
    expect(viaLink.body.equals(await site.file('all/rss.xml'))).toBe(true);
    expect((await request(port, '/latest.xml')).status).toBe(200);
  });
});

describe('serve: site mirrors by Host header', () => {
  it('a site-mirror host gets its own copy (self link on that host); the canonical copy names the onion copy in Onion-Location', async () => {
    const site = await servedSite();
    const mirrorCopy = await site.file(`mirrors/${MIRROR_HOST}/all/rss.xml`);
    for (const host of [MIRROR_HOST, MIRROR_HOST.toUpperCase()]) {
      const response = await request(site.port, '/all/rss.xml', { headers: { host } });
      expect(response.status, host).toBe(200);
      expect(response.body.equals(mirrorCopy), host).toBe(true);
      expect(response.body.toString('utf8')).toMatch(new RegExp(`<atom:link href="https://${MIRROR_HOST.replace(/\./g, '\\.')}/all/rss\\.xml" rel="self"`));
    }

    const canonical = await request(site.port, '/all/rss.xml', { headers: { host: new URL(SITE_URL).host } });
    expect(canonical.body.equals(await site.file('all/rss.xml'))).toBe(true);
    expect(canonical.body.toString('utf8')).toContain(`href="${SITE_URL}all/rss.xml" rel="self"`);
    expect(header(canonical, 'onion-location')).toBe(`http://${ONION_HOST}/all/rss.xml`);
    // An unknown Host (e.g. a direct request to the port) also gets the canonical copy.
    const direct = await request(site.port, '/all/atom.xml');
    expect(direct.body.equals(await site.file('all/atom.xml'))).toBe(true);
    expect(header(direct, 'onion-location')).toBe(`http://${ONION_HOST}/all/atom.xml`);

    const onion = await request(site.port, '/all/rss.xml', { headers: { host: ONION_HOST } });
    expect(onion.body.equals(await site.file(`mirrors/${ONION_HOST}/all/rss.xml`))).toBe(true);
    expect(onion.headers['onion-location']).toBeUndefined();
  });
});
