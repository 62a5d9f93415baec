/**
 * mirrors.json: every known host → its alternates with freshness, and this site's own copies,
 * written in the output folder (and in each site copy); byte-identical when the input is unchanged.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmllint } from '../helpers/validators.js';
import { listFiles } from '../helpers/workspace.js';
import { childNamed, childrenNamed, parseXml } from '../helpers/xml.js';
import { REAL_LIST, realListSites } from './helpers/lists.js';
import { COPY_DIRS, createFullProject, IMAGES_CDN, IMAGES_HOST, IMAGES_ONION, NEWS_CDN, NEWS_ONION_HOST, SAMPLE_SEED, type FullProject } from './helpers/full-project.js';
import { expectRunOk, ProjectScope, projectConfig, SITE_URL } from './helpers/project.js';
import { ServerScope } from './helpers/servers.js';

interface MirrorMap {
  version: number;
  generator: string;
  updated: string | null;
  site: { url: string; kind: string; canonical: boolean }[];
  hosts: Record<string, { url: string; kind: string; type: string | null; updatedAt: string | null; origin: string }[]>;
  publishers: { name: string; hosts: string[] }[];
}

const servers = new ServerScope();
const projects = new ProjectScope();
let full: FullProject;
let firstBytes: Record<string, string>;
let secondSummary: Record<string, unknown> | undefined;
let secondBytes: Record<string, string>;

async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await listFiles(root)) out[file] = await readFile(path.join(root, file), 'utf8');
  return out;
}

beforeAll(async () => {
  full = await createFullProject(servers, projects);
  firstBytes = await readTree(full.project.feedsDir);
  const second = expectRunOk(await full.project.run());
  secondSummary = second.logs.find((l) => l.event === 'run');
  secondBytes = await readTree(full.project.feedsDir);
});

afterAll(async () => {
  await servers.closeAll();
  await projects.cleanupAll();
});

const map = (): MirrorMap => JSON.parse(firstBytes['mirrors.json']!) as MirrorMap;

describe('mirrors.json', () => {
  it('exists in the output folder and, identical, in every site copy', () => {
    expect(firstBytes['mirrors.json']).toBeDefined();
    for (const copy of COPY_DIRS.slice(1)) expect(firstBytes[`${copy.dir}mirrors.json`], copy.dir).toBe(firstBytes['mirrors.json']);
  });

  it('lists the site copies, canonical first, with their kinds', () => {
    expect(map().site).toEqual([
      { url: SITE_URL, kind: 'https', canonical: true },
      { url: 'https://feeds-mirror.example.net/', kind: 'https', canonical: false },
      { url: 'http://abcdefghijklmnop.onion/', kind: 'tor', canonical: false },
      { url: 'https://mirror-port.example.net:8443/', kind: 'https', canonical: false },
    ]);
  });

  it('maps each host to its alternates: the source config\'s mirrors and the mirror list\'s, with kind, type and freshness', () => {
    expect(map().hosts).toEqual({
      [full.news.host]: [
        { url: NEWS_CDN, kind: 'https', type: null, updatedAt: null, origin: 'config' },
        { url: `http://${NEWS_ONION_HOST}/`, kind: 'tor', type: null, updatedAt: null, origin: 'config' },
      ],
      // freshest first: the https mirror was updated in 2026, the onion in 2022
      [IMAGES_HOST]: [
        { url: IMAGES_CDN, kind: 'https', type: 'mirror', updatedAt: '2026-05-19T18:39:04.256Z', origin: 'mirror-list' },
        { url: IMAGES_ONION, kind: 'tor', type: 'eotk', updatedAt: '2022-05-03T12:42:33.219Z', origin: 'mirror-list' },
      ],
    });
  });

  it('is dated by the freshest alternate, never by the clock', () => {
    expect(map().updated).toBe('2026-05-19T18:39:04.256Z');
  });

  it('lists the publishers named in seed footers with their hosts', () => {
    expect(map().publishers).toEqual([{ name: 'Press TV', hosts: ['www.presstv.co.uk'] }]);
  });

  it('is byte-identical on a second run with unchanged input, like every feed, variant and copy', () => {
    expect(secondBytes['mirrors.json']).toBe(firstBytes['mirrors.json']);
    expect(Object.keys(secondBytes).sort()).toEqual(Object.keys(firstBytes).sort());
    for (const file of Object.keys(firstBytes)) expect(secondBytes[file], file).toBe(firstBytes[file]);
    expect(secondSummary).toMatchObject({ filesWritten: 0, inserted: 0, updated: 0 });
  });

  it('sources.opml carries each remote source\'s alternates as feedmirror:mirrors, and passes xmllint', async () => {
    const opml = parseXml(firstBytes['sources.opml']!);
    const outlines = childrenNamed(childNamed(opml, 'body'), 'outline');
    const mirrorsOf = (id: string) => outlines.find((o) => o.attributes['feedmirror:id'] === id)?.attributes['feedmirror:mirrors'];
    expect(outlines.map((o) => o.attributes.xmlUrl)).toEqual([full.news.url('/feeds/news.xml'), full.plain.url('/feeds/plain.xml')]);
    expect(mirrorsOf('news')).toBe(`${NEWS_CDN} http://${NEWS_ONION_HOST}/`);
    expect(mirrorsOf('plain')).toBeUndefined();
    const lint = await xmllint(path.join(full.project.feedsDir, 'sources.opml'));
    expect(lint.stderr).toBe('');
    expect(lint.ok).toBe(true);
  });

  it('with the real list: every site that has alternates is a host, all 254 alternates, dated in ISO 8601 UTC', async () => {
    const project = await projects.create(projectConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }], mirrorLists: [{ path: REAL_LIST }] }), [SAMPLE_SEED]);
    expectRunOk(await project.run());
    const real = JSON.parse(await project.output('mirrors.json')) as MirrorMap;
    const withAlternates = realListSites().filter((s) => s.available_alternatives.length > 0);
    // hosts are lower-cased: the list spells one "OpenTechFund.github.io"
    expect(Object.keys(real.hosts).sort()).toEqual(withAlternates.map((s) => s.main_domain.toLowerCase()).sort());
    const alternates = Object.values(real.hosts).flat();
    expect(alternates).toHaveLength(254);
    for (const alt of alternates) expect(alt.updatedAt, alt.url).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    for (const [host, list] of Object.entries(real.hosts)) {
      const dates = list.map((a) => a.updatedAt!);
      expect(dates, host).toEqual([...dates].sort().reverse());
    }
    expect(real.hosts['voanews.com']!.map((a) => a.url)).toEqual(['https://d2c72hkaqrcfxm.cloudfront.net/', 'https://www.voanews5aitmne6gs2btokcacixclgfl43cv27sirgbauyyjylwpdtqd.onion/']);
    const again = expectRunOk(await project.run());
    expect(again.logs.find((l) => l.event === 'run')).toMatchObject({ filesWritten: 0 });
  });
});
