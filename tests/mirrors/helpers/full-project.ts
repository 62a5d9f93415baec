/**
 * One project with every kind of mirror at once, shared by the output tests (variants, site
 * copies, mirrors.json, validity):
 * - a seed source (the sample seed) on a site with three site mirrors (https, onion, https with a port);
 * - "news": a remote RSS feed on a 127.0.0.1 origin whose publisher has an https mirror and an onion;
 * - "plain": a remote RSS feed on another 127.0.0.1 server with no mirror at all;
 * - a mirror list giving images.example.com an https mirror and an onion;
 * - one output "all" with the variants "cdn" (kind https) and "onion" (kind tor).
 * The mirrors on example.net / .onion are never contacted: the origins answer.
 */
import { writeFile } from 'node:fs/promises';
import type { CliResult } from '../../helpers/workspace.js';
import { v2List } from './lists.js';
import { expectRunOk, ProjectScope, projectConfig, SITE_URL, type Project } from './project.js';
import { ServerScope, type FeedServer } from './servers.js';

export const SAMPLE_SEED = '000_d7ec912073c84491.txt';
export const SAMPLE_ID = 'd7ec912073c84491';

export const SITE_HOST = new URL(SITE_URL).host;
export const SITE_MIRRORS = ['https://feeds-mirror.example.net/', 'http://abcdefghijklmnop.onion/', 'https://mirror-port.example.net:8443/'];
/** Folder of each site copy under the output folder ("" for the canonical one). */
export const COPY_DIRS: { base: string; dir: string }[] = [
  { base: SITE_URL, dir: '' },
  { base: 'https://feeds-mirror.example.net/', dir: 'mirrors/feeds-mirror.example.net/' },
  { base: 'http://abcdefghijklmnop.onion/', dir: 'mirrors/abcdefghijklmnop.onion/' },
  { base: 'https://mirror-port.example.net:8443/', dir: 'mirrors/mirror-port.example.net_8443/' },
];

export const NEWS_CDN = 'https://cdn-mirror.example.net/';
export const NEWS_ONION_HOST = 'newsmirrorabcdefghijklmnopqrstuvwxyz234567abcdefghijklmnop.onion';
export const IMAGES_HOST = 'images.example.com';
export const IMAGES_CDN = 'https://images-cdn.example.net/';
export const IMAGES_ONION = 'https://imagesmirrorabcdefghijklmnopqrstuvwxyz234567abcdefghijk.onion/';

export const VARIANTS = [
  { id: 'cdn', kind: 'https' },
  { id: 'onion', kind: 'tor' },
] as const;
export type VariantKind = (typeof VARIANTS)[number]['kind'];

/** Feed folders inside each copy: the output and its variants. */
export const TARGETS = ['all/', ...VARIANTS.map((v) => `all/${v.id}/`)];

export interface FullProject {
  project: Project;
  news: FeedServer;
  plain: FeedServer;
  first: CliResult;
  /** Where each host's URLs go in a variant of `kind` (base URLs); hosts not listed stay canonical. */
  variantBases(kind: VariantKind): Record<string, string>;
}

export function fullConfig(news: FeedServer, plain: FeedServer): Record<string, unknown> {
  return projectConfig({
    site: { url: SITE_URL, title: 'feedmirror mirror tests', description: 'Mirror test site', language: 'en', mirrors: SITE_MIRRORS },
    mirrorLists: [{ path: 'mirror-list.json' }],
    sources: [
      { id: 'seeds', seeds: 'seeds' },
      { id: 'news', url: news.url('/feeds/news.xml'), mirrors: [NEWS_CDN, NEWS_ONION_HOST] },
      { id: 'plain', url: plain.url('/feeds/plain.xml') },
    ],
    outputs: [{ id: 'all', title: 'Everything', sources: ['*'], limit: 1000, variants: VARIANTS.map((v) => ({ ...v })) }],
  });
}

export const FULL_LIST = v2List([
  {
    main_domain: IMAGES_HOST,
    available_alternatives: [
      { proto: 'tor', type: 'eotk', url: IMAGES_ONION.replace(/\/$/, ''), created_at: '2022-03-09 12:47:07.607398+00:00', updated_at: '2022-05-03 12:42:33.219009+00:00' },
      { proto: 'https', type: 'mirror', url: IMAGES_CDN.replace(/\/$/, ''), created_at: '2026-05-19T18:41:02.660906+00:00', updated_at: '2026-05-19T18:39:04.256320+00:00' },
    ],
  },
]);

/** Starts the servers, writes the project and runs it once through the CLI. */
export async function createFullProject(servers: ServerScope, projects: ProjectScope): Promise<FullProject> {
  const news = await servers.start({ '/feeds/news.xml': 'news.rss.xml' });
  const plain = await servers.start({ '/feeds/plain.xml': 'plain.rss.xml' });
  const project = await projects.create(fullConfig(news, plain), [SAMPLE_SEED]);
  await writeFile(project.ws.file('mirror-list.json'), FULL_LIST);
  const first = expectRunOk(await project.run());
  return {
    project,
    news,
    plain,
    first,
    variantBases: (kind) =>
      kind === 'https'
        ? { [news.host]: NEWS_CDN, [IMAGES_HOST]: IMAGES_CDN, [SITE_HOST]: SITE_MIRRORS[0]! }
        : { [news.host]: `http://${NEWS_ONION_HOST}/`, [IMAGES_HOST]: IMAGES_ONION, [SITE_HOST]: SITE_MIRRORS[1]! },
  };
}

/** `url` with its scheme, host and port taken from `base` (path, query and fragment kept). */
export function onBase(url: string, base: string): string {
  const parsed = new URL(url);
  const target = new URL(base);
  return `${target.protocol}//${target.host}${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** Where a canonical URL should point in a variant, given the host → base map. */
export function expectedInVariant(url: string, bases: Record<string, string>): string {
  const base = bases[new URL(url).host];
  return base ? onBase(url, base) : url;
}
