import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishOutput } from '../../src/publish/publish-outputs.js';
import { childNamed, childrenNamed, parseXml, type XmlNode } from '../helpers/xml.js';
import { createPublishHarness, daysAgo, makeItem, makeOutput, titlesOf, type PublishHarness } from './helpers/harness.js';
import { expectValidTree } from './helpers/validate-tree.js';

/**
 * Each per-output field where the format has a place for it:
 *   RSS 2.0:   title, description, language, <image> (logo), copyright, author (managingEditor/dc:creator)
 *   Atom 1.0:  title, subtitle, xml:lang, icon, logo, author, rights
 *   JSON 1.1:  title, description, language, favicon (icon), icon (logo), authors
 * RSS 2.0 has no small-icon element and JSON Feed 1.1 no copyright field, so those two are not asked for.
 */
const META = {
  title: 'Harbour & Rail <Weekly>',
  description: 'Transport news from the harbour district',
  language: 'nl',
  icon: 'https://static.example.org/icon-64.png',
  logo: 'https://static.example.org/logo-wide.png',
  author: { name: 'Ann Editor', email: 'ann@example.org', url: 'https://example.org/ann' },
  copyright: '© 2024 Harbour Media, CC BY 4.0',
};

/** With limit 1 the second item is sealed in archive/1/: pages carry the same metadata. */
const OUTPUTS: PublishOutput[] = [
  makeOutput({ id: 'custom', ...META, limit: 1, archive: { pageSize: 1 } }),
  makeOutput({ id: 'plain', title: 'Plain output' }),
];
const DOCS = ['custom/', 'custom/archive/1/'];

let h: PublishHarness;
beforeAll(async () => {
  h = await createPublishHarness();
  await h.add([makeItem('alpha-1', 'alpha', daysAgo(1)), makeItem('alpha-2', 'alpha', daysAgo(2))]);
  await h.publish(OUTPUTS);
});
afterAll(async () => {
  await h?.cleanup();
});

const text = (node: XmlNode, name: string) => childrenNamed(node, name)[0]?.text ?? null;

describe('per-output metadata: RSS 2.0', () => {
  for (const folder of DOCS) {
    it(`${folder}rss.xml: title, description, language, logo (<image>), copyright`, async () => {
      const channel = childNamed(parseXml(await h.read(`${folder}rss.xml`)), 'channel');
      expect({
        title: text(channel, 'title'),
        description: text(channel, 'description'),
        language: text(channel, 'language'),
        image: text(childNamed(channel, 'image'), 'url'),
        copyright: text(channel, 'copyright'),
      }).toEqual({ title: META.title, description: META.description, language: META.language, image: META.logo, copyright: META.copyright });
    });

    it(`${folder}rss.xml: the output's author (managingEditor "email (name)" or a channel-level dc:creator / atom:author)`, async () => {
      const channel = childNamed(parseXml(await h.read(`${folder}rss.xml`)), 'channel');
      const authorTexts = channel.children
        .filter((c) => ['managingEditor', 'webMaster', 'dc:creator', 'atom:author'].includes(c.name))
        .map((c) => (c.name === 'atom:author' ? (childrenNamed(c, 'atom:name')[0]?.text ?? '') : c.text));
      expect(authorTexts.some((t) => t.includes(META.author.name)), `channel author elements: ${JSON.stringify(authorTexts)}`).toBe(true);
    });
  }
});

describe('per-output metadata: Atom 1.0', () => {
  for (const folder of DOCS) {
    it(`${folder}atom.xml: title, subtitle, xml:lang, icon, logo, author, rights`, async () => {
      const feed = parseXml(await h.read(`${folder}atom.xml`));
      const author = childNamed(feed, 'author');
      expect({
        title: text(feed, 'title'),
        subtitle: text(feed, 'subtitle'),
        lang: feed.attributes['xml:lang'],
        icon: text(feed, 'icon'),
        logo: text(feed, 'logo'),
        author: { name: text(author, 'name'), email: text(author, 'email'), uri: text(author, 'uri') },
        rights: text(feed, 'rights'),
      }).toEqual({
        title: META.title,
        subtitle: META.description,
        lang: META.language,
        icon: META.icon,
        logo: META.logo,
        author: { name: META.author.name, email: META.author.email, uri: META.author.url },
        rights: META.copyright,
      });
    });
  }
});

describe('per-output metadata: JSON Feed 1.1', () => {
  for (const folder of DOCS) {
    it(`${folder}feed.json: title, description, language, favicon (icon), icon (logo), authors`, async () => {
      const json = JSON.parse(await h.read(`${folder}feed.json`)) as Record<string, unknown>;
      expect({ title: json.title, description: json.description, language: json.language, favicon: json.favicon, icon: json.icon, authors: json.authors }).toEqual({
        title: META.title,
        description: META.description,
        language: META.language,
        // JSON Feed's "icon" is the large image, "favicon" the small one
        favicon: META.icon,
        icon: META.logo,
        authors: [{ name: META.author.name, url: META.author.url }],
      });
    });
  }
});

describe('per-output metadata: defaults', () => {
  it('an output without its own description, language and author takes the site\'s', async () => {
    const rss = childNamed(parseXml(await h.read('plain/rss.xml')), 'channel');
    expect({ description: text(rss, 'description'), language: text(rss, 'language'), copyright: text(rss, 'copyright'), image: childrenNamed(rss, 'image').length }).toEqual({
      description: 'Site description',
      language: 'en',
      copyright: null,
      image: 0,
    });
    const atom = parseXml(await h.read('plain/atom.xml'));
    expect({ lang: atom.attributes['xml:lang'], author: text(childNamed(atom, 'author'), 'name'), icon: text(atom, 'icon'), rights: text(atom, 'rights') }).toEqual({
      lang: 'en',
      author: 'Publishing tests',
      icon: null,
      rights: null,
    });
    const json = JSON.parse(await h.read('plain/feed.json')) as Record<string, unknown>;
    expect({ description: json.description, language: json.language, authors: json.authors, icon: json.icon, favicon: json.favicon }).toEqual({
      description: 'Site description',
      language: 'en',
      authors: [{ name: 'Publishing tests' }],
      icon: undefined,
      favicon: undefined,
    });
  });

  it('every generated file is valid (the title with "&" and "<" included)', async () => {
    await expectValidTree(h.outputDir, titlesOf(OUTPUTS));
  });
});

/**
 * Config texts are plain text and reach readers as written: a literal "&amp;" stays those five
 * characters (an XML layer that unescapes "&amp;" before escaping would publish "&"), quotes and
 * markup stay text, and a line break inside a title is not indented with the document.
 */
describe('per-output metadata: config texts are written as given', () => {
  const LITERAL = {
    title: 'Q&amp;A "weekly" <b>',
    description: 'line one\nline two &lt;not a tag&gt;',
    copyright: '&copy; 2024 Ann &amp; Bob',
    author: { name: 'Ann &amp; Bob', email: 'ann@example.org' },
  };
  let lh: PublishHarness;
  beforeAll(async () => {
    lh = await createPublishHarness();
    await lh.add([makeItem('alpha-1', 'alpha', daysAgo(1))]);
    await lh.publish([makeOutput({ id: 'literal', ...LITERAL })]);
  });
  afterAll(async () => {
    await lh?.cleanup();
  });

  it('rss.xml: title, description, copyright and managingEditor', async () => {
    const channel = childNamed(parseXml(await lh.read('literal/rss.xml')), 'channel');
    expect({ title: text(channel, 'title'), description: text(channel, 'description'), copyright: text(channel, 'copyright'), editor: text(channel, 'managingEditor') }).toEqual({
      title: LITERAL.title,
      description: LITERAL.description,
      copyright: LITERAL.copyright,
      editor: `${LITERAL.author.email} (${LITERAL.author.name})`,
    });
  });

  it('atom.xml: title, subtitle, rights and author name', async () => {
    const feed = parseXml(await lh.read('literal/atom.xml'));
    expect({ title: text(feed, 'title'), subtitle: text(feed, 'subtitle'), rights: text(feed, 'rights'), author: text(childNamed(feed, 'author'), 'name') }).toEqual({
      title: LITERAL.title,
      subtitle: LITERAL.description,
      rights: LITERAL.copyright,
      author: LITERAL.author.name,
    });
  });
});
