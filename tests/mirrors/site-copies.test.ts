/**
 * Site mirrors (`site.mirrors`): a full copy of every output under <outputDir>/mirrors/<host>/
 * whose self links and links to site pages use that host, which lists the other copies (the
 * canonical one included) as rel="duplicate", and whose feed and item ids are the canonical ones.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles } from '../helpers/workspace.js';
import { FORMAT_FILES, FORMATS, readFeed, type FeedLinks, type Format } from './helpers/feed-items.js';
import { childNamed, linkHrefs, parseXml } from '../helpers/xml.js';
import { COPY_DIRS, createFullProject, SAMPLE_ID, SAMPLE_SEED, SITE_HOST, SITE_MIRRORS, TARGETS, type FullProject } from './helpers/full-project.js';
import { expectRunOk, ProjectScope, projectConfig, SITE_URL } from './helpers/project.js';
import { ServerScope } from './helpers/servers.js';

const servers = new ServerScope();
const projects = new ProjectScope();
let full: FullProject;

beforeAll(async () => {
  full = await createFullProject(servers, projects);
});

afterAll(async () => {
  await servers.closeAll();
  await projects.cleanupAll();
});

async function feed(dir: string, target: string, format: Format): Promise<FeedLinks> {
  return readFeed(format, await full.project.output(`${dir}${target}${FORMAT_FILES[format]}`));
}

const PAGE = `articles/${SAMPLE_ID}.html`;
const SEED_GUID = `urn:feedmirror:seed:${SAMPLE_ID}`;

describe('site copies', () => {
  it('each site mirror gets the whole output tree under mirrors/<host>/ (":" in the host as "_")', async () => {
    const files = await listFiles(full.project.feedsDir);
    const required = [...TARGETS.flatMap((t) => FORMATS.map((f) => `${t}${FORMAT_FILES[f]}`)), PAGE, 'mirrors.json'];
    const canonical = files.filter((f) => !f.startsWith('mirrors/'));
    expect(canonical).toEqual(expect.arrayContaining(required));
    for (const copy of COPY_DIRS.slice(1)) {
      expect(files.filter((f) => f.startsWith(copy.dir)).map((f) => f.slice(copy.dir.length)), copy.dir).toEqual(canonical);
    }
    expect(files).toHaveLength(canonical.length * COPY_DIRS.length);
  });

  for (const copy of COPY_DIRS) {
    const name = copy.dir === '' ? 'canonical' : copy.dir;
    const others = COPY_DIRS.filter((c) => c !== copy);

    for (const target of TARGETS) {
      for (const format of FORMATS) {
        const file = `${copy.dir}${target}${FORMAT_FILES[format]}`;

        it(`${file}: self and home links on ${new URL(copy.base).host}`, async () => {
          const links = await feed(copy.dir, target, format);
          expect(links.self).toBe(`${copy.base}${target}${FORMAT_FILES[format]}`);
          expect(links.home).toBe(copy.base);
        });

        it(`${file}: lists every other copy (canonical included) as rel="duplicate", not itself`, async () => {
          const links = await feed(copy.dir, target, format);
          expect(links.duplicates.sort()).toEqual(others.map((c) => `${c.base}${target}${FORMAT_FILES[format]}`).sort());
        });

        it(`${file}: feed id and item ids identical to the canonical feed's`, async () => {
          const links = await feed(copy.dir, target, format);
          const canonical = await feed('', target, format);
          expect(links.feedId).toBe(canonical.feedId);
          if (format === 'atom') expect(links.feedId).toBe(`${SITE_URL}${target}atom.xml`);
          expect(links.items.map((i) => i.id)).toEqual(canonical.items.map((i) => i.id));
          expect(links.items.map((i) => i.hash)).toEqual(canonical.items.map((i) => i.hash));
          expect(links.items.map((i) => i.id)).toContain(SEED_GUID);
        });
      }
    }

    for (const format of FORMATS) {
      it(`${name} ${format}: the seed item links to the page on this copy and lists the other copies' pages as duplicates`, async () => {
        const seed = (await feed(copy.dir, 'all/', format)).items.find((i) => i.id === SEED_GUID)!;
        expect(seed.link).toBe(`${copy.base}${PAGE}`);
        expect(seed.duplicates.sort()).toEqual(others.map((c) => `${c.base}${PAGE}`).sort());
      });

      it(`${name} ${format}: remote items keep the publisher's own links`, async () => {
        const items = (await feed(copy.dir, 'all/', format)).items.filter((i) => i.id !== SEED_GUID);
        const canonical = (await feed('', 'all/', format)).items.filter((i) => i.id !== SEED_GUID);
        expect(items.map((i) => i.link)).toEqual(canonical.map((i) => i.link));
      });
    }

    it(`${name}: the article page exists and lists the other copies of itself, not itself`, async () => {
      const file = path.join(full.project.feedsDir, copy.dir, PAGE);
      expect(existsSync(file)).toBe(true);
      const html = await readFile(file, 'utf8');
      const listed = [...html.matchAll(/<li><a href="([^"]+)">/g)].map((m) => m[1]!);
      expect(listed.sort()).toEqual(others.map((c) => `${c.base}${PAGE}`).sort());
      expect(html).toContain(`<link rel="canonical" href="${SITE_URL}${PAGE}">`);
    });

    if (copy.dir !== '') {
      it(`${name}: outside rel="duplicate" links and the Atom feed id, no RSS/Atom file names the canonical site host`, async () => {
        for (const target of TARGETS) {
          for (const format of ['rss', 'atom'] as const) {
            const text = await full.project.output(`${copy.dir}${target}${FORMAT_FILES[format]}`);
            const lines = text.split('\n').filter((line) => line.includes(`//${SITE_HOST}/`));
            for (const line of lines) {
              expect(line.trim(), `${copy.dir}${target}${FORMAT_FILES[format]}`).toMatch(/^<(atom:)?link rel="duplicate" href="[^"]+"( type="[^"]+")?\/>$|^<id>https:\/\/feeds\.example\.org\/[^<]*atom\.xml<\/id>$/);
            }
          }
        }
      });
    }
  }
});

describe('site copies: WebSub', () => {
  it('each copy names the hub next to its own self link, and the hub is told about every copy\'s changed feeds', async () => {
    const pings: URLSearchParams[] = [];
    const hub = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        pings.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    const hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`;
    try {
      const config = projectConfig({
        site: { url: SITE_URL, title: 'websub', mirrors: SITE_MIRRORS, websub: { hub: hubUrl } },
        sources: [{ id: 'seeds', seeds: 'seeds' }],
      });
      const project = await projects.create(config, [SAMPLE_SEED]);
      expectRunOk(await project.run());
      for (const copy of COPY_DIRS) {
        const rss = childNamed(parseXml(await project.output(`${copy.dir}all/rss.xml`)), 'channel');
        expect(linkHrefs(rss, 'atom:link', 'hub'), copy.dir).toEqual([hubUrl]);
        expect(linkHrefs(rss, 'atom:link', 'self'), copy.dir).toEqual([`${copy.base}all/rss.xml`]);
        const atom = parseXml(await project.output(`${copy.dir}all/atom.xml`));
        expect(linkHrefs(atom, 'link', 'hub'), copy.dir).toEqual([hubUrl]);
        expect(linkHrefs(atom, 'link', 'self'), copy.dir).toEqual([`${copy.base}all/atom.xml`]);
        const json = JSON.parse(await project.output(`${copy.dir}all/feed.json`)) as { feed_url: string; hubs?: { type: string; url: string }[] };
        expect(json.hubs, copy.dir).toEqual([{ type: 'WebSub', url: hubUrl }]);
        expect(json.feed_url).toBe(`${copy.base}all/feed.json`);
      }
      const topics = pings.flatMap((p) => p.getAll('hub.url'));
      expect(pings.every((p) => p.get('hub.mode') === 'publish')).toBe(true);
      for (const copy of COPY_DIRS) {
        for (const format of FORMATS) expect(topics, copy.base).toContain(`${copy.base}all/${FORMAT_FILES[format]}`);
      }
    } finally {
      hub.closeAllConnections();
      await new Promise<void>((resolve) => hub.close(() => resolve()));
    }
  });
});
