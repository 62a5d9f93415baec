import { readdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../src/model/article.js';
import type { FeedFormat } from '../../src/publish/feed-view.js';
import type { PublishOutput } from '../../src/publish/publish-outputs.js';
import { FILE_OF, readFeedDoc } from './helpers/feed-docs.js';
import { ALL_FORMATS, createPublishHarness, daysAgo, makeFilter, makeItem, makeOutput, titlesOf, type PublishHarness } from './helpers/harness.js';
import { expectValidTree } from './helpers/validate-tree.js';

/** "…/posts/alpha-1" and "urn:feedmirror:seed:seed-1" → "alpha-1", "seed-1". */
function shortId(guid: string): string {
  return guid.split(/[/:]/).at(-1)!;
}

/** The items of one output in each format it was written in, as article ids in document order. */
async function idsByFormat(h: PublishHarness, outputId: string, formats: FeedFormat[] = ALL_FORMATS): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const format of formats) out[format] = (await readFeedDoc(h.file(`${outputId}/${FILE_OF[format]}`), format)).items.map((i) => shortId(i.id));
  return out;
}

function sameInEveryFormat(ids: string[], formats: FeedFormat[] = ALL_FORMATS): Record<string, string[]> {
  return Object.fromEntries(formats.map((f) => [f, ids]));
}

/**
 * One fixed set of articles, newest first by construction (ids never contain a filter word, so
 * only titles, summaries and bodies can match).
 */
function filterArticles(): Article[] {
  return [
    makeItem('alpha-1', 'alpha', daysAgo(1), { title: 'Cat rescued from a tree', categories: ['Animals'] }),
    makeItem('alpha-2', 'alpha', daysAgo(2), { title: 'A new category of vehicles', contentHtml: '<p>The category list grew again; categorically.</p>', categories: ['Transport'] }),
    makeItem('alpha-3', 'alpha', daysAgo(3), { title: 'Neighbourhood news', contentHtml: '<p>A CAT sat on the mat.</p>' }),
    makeItem('alpha-4', 'alpha', daysAgo(4), { title: 'Climate Change report', contentHtml: '<p>Temperatures rose.</p>', categories: ['Science'] }),
    makeItem('beta-1', 'beta', daysAgo(5), { title: 'Summit ends', contentHtml: '<p>Leaders discussed climate\n  change at length.</p>', categories: ['politics'] }),
    makeItem('gamma-1', 'gamma', daysAgo(7), { title: 'Über den Wolken', contentHtml: '<p>Ein Flug.</p>' }),
    makeItem('gamma-2', 'gamma', daysAgo(8), { title: 'Überall Regen', contentHtml: '<p>Nass.</p>' }),
    makeItem('seed-1', 'seeds', daysAgo(10), { title: 'Local council meets', contentHtml: '<p>The council met.</p>' }),
    // maxAgeDays 30: exactly 30 days old is kept, a minute older is not
    makeItem('gamma-3', 'gamma', daysAgo(30), { title: 'A month old' }),
    makeItem('gamma-4', 'gamma', new Date(Date.parse(daysAgo(30)) - 60_000).toISOString(), { title: 'Just over a month old' }),
    makeItem('beta-2', 'beta', daysAgo(40), { title: 'Cat show results', categories: ['Sports'] }),
  ];
}

const EVERY_ID = ['alpha-1', 'alpha-2', 'alpha-3', 'alpha-4', 'beta-1', 'gamma-1', 'gamma-2', 'seed-1', 'gamma-3', 'gamma-4', 'beta-2'];
const only = (...ids: string[]) => EVERY_ID.filter((id) => ids.includes(id));
const except = (...ids: string[]) => EVERY_ID.filter((id) => !ids.includes(id));

interface FilterCase {
  name: string;
  /** Overrides of makeOutput's defaults (all sources, limit 50, every format, archives on). */
  output: Partial<Omit<PublishOutput, 'id' | 'title'>>;
  expected: string[];
}

const CASES: FilterCase[] = [
  { name: 'sources "*": every source, newest first', output: { sources: ['*'] }, expected: EVERY_ID },
  { name: 'sources by id', output: { sources: ['alpha'] }, expected: only('alpha-1', 'alpha-2', 'alpha-3', 'alpha-4') },
  { name: 'sources by tag (two sources carry "news")', output: { sources: ['news'] }, expected: only('alpha-1', 'alpha-2', 'alpha-3', 'alpha-4', 'beta-1', 'beta-2') },
  { name: 'sources by tag and id together', output: { sources: ['daily', 'gamma'] }, expected: only('beta-1', 'gamma-1', 'gamma-2', 'gamma-3', 'gamma-4', 'beta-2') },
  { name: 'sources by a seed folder\'s tag', output: { sources: ['local'] }, expected: ['seed-1'] },
  {
    name: 'include: a whole word in title or content, any case ("cat" is not "category")',
    output: { filter: makeFilter({ include: ['cat'] }) },
    expected: only('alpha-1', 'alpha-3', 'beta-2'),
  },
  { name: 'include: upper-case filter word matches lower-case text', output: { filter: makeFilter({ include: ['CATEGORY'] }) }, expected: ['alpha-2'] },
  { name: 'include, fields ["title"]: content is not searched', output: { filter: makeFilter({ include: ['cat'], fields: ['title'] }) }, expected: only('alpha-1', 'beta-2') },
  { name: 'include, fields ["content"]: titles are not searched', output: { filter: makeFilter({ include: ['cat'], fields: ['content'] }) }, expected: ['alpha-3'] },
  {
    name: 'include a phrase: matched as whole words, across line breaks, in title or content',
    output: { filter: makeFilter({ include: ['climate change'] }) },
    expected: only('alpha-4', 'beta-1'),
  },
  { name: 'include several words: any one of them', output: { filter: makeFilter({ include: ['tree', 'summit'] }) }, expected: only('alpha-1', 'beta-1') },
  { name: 'exclude: drops items with the word', output: { filter: makeFilter({ exclude: ['cat'] }) }, expected: except('alpha-1', 'alpha-3', 'beta-2') },
  { name: 'exclude, fields ["title"]: a word only in the content does not drop the item', output: { filter: makeFilter({ exclude: ['cat'], fields: ['title'] }) }, expected: except('alpha-1', 'beta-2') },
  { name: 'include and exclude together', output: { filter: makeFilter({ include: ['cat'], exclude: ['show'] }) }, expected: only('alpha-1', 'alpha-3') },
  { name: 'categories: any of them, any case', output: { filter: makeFilter({ categories: ['animals', 'SPORTS'] }) }, expected: only('alpha-1', 'beta-2') },
  { name: 'maxAgeDays: counted back from the run time, the boundary is kept', output: { filter: makeFilter({ maxAgeDays: 30 }) }, expected: except('gamma-4', 'beta-2') },
  { name: 'non-ASCII whole words: "über" matches "Über", not "Überall"', output: { filter: makeFilter({ include: ['über'] }) }, expected: ['gamma-1'] },
  {
    name: 'every filter at once: sources, words, category and age',
    output: { sources: ['news'], filter: makeFilter({ include: ['climate change', 'cat'], exclude: ['report'], categories: ['politics', 'sports', 'animals'], maxAgeDays: 30 }) },
    expected: only('alpha-1', 'beta-1'),
  },
  { name: 'limit: the newest n (archive off)', output: { limit: 3, archive: false }, expected: ['alpha-1', 'alpha-2', 'alpha-3'] },
  { name: 'limit after filtering', output: { limit: 2, archive: false, filter: makeFilter({ include: ['cat'] }) }, expected: ['alpha-1', 'alpha-3'] },
];

const caseOutputs = (): PublishOutput[] => CASES.map((c, i) => makeOutput({ id: `case-${i}`, title: `Case ${i}: ${c.name}`, ...c.output }));

describe('output filters (one output per case, one publish)', () => {
  let h: PublishHarness;
  beforeAll(async () => {
    h = await createPublishHarness();
    await h.add(filterArticles());
    await h.publish(caseOutputs());
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  CASES.forEach((c, i) => {
    it(c.name, async () => {
      expect(await idsByFormat(h, `case-${i}`)).toEqual(sameInEveryFormat(c.expected));
    });
  });

  it('newest first means by published date, whatever the source or the order of storing', async () => {
    const json = await readFeedDoc(h.file('case-0/feed.json'), 'json');
    expect(json.items.map((i) => shortId(i.id))).toEqual(EVERY_ID);
  });

  it('every generated file is valid', async () => {
    await expectValidTree(h.outputDir, titlesOf(caseOutputs()));
  });
});

describe('whole words in HTML content', () => {
  let h: PublishHarness;
  beforeEach(async () => {
    h = await createPublishHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('a word split by inline markup is one word: "<em>cat</em>egorical" does not match "cat"', async () => {
    const outputs = [makeOutput({ id: 'cats', title: 'Cats', filter: makeFilter({ include: ['cat'], fields: ['content'] }) })];
    await h.add([
      makeItem('beta-1', 'beta', daysAgo(1), { title: 'Spelling bee', contentHtml: '<p>The winning word was <em>cat</em>egorical.</p>' }),
      makeItem('beta-2', 'beta', daysAgo(2), { title: 'Pets', contentHtml: '<p>Dog</p><p>cat</p>' }),
      makeItem('beta-3', 'beta', daysAgo(3), { title: 'Markup', contentHtml: '<p>One <strong>cat</strong>, two dogs.</p>' }),
    ]);
    await h.publish(outputs);
    // block boundaries separate words, inline tags do not
    expect(await idsByFormat(h, 'cats')).toEqual(sameInEveryFormat(['beta-2', 'beta-3']));
  });

  it('an escaped "&" is a word boundary ("cat&amp;dog"); accented letters belong to words ("café" is not "cafés")', async () => {
    // as the sanitizer stores content: entities decoded, only &amp; &lt; &gt; escaped
    const outputs = [makeOutput({ id: 'words', title: 'Words', filter: makeFilter({ include: ['cat', 'café'], fields: ['content'] }) })];
    await h.add([
      makeItem('beta-1', 'beta', daysAgo(1), { contentHtml: '<p>cat&amp;dog</p>' }),
      makeItem('beta-2', 'beta', daysAgo(2), { contentHtml: '<p>The café opened.</p>' }),
      makeItem('beta-3', 'beta', daysAgo(3), { contentHtml: '<p>The cafés opened.</p>' }),
    ]);
    await h.publish(outputs);
    expect(await idsByFormat(h, 'words')).toEqual(sameInEveryFormat(['beta-1', 'beta-2']));
  });
});

describe('formats', () => {
  let h: PublishHarness;
  beforeEach(async () => {
    h = await createPublishHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('a subset of formats writes only those files (subscription document, archive pages, index links)', async () => {
    const outputs = [
      makeOutput({ id: 'atom-only', title: 'Atom only', formats: ['atom'], limit: 2, archive: { pageSize: 2 } }),
      makeOutput({ id: 'rss-json', title: 'RSS and JSON', formats: ['rss', 'json'] }),
      makeOutput({ id: 'default', title: 'Default formats' }),
    ];
    await h.add([1, 2, 3, 4, 5].map((n) => makeItem(`alpha-${n}`, 'alpha', daysAgo(n))));
    await h.publish(outputs);
    // each folder has its web page, whatever the formats
    expect((await readdir(h.file('atom-only'))).sort()).toEqual(['archive', 'atom.xml', 'index.html']);
    expect((await readdir(h.file('atom-only/archive/1'))).sort()).toEqual(['atom.xml', 'index.html']);
    expect((await readdir(h.file('rss-json'))).sort()).toEqual(['feed.json', 'index.html', 'rss.xml']);
    expect((await readdir(h.file('default'))).sort()).toEqual(['atom.xml', 'feed.json', 'index.html', 'rss.xml']);
    const index = await h.read('index.html');
    const links = [...index.matchAll(/href="((?:atom-only|rss-json|default)\/[^"]+)"/g)].map((m) => m[1]);
    expect(new Set(links)).toEqual(new Set(['atom-only/atom.xml', 'rss-json/rss.xml', 'rss-json/feed.json', 'default/rss.xml', 'default/atom.xml', 'default/feed.json']));
    await expectValidTree(h.outputDir, titlesOf(outputs));
  });
});

describe('merged outputs', () => {
  let h: PublishHarness;
  beforeEach(async () => {
    h = await createPublishHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('interleave their sources by date and show where each item came from, in every format', async () => {
    const outputs = [makeOutput({ id: 'merged', title: 'Merged', sources: ['alpha', 'gamma', 'seeds'] })];
    // stored source by source, published alternately
    await h.add([1, 4, 7].map((d) => makeItem(`alpha-${d}`, 'alpha', daysAgo(d))));
    await h.add([2, 5].map((d) => makeItem(`gamma-${d}`, 'gamma', daysAgo(d))));
    await h.add([3, 6].map((d) => makeItem(`seed-${d}`, 'seeds', daysAgo(d))));
    await h.publish(outputs);
    const order = ['alpha-1', 'gamma-2', 'seed-3', 'alpha-4', 'gamma-5', 'seed-6', 'alpha-7'];
    expect(await idsByFormat(h, 'merged')).toEqual(sameInEveryFormat(order));

    const feedUrl: Record<string, string> = { alpha: 'https://alpha.example/feed.xml', gamma: 'https://gamma.example/atom.xml' };
    const sourceOf = (id: string) => id.split('-')[0]!;
    for (const format of ['rss', 'atom'] as const) {
      const doc = await readFeedDoc(h.file(`merged/${FILE_OF[format]}`), format);
      // a remote item names its feed; a seed article is our own and has no other feed to name
      expect(doc.items.map((i) => i.source), format).toEqual(order.map((id) => feedUrl[sourceOf(id)] ?? null));
    }
    const json = await readFeedDoc(h.file('merged/feed.json'), 'json');
    expect(json.items.map((i) => i.source)).toEqual(order.map((id) => (sourceOf(id) === 'seed' ? 'seeds' : sourceOf(id))));

    // the source's title travels with it: RSS <source url>Title</source>, Atom <source><title>
    const rss = await h.read('merged/rss.xml');
    expect(rss).toContain('<source url="https://alpha.example/feed.xml">Alpha News</source>');
    expect(rss).toContain('<source url="https://gamma.example/atom.xml">Gamma Blog</source>');
    const atom = await h.read('merged/atom.xml');
    expect(atom).toMatch(/<source>\s*<id>https:\/\/gamma\.example\/atom\.xml<\/id>\s*<title>Gamma Blog<\/title>/);
    await expectValidTree(h.outputDir, titlesOf(outputs));
  });
});
