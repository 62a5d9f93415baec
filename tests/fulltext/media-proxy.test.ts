/**
 * `media: "proxy"`: published media on the publisher's host become `<site.url>media/<hash>`, and
 * `feedmirror serve` (run in this process) answers `/media/<hash>` with the bytes it fetches from
 * the publisher on first request and from its disk cache afterwards. A hash no published item
 * referenced is refused without any fetch (no open proxy); only image, audio and video types pass;
 * the cache keeps to its budget, least recently served first.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mediaHash } from '../../src/lib/media-hash.js';
import { MediaCache } from '../../src/serve/media-cache.js';
import { closedOrigin } from '../helpers/closed-port.js';
import type { Workspace } from '../helpers/workspace.js';
import { reply } from '../remote/helpers/fixture-server.js';
import { SITE_URL } from '../remote/helpers/harness.js';
import { opsScope, startServeInProcess } from '../operations/helpers/ops-scope.js';
import { request } from '../operations/helpers/http-client.js';
import { FEED_PATH, IMAGE_BYTES, servePublisher } from './helpers/publisher.js';
import { createHarness } from '../remote/helpers/harness.js';

const scope = opsScope();

async function proxiedSite() {
  const origin = await scope.server();
  servePublisher(origin);
  const h = await createHarness({ sources: [{ id: 'news', url: origin.url(FEED_PATH), fullText: true, media: 'proxy' }] });
  scope.defer(() => h.cleanup());
  await h.run();
  const { port } = await startServeInProcess(scope, { dir: h.dir, configPath: h.configPath } as Workspace);
  const mediaRequests = () => origin.requests.filter((r) => r.path.startsWith('/img/') || r.path.startsWith('/audio/') || r.path.startsWith('/media/')).map((r) => r.path);
  return { origin, h, port, mediaRequests };
}

describe('media: "proxy"', () => {
  it('published media point at <site.url>media/<hash>; links and other hosts\' media do not', async () => {
    const { origin, h } = await proxiedSite();
    const rss = await h.output('all/rss.xml');
    for (const p of ['/img/harbour.jpg', '/img/harbour-480.jpg', '/img/tour-poster.jpg', '/media/tour.mp4', '/audio/library-debate.mp3']) {
      expect(rss, p).toContain(`${SITE_URL}media/${mediaHash(`${origin.origin}${p}`)}`);
      expect(rss, p).not.toContain(`${origin.origin}${p}`);
    }
    expect(rss).toContain(`${origin.origin}/news/harbour.html`);
    expect(rss).toContain('https://agency.example.net/photo/library-site.jpg');
    expect(rss).toContain(`<enclosure url="${SITE_URL}media/${mediaHash(`${origin.origin}/audio/library-debate.mp3`)}"`);
  });

  it('serve fetches a referenced file once, passes its type through, and serves it from the cache afterwards', async () => {
    const { origin, port, mediaRequests, h } = await proxiedSite();
    const hash = mediaHash(`${origin.origin}/img/harbour.jpg`);
    const first = await request(port, `/media/${hash}`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('image/jpeg');
    expect(first.body.equals(IMAGE_BYTES)).toBe(true);
    expect(first.headers['content-security-policy']).toContain('sandbox');
    const again = await request(port, `/media/${hash}`);
    expect(again.status).toBe(200);
    expect(again.body.equals(IMAGE_BYTES)).toBe(true);
    expect(mediaRequests()).toEqual(['/img/harbour.jpg']);
    expect(await readdir(path.join(h.dir, 'data', 'media'))).toContain(hash);
    const audio = await request(port, `/media/${mediaHash(`${origin.origin}/audio/library-debate.mp3`)}`, { method: 'HEAD' });
    expect(audio.status).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/mpeg');
  });

  it('is no open proxy: a hash no published item referenced gets 404 and nothing is fetched', async () => {
    const { origin, port, mediaRequests } = await proxiedSite();
    for (const url of [`${origin.origin}/img/not-published.jpg`, `${origin.origin}/news/harbour.html`, 'http://169.254.169.254/latest/meta-data/']) {
      expect((await request(port, `/media/${mediaHash(url)}`)).status, url).toBe(404);
    }
    for (const bad of ['/media/../rss.xml', '/media/ABC', `/media/${'a'.repeat(33)}`, '/media/']) expect((await request(port, bad)).status, bad).toBe(404);
    expect(mediaRequests()).toEqual([]);
    expect(origin.requests.filter((r) => r.path === '/img/not-published.jpg')).toEqual([]);
  });

  it('only image, audio and video types pass: HTML or SVG behind a media URL gets 404', async () => {
    const { origin, port } = await proxiedSite();
    origin.on('/img/harbour-480.jpg', reply({ headers: { 'content-type': 'text/html' }, body: '<script>alert(1)</script>' }));
    origin.on('/img/harbour-960.jpg', reply({ headers: { 'content-type': 'image/svg+xml' }, body: '<svg onload="alert(1)"/>' }));
    expect((await request(port, `/media/${mediaHash(`${origin.origin}/img/harbour-480.jpg`)}`)).status).toBe(404);
    expect((await request(port, `/media/${mediaHash(`${origin.origin}/img/harbour-960.jpg`)}`)).status).toBe(404);
  });
});

describe('media: "proxy" with the origin down', () => {
  it('serve fetches the file from the publisher\'s mirror, under the hash of its canonical URL', async () => {
    const deadOrigin = await closedOrigin();
    const mirror = await scope.server();
    servePublisher(mirror);
    const h = await createHarness({ sources: [{ id: 'news', url: `${deadOrigin}${FEED_PATH}`, mirrors: [`${mirror.origin}/`], fullText: true, media: 'proxy' }] });
    scope.defer(() => h.cleanup());
    await h.run();
    const hash = mediaHash(`${deadOrigin}/img/library.png`);
    expect(await h.output('all/rss.xml')).toContain(`${SITE_URL}media/${hash}`);
    const { port } = await startServeInProcess(scope, { dir: h.dir, configPath: h.configPath } as Workspace);
    const response = await request(port, `/media/${hash}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.body.equals(IMAGE_BYTES)).toBe(true);
    expect(mirror.requests.filter((r) => r.path === '/img/library.png')).toHaveLength(1);
  });
});

describe('MediaCache: the size budget', () => {
  it('removes the least recently served files first and keeps to the budget, across a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-media-'));
    scope.defer(() => rm(dir, { recursive: true, force: true }));
    const hashes = ['a', 'b', 'c', 'd'].map((c) => c.repeat(32));
    const cache = new MediaCache(dir, 25);
    await cache.put(hashes[0]!, { bytes: Buffer.alloc(10, 1), contentType: 'image/png' });
    await cache.put(hashes[1]!, { bytes: Buffer.alloc(10, 2), contentType: 'image/png' });
    expect(await cache.get(hashes[0]!)).not.toBeNull(); // a is now the most recently served
    await cache.put(hashes[2]!, { bytes: Buffer.alloc(10, 3), contentType: 'image/png' });
    expect(await cache.get(hashes[1]!)).toBeNull();
    expect(await cache.size()).toBe(20);
    expect((await cache.get(hashes[0]!))?.bytes.equals(Buffer.alloc(10, 1))).toBe(true);
    // a file bigger than the whole budget is not kept
    await cache.put(hashes[3]!, { bytes: Buffer.alloc(30), contentType: 'image/png' });
    expect(await cache.get(hashes[3]!)).toBeNull();
    const reopened = new MediaCache(dir, 25);
    expect(await reopened.size()).toBe(20);
    expect((await readdir(dir)).filter((n) => !n.endsWith('.type')).sort()).toEqual([hashes[0], hashes[2]].sort());
  });
});
