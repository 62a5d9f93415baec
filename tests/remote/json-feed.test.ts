import { describe, expect, it } from 'vitest';
import { LOG_ERROR } from '../helpers/workspace.js';
import { feed, fixtureBytes } from './helpers/fixture-server.js';
import { articleTitled, logsMatching } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

const JSON_FEED = 'application/feed+json';

async function harvest(body: string | Buffer, path = '/feed.json') {
  const server = await scope.server();
  server.on(path, feed(body, JSON_FEED));
  const h = await scope.harness({ sources: [{ id: 'json', url: server.url(path) }] });
  const { logs } = await h.run();
  return { server, h, logs, articles: await h.articles(), state: await h.state('json') };
}

describe('JSON Feed 1.0 and 1.1 (jsonfeed.org samples)', () => {
  for (const version of ['v1', 'v1.1']) {
    it(`podcast (${version}): id, title, url, HTML content, summary, date and the attachment as an enclosure`, async () => {
      const { articles, state } = await harvest(fixtureBytes(`real/jsonfeed/podcast-${version}.json`));
      expect(state).toMatchObject({ lastOutcome: 'ok', title: 'The Record' });
      expect(articles).toHaveLength(1);
      const [episode] = articles;
      expect(episode).toMatchObject({
        guid: 'http://therecord.co/chris-parrish',
        title: 'Special #1 - Chris Parrish',
        url: 'http://therecord.co/chris-parrish',
        published: '2014-05-09T21:04:00.000Z',
        dateSource: 'feed',
        summary: 'Brent interviews Chris Parrish, co-host of The Record and one-half of Aged & Distilled.',
        enclosures: [{ url: 'http://therecord.co/downloads/The-Record-sp1e1-ChrisParrish.m4a', type: 'audio/x-m4a', length: 89970236 }],
      });
      // content_html is preferred over content_text
      expect(episode?.contentHtml).toContain('<a href="http://adobe.com/">Adobe</a>');
    });

    it(`microblog (${version}): an untitled item gets a title from its text`, async () => {
      const { articles } = await harvest(fixtureBytes(`real/jsonfeed/microblog-${version}.json`));
      expect(articles).toHaveLength(1);
      const [post] = articles;
      expect(post?.guid).toBe('2347259');
      expect(post?.url).toBe('https://example.org/2347259');
      expect(post?.title).toMatch(/^Cats are neat\./);
      expect(post?.published).toBe('2016-02-09T21:22:00.000Z');
      expect(post?.contentHtml).toContain('<p>Cats are neat.</p>');
    });

    it(`simple (${version}): content_text becomes escaped paragraphs, content_html is sanitized HTML`, async () => {
      const { articles } = await harvest(fixtureBytes(`real/jsonfeed/simple-${version}.json`));
      expect(articles.map((a) => a.guid).sort()).toEqual(['1', '2']);
      const first = articles.find((a) => a.guid === '1');
      const second = articles.find((a) => a.guid === '2');
      expect(first?.contentHtml).toBe('<p>Hello, world!</p>');
      expect(second?.contentHtml).toBe('<p>This is a second item.</p>');
      // Undated items: first-seen time, stable (see normalize tests)
      expect(first?.dateSource).toBe('first-seen');
    });
  }

  it('RW-J01 jsonfeed.org\'s own feed (via feed-rs)', async () => {
    const { articles } = await harvest(fixtureBytes('real/feed-rs/jsonfeed_spec_1.json'));
    const announcement = articleTitled(articles, 'Announcing JSON Feed');
    expect(announcement).toMatchObject({
      guid: 'https://jsonfeed.org/2017/05/17/announcing_json_feed',
      url: 'https://jsonfeed.org/2017/05/17/announcing_json_feed',
      published: '2017-05-17T15:02:12.000Z',
    });
  });

  // JSON Feed 1.0 ("author") and 1.1 ("authors"): the top-level author is the author of items that name none.
  for (const [file, author] of [
    ['real/jsonfeed/microblog-v1.json', 'Brent Simmons'],
    ['real/jsonfeed/microblog-v1.1.json', 'Brent Simmons'],
    ['real/feed-rs/jsonfeed_spec_1.json', 'Brent Simmons and Manton Reece'],
  ] as const) {
    it(`the feed's author applies to items without one (${file.split('/').pop()})`, async () => {
      const { articles } = await harvest(fixtureBytes(file));
      expect(articles.length).toBeGreaterThan(0);
      for (const article of articles) expect(article.authors.map((a) => a.name)).toEqual([author]);
    });
  }
});

describe('JSON Feed: every field we map', () => {
  const crafted = {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Crafted JSON Feed',
    home_page_url: 'https://example.org/',
    language: 'fr-FR',
    items: [
      {
        id: 'tag:example.org,2025:1',
        url: 'https://example.org/posts/1',
        external_url: 'https://elsewhere.example/story',
        // Plain text that only looks like markup (no closing tag, no character reference) stays as written.
        title: 'Deux auteurs: 5 < 6 & <b> "quotes"',
        content_html: '<p onclick="steal()">Texte <script>alert(1)</script><img data-src="/img/lazy.jpg" src="data:image/gif;base64,R0lGOD"></p>',
        summary: 'Un résumé.',
        image: 'https://example.org/img/main.jpg',
        date_published: '2025-05-01T10:00:00+02:00',
        date_modified: '2025-05-02T10:00:00Z',
        authors: [{ name: 'Ada Lovelace', url: 'https://example.org/ada' }, { name: 'Grace Hopper' }],
        tags: ['science', 'history'],
        language: 'en-GB',
        attachments: [
          { url: 'https://example.org/audio/1.mp3', mime_type: 'audio/mpeg', size_in_bytes: 123456, title: 'Episode audio' },
          { url: 'https://example.org/doc/1.pdf', mime_type: 'application/pdf' },
        ],
      },
      { id: 42, url: '/posts/42', content_text: 'Line one.\n\nLine <two> & three.', date_published: '2025-04-01T00:00:00Z', author: { name: 'Old Style 1.0 Author' } },
      { id: 'bad', title: 5 },
    ],
  };

  it('authors, tags, attachments, dates, language, numeric ids, relative URLs and invalid items', async () => {
    const { articles, logs, server } = await harvest(JSON.stringify(crafted), '/json/feed.json');
    expect(articles).toHaveLength(2);
    const first = articles.find((a) => a.guid === 'tag:example.org,2025:1');
    expect(first).toMatchObject({
      title: 'Deux auteurs: 5 < 6 & <b> "quotes"',
      url: 'https://example.org/posts/1',
      published: '2025-05-01T08:00:00.000Z',
      updated: '2025-05-02T10:00:00.000Z',
      summary: 'Un résumé.',
      categories: ['science', 'history'],
      language: 'en-GB',
      authors: [
        { name: 'Ada Lovelace', email: null, url: 'https://example.org/ada' },
        { name: 'Grace Hopper', email: null, url: null },
      ],
    });
    expect(first?.enclosures).toEqual([
      { url: 'https://example.org/audio/1.mp3', type: 'audio/mpeg', length: 123456 },
      { url: 'https://example.org/doc/1.pdf', type: 'application/pdf', length: null },
    ]);
    expect(first?.images.map((i) => i.url)).toContain('https://example.org/img/main.jpg');
    expect(first?.contentHtml).not.toMatch(/script|alert|onclick|data:/);
    // The lazy image is fixed up and made absolute (against which base is not specified by JSON Feed).
    expect(first?.contentHtml).toMatch(/<img src="https?:\/\/[^"]+\/img\/lazy\.jpg" \/>/);

    const second = articles.find((a) => a.guid === '42');
    expect(second).toMatchObject({
      url: server.url('/posts/42'),
      language: 'fr-FR',
      authors: [{ name: 'Old Style 1.0 Author', email: null, url: null }],
    });
    expect(second?.contentHtml).toBe('<p>Line one.</p>\n<p>Line &lt;two&gt; &amp; three.</p>');

    const skipped = logsMatching(logs, /items\[2\]/);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.level).toBe(40); // warn: the rest of the feed is kept
  });

  it('the published ids are the original JSON Feed ids in our JSON Feed output', async () => {
    const { h } = await harvest(JSON.stringify(crafted));
    const out = JSON.parse(await h.output('all/feed.json')) as { items: { id: string }[] };
    expect(out.items.map((i) => i.id).sort()).toEqual(['42', 'tag:example.org,2025:1']);
  });

  for (const [name, body, pattern] of [
    ['invalid JSON', '{"version": "https://jsonfeed.org/version/1.1", "items": [', /invalid JSON|not a/i],
    ['a JSON Feed without a version', '{"title": "x", "items": []}', /version|not a/i],
    ['items that is not an array', '{"version": "https://jsonfeed.org/version/1", "items": {}}', /items|not a/i],
  ] as const) {
    it(`${name} is a recorded parse error`, async () => {
      const { state, logs } = await harvest(body);
      expect(state).toMatchObject({ lastOutcome: 'error', failures: 1 });
      expect(['FM_PARSE', 'FM_NOT_A_FEED']).toContain(state.lastErrorCode);
      expect(state.lastError).toMatch(pattern);
      expect(logs.filter((r) => r.level === LOG_ERROR)).toHaveLength(1);
    });
  }
});
