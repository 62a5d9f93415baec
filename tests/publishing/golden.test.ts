import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishOutput } from '../../src/publish/publish-outputs.js';
import { FILE_OF } from './helpers/feed-docs.js';
import { ALL_FORMATS, createPublishHarness, makeFilter, makeItem, makeOutput, publishInput, titlesOf, type PublishHarness } from './helpers/harness.js';
import { expectValidTree } from './helpers/validate-tree.js';

/**
 * Reviewed expected outputs (tests/golden/publishing/): a filtered, merged output with every
 * per-output field, and an archive page, in each format; plus the index page and sources.opml.
 * A change to any byte shows up in review.
 */
const OUTPUTS: PublishOutput[] = [
  makeOutput({
    id: 'transport',
    title: 'Transport news',
    description: 'Trams, trains and ferries from two newsrooms',
    language: 'en-GB',
    icon: 'https://static.example.org/icon.png',
    logo: 'https://static.example.org/logo.png',
    author: { name: 'Ann Editor', email: 'ann@example.org', url: 'https://example.org/ann' },
    copyright: 'CC BY 4.0',
    sources: ['news'],
    filter: makeFilter({ include: ['tram', 'ferry'], exclude: ['opinion'], categories: ['transport'], maxAgeDays: 60 }),
  }),
  makeOutput({ id: 'history', title: 'Alpha history', sources: ['alpha'], limit: 2, archive: { pageSize: 2 } }),
];

function goldenArticles() {
  return [
    makeItem('alpha-1', 'alpha', '2024-05-30T09:00:00.000Z', {
      title: 'Harbour tram line approved',
      summary: 'The council approved the tram line.',
      contentHtml: '<p>The council approved the <strong>tram</strong> line to the harbour.</p>',
      categories: ['Transport', 'City'],
      authors: [{ name: 'Jane Doe', email: null, url: null }],
    }),
    makeItem('beta-1', 'beta', '2024-05-29T18:30:00.000Z', {
      title: 'Night ferry returns',
      contentHtml: '<p>The night ferry runs again from June.</p>',
      categories: ['transport'],
    }),
    makeItem('alpha-2', 'alpha', '2024-05-28T07:15:00.000Z', { title: 'Opinion: the tram is late', categories: ['Transport'] }),
    makeItem('beta-2', 'beta', '2024-05-27T12:00:00.000Z', { title: 'Ferry fares rise', categories: ['Economy'] }),
    makeItem('alpha-3', 'alpha', '2024-05-26T06:00:00.000Z', { title: 'Tram depot opens', categories: ['transport'] }),
    makeItem('alpha-4', 'alpha', '2024-03-01T06:00:00.000Z', { title: 'Old tram timetable', categories: ['transport'] }),
  ];
}

let h: PublishHarness;
beforeAll(async () => {
  h = await createPublishHarness();
  await h.add(goldenArticles());
  const input = publishInput(h.outputDir, OUTPUTS);
  await h.publish(OUTPUTS, {
    site: { ...input.site, websub: { hub: 'https://hub.example.net/' } },
    mirrorMap: { hosts: [{ host: 'beta.example', alternates: [{ url: 'https://beta-mirror.example.net/', kind: 'https', type: null, updatedAt: null, origin: 'config' }] }] },
  });
});
afterAll(async () => {
  await h?.cleanup();
});

describe('golden files', () => {
  for (const format of ALL_FORMATS) {
    it(`filtered output, ${FILE_OF[format]}`, async () => {
      await expect(await h.read(`transport/${FILE_OF[format]}`)).toMatchFileSnapshot(`../golden/publishing/filtered-${FILE_OF[format]}`);
    });
  }

  for (const format of ALL_FORMATS) {
    it(`archive page 1, ${FILE_OF[format]}`, async () => {
      await expect(await h.read(`history/archive/1/${FILE_OF[format]}`)).toMatchFileSnapshot(`../golden/publishing/archive-page-1-${FILE_OF[format]}`);
    });
  }

  it('index.html', async () => {
    await expect(await h.read('index.html')).toMatchFileSnapshot('../golden/publishing/index.html');
  });

  it('sources.opml', async () => {
    await expect(await h.read('sources.opml')).toMatchFileSnapshot('../golden/publishing/sources.opml');
  });

  it('every generated file is valid', async () => {
    await expectValidTree(h.outputDir, titlesOf(OUTPUTS));
  });
});
