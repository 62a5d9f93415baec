import type { Article, ArticleImage } from '../model/article.js';
import type { ParsedSeed } from '../model/seed.js';
import { hashArticleContent } from './content-hash.js';
import { articleMirrors } from './mirror-urls.js';
import { mirrorBase } from '../lib/mirror-hosts.js';
import { seedPagePath } from '../lib/site-paths.js';
import { escapeHtmlText, slugify, truncateText } from '../lib/text.js';

export interface SeedContext {
  sourceId: string;
  /** Where the output folder is published; seed pages live under it. */
  siteUrl: string;
  siteMirrors: string[];
  /** Extra publisher hosts from the source's config. */
  sourceMirrors: string[];
  /** Article ids that articles of other sources already have (a seed of the same name in another folder). */
  takenIds: ReadonlySet<string>;
}

const SUMMARY_CHARS = 280;

/** Seed file "000_d7ec912073c84491.txt" has id "d7ec912073c84491"; other names are slugged. */
export function seedArticleId(stem: string): string {
  const hex = /^\d+_([0-9a-f]{6,})$/i.exec(stem)?.[1];
  return hex ? hex.toLowerCase() : slugify(stem) || 'seed';
}

/**
 * A seed's id is its name's, unless an article of another source has it already: it is then
 * qualified with its source ("b.news"), so each folder keeps its own article and page.
 */
export function seedId(itemKey: string, context: Pick<SeedContext, 'sourceId' | 'takenIds'>): string {
  return context.takenIds.has(itemKey) ? `${context.sourceId}.${itemKey}` : itemKey;
}

export function normalizeSeed(seed: ParsedSeed, context: SeedContext): Article {
  const itemKey = seedArticleId(seed.stem);
  const id = seedId(itemKey, context);
  const url = new URL(seedPagePath(id), context.siteUrl).href;
  const images: ArticleImage[] = seed.captions.map((c) => ({ url: null, caption: c.text, credit: c.credit || null }));
  const body = {
    title: seed.headline,
    summary: seed.paragraphs[0] ? truncateText(seed.paragraphs[0], SUMMARY_CHARS) : null,
    contentHtml: renderSeedHtml(seed),
    images,
    enclosures: [],
  };
  return {
    id,
    // Independent of the site URL, so moving the site never changes what readers key on.
    guid: `urn:feedmirror:seed:${id}`,
    sourceId: context.sourceId,
    itemKey,
    kind: 'seed',
    url,
    // A seed's page lives on our site, so its mirrors are the site's mirrors.
    ...articleMirrors(url, [], { publisher: context.siteMirrors.map((spec) => ({ spec, origin: 'site' as const })), directory: null }),
    published: seed.date.iso,
    dateSource: seed.date.from,
    updated: null,
    authors: [],
    categories: [],
    language: null,
    publisher: publisherOf(seed, context),
    contentHash: hashArticleContent(body),
    ...body,
  };
}

function publisherOf(seed: ParsedSeed, context: SeedContext): Article['publisher'] {
  const configured = context.sourceMirrors.map((spec) => mirrorBase(spec)?.host).filter((h): h is string => !!h);
  if (!seed.publisher && configured.length === 0) return null;
  const hosts = [...new Set([...(seed.publisher?.hosts ?? []), ...configured])];
  return { name: seed.publisher?.name ?? context.sourceId, hosts };
}

/** Paragraphs in order, each caption as a figure where it stood in the text, its credit in the publisher's words. */
function renderSeedHtml(seed: ParsedSeed): string {
  const parts: string[] = [];
  const figuresAt = (position: number) =>
    seed.captions
      .filter((c) => c.position === position)
      .map((c) => `<figure><figcaption>${escapeHtmlText(c.text)}${c.creditText ? ` <small>${escapeHtmlText(c.creditText)}</small>` : ''}</figcaption></figure>`);
  seed.paragraphs.forEach((paragraph, i) => {
    parts.push(...figuresAt(i), `<p>${escapeHtmlText(paragraph)}</p>`);
  });
  parts.push(...figuresAt(seed.paragraphs.length));
  return parts.join('\n');
}
