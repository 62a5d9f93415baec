/**
 * The nginx config the README documents (examples/nginx.conf, quoted there verbatim), run in
 * Debian's nginx on 127.0.0.1 over a site feedmirror published: content types (index.html as
 * text/html, the feeds as application/xml and application/feed+json, feed.xsl as text/xsl), gzip,
 * 304s, the security headers and Onion-Location on every location, the site copy chosen by Host,
 * dot files refused; and, file by file, the same headers as `feedmirror serve` sends.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkspace, REPO_ROOT, runCli, SAMPLE_ID, SAMPLE_SEED, type Workspace } from '../helpers/workspace.js';
import { decodedBody, header, request, type HttpResponse } from './helpers/http-client.js';
import { nginxBinary, NGINX_EXAMPLE, startNginx, type RunningNginx } from './helpers/nginx.js';
import { startCli, waitForExit, waitForLogs, type CliChild } from './helpers/ops-scope.js';

/** The hosts the example names: the site, its CDN copy and its onion copy. */
const HOSTS = { main: 'feeds.example.org', cdn: 'feeds-example.global.ssl.fastly.net', onion: 'feedsexampleabcdefgh.onion' } as const;
type Copy = keyof typeof HOSTS;
const COPY_DIRS: Record<Copy, string> = { main: '', cdn: `mirrors/${HOSTS.cdn}/`, onion: `mirrors/${HOSTS.onion}/` };

/** URL path → the file it serves and its type. */
const FILES: { url: string; file: string; type: string }[] = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/index.html', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/all/', file: 'all/index.html', type: 'text/html; charset=utf-8' },
  { url: '/all/rss.xml', file: 'all/rss.xml', type: 'application/xml; charset=utf-8' },
  { url: '/all/atom.xml', file: 'all/atom.xml', type: 'application/xml; charset=utf-8' },
  { url: '/all/feed.json', file: 'all/feed.json', type: 'application/feed+json; charset=utf-8' },
  { url: '/all/archive/1/rss.xml', file: 'all/archive/1/rss.xml', type: 'application/xml; charset=utf-8' },
  { url: '/all/archive/1/', file: 'all/archive/1/index.html', type: 'text/html; charset=utf-8' },
  { url: '/feed.xsl', file: 'feed.xsl', type: 'text/xsl; charset=utf-8' },
  { url: '/feed.css', file: 'feed.css', type: 'text/css; charset=utf-8' },
  { url: '/sources.opml', file: 'sources.opml', type: 'text/x-opml; charset=utf-8' },
  { url: '/mirrors.json', file: 'mirrors.json', type: 'application/json; charset=utf-8' },
  { url: `/articles/${SAMPLE_ID}.html`, file: `articles/${SAMPLE_ID}.html`, type: 'text/html; charset=utf-8' },
];
/** Responses that are not a file: a redirect, missing files, a dot file, a run's temp file. */
const OTHERS = ['/all', '/nope.xml', '/.hidden', '/all/.rss.xml.1a2b.feedmirror-tmp'];
const COMPRESSED = ['/', '/all/', '/all/rss.xml', '/all/atom.xml', '/all/feed.json', '/feed.xsl', '/sources.opml'];
const SECRET = 'DOT-FILE-SECRET-91c2';

interface Site {
  ws: Workspace;
  nginx: RunningNginx;
  /** `feedmirror serve` on the same folder, for the comparison. */
  servePort: number;
  serve: CliChild;
}

let started: Promise<Site> | undefined;
afterAll(async () => {
  const site = await started?.catch(() => undefined);
  if (!site) return;
  await site.nginx.stop();
  site.serve.signal('SIGTERM');
  await waitForExit(site.serve);
  await site.ws.cleanup();
});

/** Published once (two seeds, limit 1: one archive page) and served by nginx and by feedmirror serve. */
async function servedSite(): Promise<Site> {
  await nginxBinary(); // skips (or fails in CI) each test when nginx is missing
  started ??= (async () => {
    const ws = await createWorkspace({
      seeds: [SAMPLE_SEED, 'no-footer.txt'],
      config: {
        site: { url: `https://${HOSTS.main}/`, title: 'nginx test', mirrors: [`https://${HOSTS.cdn}/`, `http://${HOSTS.onion}/`] },
        sources: [{ id: 'seeds', title: 'Seed articles', seeds: 'seeds' }],
        outputs: [{ id: 'all', title: 'Everything', sources: ['*'], limit: 1 }],
      },
    });
    const run = await runCli(['run', '--log-format', 'json'], { cwd: ws.dir });
    if (run.code !== 0) throw new Error(`feedmirror run failed: ${run.stderr}`);
    await writeFile(path.join(ws.feedsDir, '.hidden'), SECRET);
    await writeFile(path.join(ws.feedsDir, 'all', '.rss.xml.1a2b.feedmirror-tmp'), SECRET);
    // nginx's workers run as nobody when started by root: the temp folder must be readable, as /srv would be
    await chmod(ws.dir, 0o755);
    const nginx = await startNginx(ws.feedsDir);
    const serve = startCli(['serve', '--config', ws.configPath, '--port', '0', '--log-format', 'json'], { cwd: ws.dir });
    const [listening] = await waitForLogs(serve, (r) => r.event === 'listening', 'serve listening');
    return { ws, nginx, serve, servePort: Number(listening!.port) };
  })();
  return started;
}

const get = (port: number, url: string, copy: Copy = 'main', headers: Record<string, string> = {}) => request(port, url, { headers: { host: HOSTS[copy], ...headers } });
const fileOf = (site: Site, copy: Copy, file: string) => readFile(path.join(site.ws.feedsDir, COPY_DIRS[copy], file));

describe('examples/nginx.conf in Debian\'s nginx', () => {
  it('is what the README shows, verbatim', async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`nginx\n${await readFile(NGINX_EXAMPLE, 'utf8')}\`\`\``);
  });

  it('content types: index.html and the pages text/html, the feeds application/xml and application/feed+json, feed.xsl text/xsl; the bytes of each copy\'s file', async () => {
    const site = await servedSite();
    for (const copy of Object.keys(HOSTS) as Copy[]) {
      for (const { url, file, type } of FILES) {
        const response = await get(site.nginx.port, url, copy);
        expect(response.status, `${copy} ${url}`).toBe(200);
        expect(header(response, 'content-type'), `${copy} ${url}`).toBe(type);
        expect(response.body.equals(await fileOf(site, copy, file)), `${copy} ${url}`).toBe(true);
      }
    }
    // each host gets its own copy: the self link names it
    for (const copy of Object.keys(HOSTS) as Copy[]) {
      expect((await get(site.nginx.port, '/all/rss.xml', copy)).body.toString('utf8'), copy).toMatch(new RegExp(`<atom:link href="https?://${HOSTS[copy]}/all/rss\\.xml" rel="self"`));
    }
  });

  it('gzip for the feeds (rss.xml and atom.xml too), the pages and feed.xsl, with Vary: Accept-Encoding', async () => {
    const site = await servedSite();
    for (const url of COMPRESSED) {
      const response = await get(site.nginx.port, url, 'main', { 'accept-encoding': 'gzip' });
      expect(response.headers['content-encoding'], url).toBe('gzip');
      expect(header(response, 'vary'), url).toBe('Accept-Encoding');
      const file = FILES.find((f) => f.url === url)!.file;
      expect(decodedBody(response).equals(await fileOf(site, 'main', file)), url).toBe(true);
    }
  });

  it('304 for If-None-Match (plain and gzip ETags) and If-Modified-Since; 200 for an older date', async () => {
    const site = await servedSite();
    for (const url of ['/all/rss.xml', '/all/atom.xml', '/all/feed.json', '/all/']) {
      for (const encoding of ['identity', 'gzip']) {
        const first = await get(site.nginx.port, url, 'main', { 'accept-encoding': encoding });
        const again = await get(site.nginx.port, url, 'main', { 'accept-encoding': encoding, 'if-none-match': header(first, 'etag') });
        expect(again.status, `${url} ${encoding}`).toBe(304);
        expect(again.body.length).toBe(0);
      }
      const lastModified = header(await get(site.nginx.port, url), 'last-modified');
      expect((await get(site.nginx.port, url, 'main', { 'if-modified-since': lastModified })).status, url).toBe(304);
      const older = new Date(Date.parse(lastModified) - 3_600_000).toUTCString();
      expect((await get(site.nginx.port, url, 'main', { 'if-modified-since': older })).status, url).toBe(200);
    }
  });

  it('the security headers and Onion-Location on every response, whatever its location; never Onion-Location on the onion copy', async () => {
    const site = await servedSite();
    for (const copy of Object.keys(HOSTS) as Copy[]) {
      for (const url of [...FILES.map((f) => f.url), ...OTHERS]) {
        const response = await get(site.nginx.port, url, copy);
        const what = `${copy} ${url} (${response.status})`;
        expect(header(response, 'x-content-type-options'), what).toBe('nosniff');
        expect(header(response, 'x-frame-options'), what).toBe('DENY');
        expect(header(response, 'referrer-policy'), what).toBe('no-referrer');
        expect(header(response, 'content-security-policy'), what).toMatch(/^default-src 'none';.* frame-ancestors 'none'$/);
        if (copy === 'onion') expect(response.headers['onion-location'], what).toBeUndefined();
        else expect(header(response, 'onion-location'), what).toBe(`http://${HOSTS.onion}${url}`);
      }
    }
  });

  it('archive pages are cached as immutable, the rest for 5 minutes; CORS on the feeds and OPML only', async () => {
    const site = await servedSite();
    expect(header(await get(site.nginx.port, '/all/archive/1/atom.xml'), 'cache-control')).toBe('public, max-age=86400, immutable');
    expect(header(await get(site.nginx.port, '/all/rss.xml'), 'cache-control')).toBe('public, max-age=300');
    for (const url of ['/all/rss.xml', '/all/atom.xml', '/all/feed.json', '/all/archive/1/feed.json', '/sources.opml']) expect(header(await get(site.nginx.port, url), 'access-control-allow-origin'), url).toBe('*');
    for (const url of ['/', '/all/', '/feed.xsl', '/mirrors.json']) expect((await get(site.nginx.port, url)).headers['access-control-allow-origin'], url).toBeUndefined();
  });

  it('a folder without its slash redirects to it (relative Location); dot files and a run\'s temp files are 404s that never carry their bytes', async () => {
    const site = await servedSite();
    const folder = await get(site.nginx.port, '/all');
    expect(folder.status).toBe(301);
    expect(header(folder, 'location')).toBe('/all/');
    for (const url of ['/.hidden', '/all/.rss.xml.1a2b.feedmirror-tmp', '/all/%2Ehidden', '/all/../.hidden']) {
      const response = await get(site.nginx.port, url);
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(response.body.toString('latin1'), url).not.toContain(SECRET);
    }
  });

  it('sends what feedmirror serve sends, file by file and host by host: type, policy, caching, CORS, Onion-Location', async () => {
    const site = await servedSite();
    const compared = ['content-type', 'content-security-policy', 'cache-control', 'access-control-allow-origin', 'onion-location', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'vary'];
    const pick = (response: HttpResponse) => Object.fromEntries(compared.map((name) => [name, response.headers[name]]));
    for (const copy of Object.keys(HOSTS) as Copy[]) {
      for (const { url } of FILES) {
        const [viaNginx, viaServe] = [await get(site.nginx.port, url, copy), await get(site.servePort, url, copy)];
        expect(pick(viaNginx), `${copy} ${url}`).toEqual(pick(viaServe));
      }
    }
  });
});
