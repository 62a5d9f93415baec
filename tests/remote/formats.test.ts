import { describe, expect, it } from 'vitest';
import { feed, fixtureBytes } from './helpers/fixture-server.js';
import { articleTitled } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

/**
 * Spec and real-world samples of each format (copied from feed-rs and Miniflux test data). The
 * expectations were read off the files by hand.
 */
interface FormatCase {
  name: string;
  file: string;
  contentType: string;
  count: number;
  /** One item, found by title, and what must be stored for it. */
  item?: { title: string; expect: Record<string, unknown> };
  feedTitle?: string;
}

const CASES: FormatCase[] = [
  {
    name: 'RSS 0.91 (spec sample): link as the id',
    file: 'real/feed-rs/rss_0.91_spec_1.xml',
    contentType: 'application/rss+xml',
    count: 2,
    feedTitle: 'WriteTheWeb',
    item: { title: 'Giving the world a pluggable Gnutella', expect: { url: 'http://writetheweb.com/read.php?item=24', guid: 'http://writetheweb.com/read.php?item=24', language: 'en-us' } },
  },
  {
    name: 'RSS 0.92 (spec sample): untitled items without link or guid still get stable, distinct ids',
    file: 'real/feed-rs/rss_0.92_spec_1.xml',
    contentType: 'application/rss+xml',
    count: 3,
    item: { title: 'This is a test of a change I just made. Still diggin..', expect: { url: null } },
  },
  {
    name: 'RSS 1.0 / RDF (spec sample): rdf:about as the id',
    file: 'real/feed-rs/rss_1.0_spec_1.xml',
    contentType: 'application/rdf+xml',
    count: 2,
    feedTitle: 'XML.com',
    item: { title: 'Putting RDF to Work', expect: { url: 'http://xml.com/pub/2000/08/09/rdfdb/index.html', guid: 'http://xml.com/pub/2000/08/09/rdfdb/index.html' } },
  },
  {
    name: 'RSS 2.0 (spec sample): a permalink guid with a fragment is the link and the published id',
    file: 'real/feed-rs/rss_2.0_spec_1.xml',
    contentType: 'application/rss+xml',
    count: 2,
    feedTitle: 'Scripting News',
    item: {
      title: 'Joshua Allen: Who loves namespaces?',
      expect: {
        guid: 'http://scriptingnews.userland.com/backissues/2002/09/29#When:12:59:01PM',
        url: 'http://scriptingnews.userland.com/backissues/2002/09/29#When:12:59:01PM',
        published: '2002-09-29T19:59:01.000Z',
      },
    },
  },
  {
    name: 'Atom 1.0 (RFC 4287 sample): urn:uuid id, summary, updated only',
    file: 'real/feed-rs/atom_spec_1.xml',
    contentType: 'application/atom+xml',
    count: 1,
    feedTitle: 'Example Feed',
    item: {
      title: 'Atom-Powered Robots Run Amok',
      expect: {
        guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
        url: 'http://example.org/2003/12/13/atom03',
        published: '2003-12-13T18:30:02.000Z',
        dateSource: 'feed-updated',
        summary: 'Some text.',
      },
    },
  },
];

describe('formats: spec and real-world samples', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const server = await scope.server();
      server.on('/feed', feed(fixtureBytes(c.file), c.contentType));
      const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/feed') }] });
      await h.run();
      const state = await h.state('sample');
      expect(state, state.lastError ?? '').toMatchObject({ lastOutcome: 'ok' });
      const articles = await h.articles();
      expect(articles).toHaveLength(c.count);
      expect(new Set(articles.map((a) => a.id)).size).toBe(c.count);
      if (c.feedTitle) expect(state.title).toBe(c.feedTitle);
      if (c.item) expect(articleTitled(articles, c.item.title)).toMatchObject(c.item.expect);
    });
  }

  it('RW-F01 RSS 2.0 with per-item xml:base and content:encoded (insanity.industries via feed-rs)', async () => {
    const server = await scope.server();
    server.on('/index.xml', feed(fixtureBytes('real/feed-rs/rss_2.0_relurl_1.xml'), 'application/rss+xml'));
    const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/index.xml') }] });
    await h.run();
    const articles = await h.articles();
    expect(articles).toHaveLength(2);
    const post = articleTitled(articles, 'Tracking leftover packages with pacman');
    expect(post).toMatchObject({
      url: 'https://insanity.industries/post/pacman-tracking-leftover-packages/',
      guid: 'https://insanity.industries/post/pacman-tracking-leftover-packages/',
      published: '2021-02-13T00:00:00.000Z',
      authors: [{ name: 'Jonas Große Sundrup', email: 'jonas@insanity.industries', url: null }],
      summary: 'Package managers take care of resolving dependencies for you, but over time, dependencies that are no longer needed might stay around. Time to change that.',
      language: 'en-US',
    });
    expect(post.contentHtml).toMatch(/^<p>Automatically resolving and installing dependencies/);
  });

  it('RW-F02 Atom with relative links and no xml:base: resolved against the feed URL (feed-rs)', async () => {
    const server = await scope.server();
    server.on('/blog/feed.xml', feed(fixtureBytes('real/feed-rs/atom_relative.xml'), 'application/atom+xml'));
    const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/blog/feed.xml') }] });
    await h.run();
    const [entry] = await h.articles();
    expect(entry).toMatchObject({ title: 'Atom-Powered Robots Run Amok', url: server.url('/blog/2003/12/13/atom03'), guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a' });
  });

  it('RW-F03 xml:base on an Atom <content> element resolves the images inside it (numi.st via feed-rs)', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(fixtureBytes('real/feed-rs/atom_xml_base.xml'), 'application/atom+xml'));
    const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/feed.xml') }] });
    await h.run();
    const [entry] = await h.articles();
    expect(entry?.title).toBe('my cool entry title');
    expect(entry?.guid).toBe('https://numi.st/post/2022/travel-uke');
    expect(entry?.contentHtml).toContain('src="https://numi.st/post/2022/travel-uke/IMG_1232.jpeg"');
    expect(entry?.authors.map((a) => a.name)).toEqual(['Not Blank']);
  });

  it('RW-F04 Media RSS in Atom (YouTube via feed-rs): media:group thumbnail and description', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(fixtureBytes('real/feed-rs/atom_mediarss_youtube_1.xml'), 'application/atom+xml'));
    const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/feed.xml') }] });
    await h.run();
    const articles = await h.articles();
    expect(articles.length).toBeGreaterThan(0);
    for (const video of articles) {
      expect(video.url).toMatch(/^https:\/\/www\.youtube\.com\/watch\?v=/);
      expect(video.images.length).toBeGreaterThan(0);
      expect(video.images[0]?.url).toMatch(/^https:\/\/i\d?\.ytimg\.com\//);
    }
  });

  it('RW-F05 RSS 2.0 with Media RSS (Vimeo via feed-rs): a tag: guid, the date, a double-escaped description', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(fixtureBytes('real/feed-rs/rss_2.0_vimeo_media.xml'), 'application/rss+xml'));
    const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/feed.xml') }] });
    await h.run();
    const video = articleTitled(await h.articles(), 'Oregon Harvest Update and Fall Release Date Set');
    expect(video).toMatchObject({
      guid: 'tag:vimeo,2024-09-27:clip1013595996',
      url: 'https://vimeo.com/1013595996',
      published: '2024-09-27T16:29:11.000Z',
      summary: "Also check the email for a few important dates in October you'll want to mark on your calendar!",
    });
  });

  it('RW-F05 Vimeo: a media:thumbnail inside media:content is the video\'s picture', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(fixtureBytes('real/feed-rs/rss_2.0_vimeo_media.xml'), 'application/rss+xml'));
    const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/feed.xml') }] });
    await h.run();
    const video = articleTitled(await h.articles(), 'Oregon Harvest Update and Fall Release Date Set');
    // Media RSS allows media:thumbnail as a child of media:content.
    expect(video.images.map((i) => i.url)).toContain(
      'https://i.vimeocdn.com/video/1931613648-ea51f2799c4a4a4e058ed673e5587a0449778336fb866fad28a1ef7703a848dc-d_960',
    );
  });

  it('RW-F06 RSS 0.90 in the Netscape RDF namespace (heise.de via Miniflux): undated items, link as id', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(fixtureBytes('real/miniflux/rdf_UTF8.xml'), 'application/rdf+xml'));
    const h = await scope.harness({ sources: [{ id: 'sample', url: server.url('/feed.xml') }] });
    await h.run();
    expect((await h.state('sample')).title).toBe('heise online News');
    const articles = await h.articles();
    expect(articles).toHaveLength(60);
    expect(articleTitled(articles, 'Mega-Deal: IBM übernimmt Red Hat')).toMatchObject({
      url: 'https://www.heise.de/newsticker/meldung/Mega-Deal-IBM-uebernimmt-Red-Hat-4205582.html?wt_mc=rss.ho.beitrag.rdf',
      guid: 'https://www.heise.de/newsticker/meldung/Mega-Deal-IBM-uebernimmt-Red-Hat-4205582.html?wt_mc=rss.ho.beitrag.rdf',
      dateSource: 'first-seen',
      summary: 'Giganten-Hochzeit in den USA: Der Computerkonzern IBM übernimmt den Open-Source-Anbieter Red Hat für umgerechnet 30 Milliarden Euro.',
    });
  });
});
