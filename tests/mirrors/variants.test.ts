/**
 * Mirror variants of an output (`outputs[].variants`): copies of a feed whose article, image and
 * enclosure links point at one kind of mirror, falling back to the canonical URL where there is
 * none, with exactly the canonical feed's item ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITE_URL } from './helpers/project.js';
import { FORMAT_FILES, FORMATS, readFeed, type FeedLinks, type Format, type ItemLinks } from './helpers/feed-items.js';
import { createFullProject, expectedInVariant, IMAGES_HOST, SITE_HOST, VARIANTS, type FullProject } from './helpers/full-project.js';
import { ProjectScope } from './helpers/project.js';
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

async function feed(folder: string, format: Format): Promise<FeedLinks> {
  return readFeed(format, await full.project.output(`${folder}${FORMAT_FILES[format]}`));
}

/** Pairs each canonical item with the variant's item of the same id. */
async function pairs(variantId: string, format: Format): Promise<{ canonical: ItemLinks; variant: ItemLinks }[]> {
  const canonical = await feed('all/', format);
  const variant = await feed(`all/${variantId}/`, format);
  return canonical.items.map((item) => {
    const match = variant.items.find((v) => v.id === item.id);
    if (!match) throw new Error(`variant ${variantId} ${format} has no item ${item.id}`);
    return { canonical: item, variant: match };
  });
}

describe('mirror variants', () => {
  it('are written to <output>/<variant id>/ in every format', async () => {
    for (const variant of VARIANTS) {
      for (const format of FORMATS) await expect(full.project.output(`all/${variant.id}/${FORMAT_FILES[format]}`)).resolves.toBeTruthy();
    }
  });

  for (const variant of VARIANTS) {
    for (const format of FORMATS) {
      const label = `${variant.id} (kind ${variant.kind}) ${format}`;

      it(`${label}: item ids identical to the canonical feed's, in the same order`, async () => {
        const canonical = await feed('all/', format);
        const copy = await feed(`all/${variant.id}/`, format);
        expect(canonical.items).toHaveLength(5);
        expect(copy.items.map((i) => i.id)).toEqual(canonical.items.map((i) => i.id));
      });

      it(`${label}: the self link is the variant's own URL`, async () => {
        expect((await feed(`all/${variant.id}/`, format)).self).toBe(`${SITE_URL}all/${variant.id}/${FORMAT_FILES[format]}`);
      });

      it(`${label}: every item link, enclosure and image is on the ${variant.kind} mirror where the article has one, else canonical`, async () => {
        const bases = full.variantBases(variant.kind);
        let moved = 0;
        let kept = 0;
        for (const { canonical, variant: item } of await pairs(variant.id, format)) {
          const expected = {
            link: canonical.link && expectedInVariant(canonical.link, bases),
            enclosures: canonical.enclosures.map((u) => expectedInVariant(u, bases)),
            image: canonical.image && expectedInVariant(canonical.image, bases),
          };
          expect({ link: item.link, enclosures: item.enclosures, image: item.image }, canonical.id).toEqual(expected);
          for (const url of [canonical.link, ...canonical.enclosures, canonical.image].filter((u): u is string => u !== null)) {
            if (expectedInVariant(url, bases) === url) kept++;
            else moved++;
          }
        }
        // both branches are exercised: the news and seed items move, the plain feed and unmirrored hosts stay
        expect(moved).toBeGreaterThan(0);
        expect(kept).toBeGreaterThan(0);
      });

      it(`${label}: the article's canonical URL is listed among its duplicates, the chosen mirror is not`, async () => {
        for (const { canonical, variant: item } of await pairs(variant.id, format)) {
          if (item.link === canonical.link) continue;
          expect(item.duplicates, canonical.id).toContain(canonical.link);
          expect(item.duplicates, canonical.id).not.toContain(item.link);
        }
      });

      it(`${label}: content URLs on the article's own host (a href, img src, srcset, relative URLs) are re-pointed`, async () => {
        const bases = full.variantBases(variant.kind);
        let checked = 0;
        for (const { canonical, variant: item } of await pairs(variant.id, format)) {
          expect(item.contentUrls, canonical.id).toHaveLength(canonical.contentUrls.length);
          canonical.contentUrls.forEach((url, i) => {
            if (new URL(url).host === IMAGES_HOST) return; // next test
            expect(item.contentUrls[i], `${canonical.id}: ${url}`).toBe(expectedInVariant(url, bases));
            checked++;
          });
        }
        expect(checked).toBeGreaterThanOrEqual(6);
      });

      it(`${label}: content hashes identical to the canonical feed's`, async () => {
        for (const { canonical, variant: item } of await pairs(variant.id, format)) {
          expect(item.hash, canonical.id).toMatch(/^[0-9a-f]{64}$/);
          expect(item.hash, canonical.id).toBe(canonical.hash);
        }
      });
    }

    it(`${variant.id} (kind ${variant.kind}): content images on a mirror-listed host are re-pointed even when the item's media do not use that host`, async () => {
      const bases = full.variantBases(variant.kind);
      for (const format of FORMATS) {
        const listed: [string, string][] = [];
        for (const { canonical, variant: item } of await pairs(variant.id, format)) {
          canonical.contentUrls.forEach((url, i) => {
            if (new URL(url).host === IMAGES_HOST) listed.push([url, item.contentUrls[i]!]);
          });
        }
        // first-wide.jpg is only in item 1's HTML; second.jpg is also item 2's media:content
        expect(listed.map(([url]) => url).sort(), format).toEqual(['https://images.example.com/agency/first-wide.jpg', 'https://images.example.com/agency/second.jpg']);
        for (const [url, actual] of listed) expect(actual, `${format}: ${url}`).toBe(expectedInVariant(url, bases));
      }
    });
  }

  it('Atom: a variant is its own feed (its own id), the same on every site copy', async () => {
    const canonical = await feed('all/', 'atom');
    for (const variant of VARIANTS) {
      const copy = await feed(`all/${variant.id}/`, 'atom');
      expect(copy.feedId).toBe(`${SITE_URL}all/${variant.id}/atom.xml`);
      expect(copy.feedId).not.toBe(canonical.feedId);
      const onMirror = readFeed('atom', await full.project.output(`mirrors/feeds-mirror.example.net/all/${variant.id}/atom.xml`));
      expect(onMirror.feedId).toBe(copy.feedId);
      expect(onMirror.items.map((i) => i.id)).toEqual(copy.items.map((i) => i.id));
    }
  });

  it('the canonical feed itself keeps every URL canonical', async () => {
    const rss = await feed('all/', 'rss');
    for (const item of rss.items) {
      for (const url of [item.link, ...item.enclosures, ...item.contentUrls].filter((u): u is string => u !== null)) {
        expect(new URL(url).host, url).toMatch(new RegExp(`^(${[full.news.host, full.plain.host, SITE_HOST, IMAGES_HOST, 'static.unmirrored.example'].map((h) => h.replace(/\./g, '\\.')).join('|')})$`));
      }
    }
  });
});
