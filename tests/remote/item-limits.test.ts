/**
 * limits.maxItemsPerSource, in detail (issue 15, point 6): the items after the first N are cut
 * out of the text before parsing, exactly, and everything else in the document is still read;
 * what was left out is one log line and one FM_ITEMS_SKIPPED problem per source, and the source's
 * lastWarning until a parse leaves nothing out. The memory side is in tests/hostile/item-counts.
 */
import { describe, expect, it } from 'vitest';
import { capJsonItems } from '../../src/ingest/cap-json-items.js';
import { capXmlItems } from '../../src/ingest/cap-xml-items.js';
import type { LogRecord } from '../helpers/workspace.js';
import { atomFeed, numberedItems, rssFeed } from './helpers/feeds.js';
import { feed, sequence } from './helpers/fixture-server.js';
import { titlesOf } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

const skippedLines = (logs: LogRecord[]) => logs.filter((record) => record.code === 'FM_ITEMS_SKIPPED');

async function harvest(body: string, contentType: string, maxItemsPerSource: number) {
  const server = await scope.server();
  server.on('/feed', feed(body, contentType));
  const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/feed') }], limits: { maxItemsPerSource } });
  const { report, logs } = await h.run();
  return { h, report, logs, articles: await h.articles() };
}

describe('the first maxItemsPerSource items are read, and everything around them', () => {
  it('RSS: channel elements after the items are still read; items inside comments and CDATA are not counted', async () => {
    const items = numberedItems(10);
    items[0]!.description = '<![CDATA[<item>not an item</item><entry/>]]>';
    const body = rssFeed(items).replace('</channel>', '<!-- <item><title>commented</title></item> --><language>fr-CA</language></channel>');

    const { report, logs, articles } = await harvest(body, 'application/rss+xml', 3);

    expect(titlesOf(articles)).toEqual(['Item 10', 'Item 8', 'Item 9']);
    expect(articles.every((a) => a.language === 'fr-CA')).toBe(true);
    expect(articles.find((a) => a.title === 'Item 10')?.contentHtml).toContain('not an item');
    const [line, ...others] = skippedLines(logs);
    expect(others).toEqual([]);
    expect(line).toMatchObject({ level: 30, overLimit: 7, invalid: 0, partsCut: 0 }); // info: the feed's size is no fault
    expect(report.problems).toEqual([{ sourceId: 'src', target: expect.stringMatching(/\/feed$/), code: 'FM_ITEMS_SKIPPED', message: '7 items after the first 3 (limits.maxItemsPerSource) not read' }]);
  });

  it('Atom: feed elements after the entries (a late <title>) are still read', async () => {
    const entries = [1, 2, 3, 4, 5].map((n) => `<entry><title>Entry ${n}</title><id>urn:e:${n}</id><link href="http://atom.example/${n}"/><updated>2025-01-0${n}T00:00:00Z</updated></entry>`);
    const body = atomFeed(entries).replace('<title>Fixture Atom feed</title>', '').replace('</feed>', '<title>Late title</title></feed>');

    const { logs, articles } = await harvest(body, 'application/atom+xml', 2);

    expect(titlesOf(articles)).toEqual(['Entry 1', 'Entry 2']);
    expect(articles[0]?.publisher?.name).toBe('Late title');
    expect(skippedLines(logs)).toMatchObject([{ overLimit: 3 }]);
  });

  it('JSON Feed: invalid items among the first N are counted with examples, in the same one warning line', async () => {
    const items = [{ id: 'a', title: 'A', content_text: 'a' }, 5, { id: 'b', title: 7 }, { id: 'c', title: 'C', content_text: '] } ", \\" [' }, { id: 'd', title: 'D' }];
    const body = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items, after: { x: [1, 2] } });

    const { h, report, logs, articles } = await harvest(body, 'application/feed+json', 3);

    expect(titlesOf(articles)).toEqual(['A']);
    const [line, ...others] = skippedLines(logs);
    expect(others).toEqual([]);
    expect(line).toMatchObject({ level: 40, overLimit: 2, invalid: 2 });
    const message = '2 items after the first 3 (limits.maxItemsPerSource) not read; 2 invalid items skipped (items[1]: Invalid input: expected object, received number; items[2]: title: Invalid input: expected string, received number)';
    expect(line?.msg).toMatch(new RegExp(`: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(report.problems.map((p) => p.message)).toEqual([message]);
    expect((await h.state('src')).lastWarning).toBe(message);
  });
});

describe('lastWarning', () => {
  it('stays while the body is unchanged (not parsed again) and clears once a parse leaves nothing out', async () => {
    const server = await scope.server();
    const long = rssFeed(numberedItems(5));
    const short = rssFeed(numberedItems(2));
    server.on('/feed', sequence(feed(long), feed(long), feed(short)));
    const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/feed') }], limits: { maxItemsPerSource: 3 } });

    await h.run({ all: true });
    expect((await h.state('src')).lastWarning).toBe('2 items after the first 3 (limits.maxItemsPerSource) not read');
    const again = await h.run({ all: true });
    expect(skippedLines(again.logs)).toEqual([]);
    expect((await h.state('src')).lastWarning).toBe('2 items after the first 3 (limits.maxItemsPerSource) not read');
    await h.run({ all: true });
    expect((await h.state('src')).lastWarning).toBeNull();
  });
});

describe('cutting before parsing', () => {
  it('capXmlItems keeps the text outside the cut items byte for byte', () => {
    const xml = `<rss version="2.0"><channel><title>t &amp; u</title>${'<item><title>x</title></item>\n  '.repeat(5)}<image><url>http://i/</url></image></channel></rss>`;
    const cut = capXmlItems(xml, 'rss', 2);
    expect(cut).toEqual({
      xml: `<rss version="2.0"><channel><title>t &amp; u</title>${'<item><title>x</title></item>\n  '.repeat(2)}\n  <image><url>http://i/</url></image></channel></rss>`,
      overLimit: 3,
      elementsCut: 0,
    });
  });

  it.each([
    ['strings holding brackets, commas and escaped quotes', '{"items":[{"t":"],\\"["},"a,b",["]"],{"u":"\\\\"}]}', 1, '{"items":[{"t":"],\\"["}]}', 3],
    ['a key spelled with an escape', '{"\\u0069tems":[1,2,3]}', 2, '{"\\u0069tems":[1,2]}', 1],
    ['"items" in a nested object is not the feed\'s', '{"x":{"items":[1,2,3]},"items":[4,5]}', 1, '{"x":{"items":[1,2,3]},"items":[4]}', 1],
    ['what follows the items array is kept', '{"items":[1,2,3],"title":"T","z":[1]}', 1, '{"items":[1],"title":"T","z":[1]}', 2],
    ['not well-formed: cut where it can, JSON.parse reports the rest', '{"items":[1,2,3', 1, '{"items":[1', 2],
  ])('capJsonItems: %s', (_name, text, maxItems, expected, overLimit) => {
    expect(capJsonItems(text, maxItems)).toEqual({ text: expected, overLimit, containersCut: 0 });
  });
});
