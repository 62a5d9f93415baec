/**
 * Synthetic articles for the scale and publishing benchmarks: built with the test suite's
 * makeArticle (so the content hash is computed as the normalizer would), sized like real
 * normalized feed items (about 1.5 KB of sanitized HTML, a summary, mirrors, an author, categories,
 * an image and sometimes an enclosure).
 */
import type { Article } from '../../src/model/article.js';
import { identifyItem } from '../../src/normalize/item-ids.js';
import { makeArticle } from '../../tests/helpers/builders.js';

const WORDS = 'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their'.split(' ');

function sentence(seed: number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[(seed * 7 + i * 13 + ((seed >> 3) % 11) * i) % WORDS.length]!);
  const text = out.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

export interface SyntheticOptions {
  sourceId: string;
  /** Host of the article links, e.g. "synthetic.example". */
  host: string;
  /** ISO date of the article. */
  published: string;
}

/** Article number `n` of a source: unique id, guid and URL; realistic size and shape. */
export function syntheticArticle(n: number, options: SyntheticOptions): Article {
  const url = `https://${options.host}/${options.published.slice(0, 4)}/${options.published.slice(5, 7)}/story-${n}.html`;
  const title = `${sentence(n, 8).slice(0, -1)} (${n})`;
  const { id, guid, itemKey } = identifyItem({ sourceId: options.sourceId, guid: url, link: url, linkIsShared: false, title, date: options.published });
  const paragraphs = Array.from({ length: 5 }, (_, p) => `<p>${sentence(n + p, 30 + (n % 7) * 3)} <a href="https://${options.host}/topics/${(n + p) % 50}">${sentence(p, 3).slice(0, -1)}</a> ${sentence(n * 3 + p, 20)}</p>`);
  const image = `https://cdn.${options.host}/img/${n % 1000}/${n}.jpg`;
  const contentHtml = [paragraphs[0], `<figure><img src="${image}" alt="${sentence(n, 5).slice(0, -1)}" /><figcaption>${sentence(n + 9, 10)}</figcaption></figure>`, ...paragraphs.slice(1)].join('\n');
  const mirrorBases = [
    { base: `https://mirror1.${options.host}/`, kind: 'https', origin: 'config' as const },
    { base: `http://${options.host.replace(/\W/g, '').slice(0, 16).padEnd(16, 'x')}abcdefghijklmnopqrstuvwxyz234567ab.onion/`, kind: 'tor', origin: 'mirror-list' as const },
  ];
  const path = new URL(url).pathname.slice(1);
  return makeArticle({
    id,
    guid,
    itemKey,
    sourceId: options.sourceId,
    kind: 'feed',
    title,
    url,
    mirrors: mirrorBases.map((b) => ({ url: `${b.base}${path}`, kind: b.kind, origin: b.origin })),
    hostMirrors: [{ host: options.host, bases: mirrorBases }],
    published: options.published,
    dateSource: 'feed',
    updated: null,
    authors: [{ name: `Author ${n % 97}`, email: null, url: null }],
    summary: `${sentence(n, 40)} ${sentence(n + 1, 25)}`,
    contentHtml,
    images: [{ url: image, caption: sentence(n + 9, 10), credit: null }],
    enclosures: n % 5 === 0 ? [{ url: `https://media.${options.host}/audio/${n}.mp3`, type: 'audio/mpeg', length: 1_000_000 + n }] : [],
    categories: [`topic-${n % 50}`, `section-${n % 7}`],
    language: 'en',
    publisher: { name: options.host, hosts: [options.host, `mirror1.${options.host}`] },
  });
}
