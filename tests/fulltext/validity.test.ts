/**
 * Full-text output judged by other people's tools: the publisher's pages, a hostile page (active
 * content, control characters, broken markup, `]]>`) and a page at the depth and size bounds,
 * extracted into the feed, then the W3C Feed Validator (no error, no warning outside the accepted
 * list), xmllint, jing (Atom), Python feedparser (bozo false, the article text read back) and the
 * JSON Feed 1.1 schema.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { feedparser, jingAtom, validateJsonFeed, xmllint } from '../helpers/validators.js';
import { unexpectedWarnings, w3cErrorLines, w3cValidate } from '../helpers/w3c-validator.js';
import { reply } from '../remote/helpers/fixture-server.js';
import { testScope } from '../remote/helpers/scope.js';
import { FEED_PATH, fixture, servePublisher } from './helpers/publisher.js';
import { MAX_PAGE_DEPTH } from '../../src/normalize/extract-article.js';

const scope = testScope();

const HOSTILE_PAGE = `<html><head><title>x</title></head><body><article><h1>Hostile</h1>
<p>Before ]]&gt; and ]]> inside a paragraph, a \u0001control, \u0085C1 and \ufffe non-character; unclosed <b>bold <i>italic</p>
<script>alert("x")</script><p onclick="x()">${'Text of the hostile story that is long enough to be an article. '.repeat(12)}</p>
<table><tr><td>cell<td>cell 2</table><p>&lt;script&gt;escaped&lt;/script&gt; &amp; an entity &eacute;t&eacute;</p>
<img src="/img/a.jpg" srcset="/img/a-1.jpg 1x, /img/a-2.jpg 2x"><iframe src="x"></iframe></article></body></html>`;

/**
 * A page just inside the bounds (MAX_PAGE_DEPTH, MAX_PAGE_ELEMENTS): read, so its markup reaches
 * the feed. Nested lists, quotes, tables and inline elements, and thousands of paragraphs.
 */
const WRAPPERS = ['div', 'section', 'blockquote', 'ul><li', 'table><tr><td', 'span', 'b', 'i', 'em', 'a href="/x"'];
function deepPage(): string {
  const levels = Array.from({ length: (MAX_PAGE_DEPTH - 20) / 2 }, (_, i) => WRAPPERS[i % WRAPPERS.length]!);
  const open = levels.map((w) => `<${w}>`).join('');
  const close = levels.reverse().map((w) => w.split('><').reverse().map((t) => `</${t.split(' ')[0]}>`).join('')).join('');
  const paragraphs = Array.from({ length: 3_000 }, (_, i) => `<p>Deep story paragraph ${i} &amp; &lt;b&gt; ]]&gt; text.</p>`).join('');
  return `<html><head><title>Deep</title></head><body><article><h1>Deep</h1>${paragraphs}${open}deepest words${close}</article></body></html>`;
}

describe('feeds with full text are valid', () => {
  for (const media of [undefined, 'mirror', 'proxy'] as const) {
    it(`RSS, Atom and JSON Feed pass every validator, and readers read the article text${media ? ` (media: "${media}")` : ''}`, async () => {
      const server = await scope.server();
      servePublisher(server);
      server.on(FEED_PATH, reply({
        headers: { 'content-type': 'application/rss+xml' },
        body: fixture('summary.rss.xml').replaceAll('{{BASE}}', server.origin).replace('</channel>', `<item><title>Hostile page</title><link>${server.origin}/news/hostile.html</link><description>Short.</description></item><item><title>Deep page</title><link>${server.origin}/news/deep.html</link><description>Short.</description></item></channel>`),
      }));
      server.on('/news/hostile.html', reply({ headers: { 'content-type': 'text/html' }, body: HOSTILE_PAGE }));
      server.on('/news/deep.html', reply({ headers: { 'content-type': 'text/html' }, body: deepPage() }));
      const h = await scope.harness({ sources: [{ id: 'news', url: server.url(FEED_PATH), mirrors: ['https://mirror.news.example/'], fullText: true, ...(media ? { media } : {}) }] });
      const { report } = await h.run();
      expect(report.pages).toMatchObject({ fetched: 4, extracted: 4 });
      const file = (name: string) => path.join(h.feedsDir, 'all', name);

      const reports = await w3cValidate([file('rss.xml'), file('atom.xml')]);
      expect(w3cErrorLines(reports, h.feedsDir)).toEqual([]);
      for (const one of reports.values()) expect(unexpectedWarnings(one)).toEqual([]);
      for (const name of ['rss.xml', 'atom.xml']) {
        const lint = await xmllint(file(name));
        expect(lint.stderr).toBe('');
        const parsed = await feedparser(file(name));
        expect(parsed.bozo, String(parsed.bozo_exception)).toBe(false);
        const harbour = parsed.entries.find((e) => e.title === 'The harbour reopens after the storm')!;
        expect(JSON.stringify(harbour)).toContain('sank eleven boats');
      }
      expect((await jingAtom(file('atom.xml'))).errors).toEqual([]);
      const json = await validateJsonFeed(file('feed.json'));
      expect(json.messages).toEqual([]);
      const rss = await h.output('all/rss.xml');
      expect(rss).toContain('Text of the hostile story');
      expect(rss).toContain('Deep story paragraph 2999');
      expect(rss).not.toMatch(/alert|onclick|<iframe|&lt;iframe/);
      if (media === 'mirror') expect(rss).toContain('https://mirror.news.example/img/harbour.jpg');
      if (media === 'proxy') expect(rss).toMatch(/https:\/\/feeds\.example\.org\/media\/[0-9a-f]{32}/);
    });
  }
});
