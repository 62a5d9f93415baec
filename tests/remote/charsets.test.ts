import { describe, expect, it } from 'vitest';
import { feed, fixtureBytes } from './helpers/fixture-server.js';
import { articleTitled } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

/**
 * Each fixture is served with the Content-Type given here; the expected strings were written by
 * tests/fixtures/feeds/charset/make-charset-fixtures.mjs (crafted) or read from the real files with
 * Python's codecs (real/…), never taken from feedmirror's own output.
 */
interface CharsetCase {
  name: string;
  file: string;
  contentType: string;
  /** Exact item titles, in feed order. */
  titles?: string[];
  /** Titles that must be among the items (for big real-world feeds), with the item count. */
  someTitles?: { titles: string[]; count: number };
  /** The feed's own title, as recorded in the source state. */
  feedTitle?: string;
}

const RSS = 'application/rss+xml';

const CASES: CharsetCase[] = [
  // Precedence: byte-order mark, then HTTP charset, then the XML declaration.
  { name: 'UTF-8 BOM beats an HTTP charset and a declaration that both say Shift_JIS', file: 'charset/utf-8-bom-declared-shift_jis.xml', contentType: `${RSS}; charset=Shift_JIS`, titles: ['Ünïcödé with a BOM — 日本'] },
  { name: 'UTF-16LE with BOM', file: 'charset/utf-16le-bom.xml', contentType: 'application/xml', titles: ['UTF-16 little-endian: Grüße, 日本 ✓'], feedTitle: 'UTF-16' },
  { name: 'UTF-16BE with BOM', file: 'charset/utf-16be-bom.xml', contentType: 'application/xml', titles: ['UTF-16 big-endian: Grüße, 日本 ✓'] },
  { name: 'UTF-16LE BOM beats an HTTP header that says UTF-8', file: 'charset/utf-16le-bom.xml', contentType: `${RSS}; charset=utf-8`, titles: ['UTF-16 little-endian: Grüße, 日本 ✓'] },
  { name: 'HTTP charset only (windows-1251, no declaration)', file: 'charset/windows-1251-undeclared.xml', contentType: `${RSS}; charset=windows-1251`, titles: ['Только заголовок HTTP знает кодировку'], feedTitle: 'Новости' },
  { name: 'HTTP charset in quotes', file: 'charset/windows-1251-undeclared.xml', contentType: 'text/xml; charset="windows-1251"', titles: ['Только заголовок HTTP знает кодировку'] },
  { name: 'HTTP charset beats a wrong declaration (KOI8-R declared, windows-1251 bytes)', file: 'charset/windows-1251-declared-koi8-r.xml', contentType: `${RSS}; charset=windows-1251`, titles: ['Заголовок HTTP важнее объявления XML'] },
  { name: 'HTTP charset beats a wrong declaration (UTF-8 declared, Shift_JIS bytes)', file: 'charset/shift_jis-declared-utf-8.xml', contentType: 'application/xml; charset=Shift_JIS', titles: ['ヘッダーが正しい'] },
  // Declared in the XML only.
  { name: 'Shift_JIS declaration', file: 'charset/shift_jis.xml', contentType: RSS, titles: ['日本語のニュース：東京タワー', 'カタカナとひらがな'], feedTitle: '日本語フィード' },
  { name: 'EUC-JP declaration', file: 'charset/euc-jp.xml', contentType: RSS, titles: ['天気予報：大阪は晴れ'] },
  { name: 'GB2312 declaration', file: 'charset/gb2312.xml', contentType: RSS, titles: ['中文新闻：北京天气晴朗', '简体字测试'], feedTitle: '中文频道' },
  { name: 'Big5 declaration', file: 'charset/big5.xml', contentType: RSS, titles: ['繁體中文新聞：臺北天氣'] },
  { name: 'EUC-KR declaration', file: 'charset/euc-kr.xml', contentType: RSS, titles: ['한국어 뉴스: 서울 날씨'] },
  { name: 'KOI8-R declaration', file: 'charset/koi8-r.xml', contentType: RSS, titles: ['Съешь же ещё этих мягких французских булок'] },
  { name: 'windows-1251 declaration', file: 'charset/windows-1251.xml', contentType: RSS, titles: ['Привет, мир: ёжик и щука'] },
  { name: 'ISO-8859-1 declaration with cp1252 smart quotes, dash and euro (read as windows-1252)', file: 'charset/iso-8859-1-cp1252.xml', contentType: RSS, titles: ['“Smart” quotes – 5 € for a café', 'Grüße aus Köln'], feedTitle: 'Café' },
  { name: 'ISO-8859-1 in the HTTP header with cp1252 bytes', file: 'charset/iso-8859-1-cp1252.xml', contentType: 'text/xml; charset=ISO-8859-1', titles: ['“Smart” quotes – 5 € for a café', 'Grüße aus Köln'] },
  { name: 'Latin-1 bytes with no declaration and no charset (not UTF-8, so windows-1252)', file: 'charset/latin1-undeclared.xml', contentType: RSS, titles: ['Grüße aus Köln – “déjà vu”'] },
  // Mislabelled UTF-8: the label says a legacy single-byte charset, the bytes are UTF-8.
  { name: 'UTF-8 bytes declared ISO-8859-1', file: 'charset/utf-8-declared-iso-8859-1.xml', contentType: RSS, titles: ['Grüße — “quoted” café, 日本'] },
  { name: 'UTF-8 bytes labelled ISO-8859-1 in the HTTP header', file: 'charset/utf-8-undeclared.xml', contentType: `${RSS}; charset=ISO-8859-1`, titles: ['Naïve café — ½ price'] },
  // Real-world feeds.
  { name: 'RW-C01 windows-1251 declared (ibash.org.ru, via Miniflux)', file: 'real/miniflux/encoding_WINDOWS-1251.xml', contentType: RSS, someTitles: { titles: ['Цитата #17703', 'Цитата #17705', 'Цитата #17707'], count: 50 }, feedTitle: 'iBash.Org.Ru' },
  { name: 'RW-C02 ISO-8859-1 declared (golem.de, via Miniflux)', file: 'real/miniflux/encoding_ISO-8859-1.xml', contentType: 'application/rss+xml', someTitles: { titles: ['Machine Learning: Von KI erstelltes Porträt für 432.500 US.Dollar versteigert', 'Physik: Weg mit der Schönheit!', 'Uniti One: Elektroauto für 15.000 Euro wird in Großbritannien gebaut'], count: 40 } },
  { name: 'RW-C03 ISO-8859-1 without any declaration (le-cercle-psy, via Miniflux)', file: 'real/miniflux/no_encoding_ISO-8859-1.xml', contentType: 'text/xml', someTitles: { titles: ["La criminalité liée surtout à... l'ennui ?", 'Perturbateurs endocriniens : quels effets sur le cerveau ?'], count: 10 } },
  { name: 'RW-C04 KOI8-R declared (Miniflux)', file: 'real/miniflux/encoding-koi8r.xml', contentType: RSS, titles: ['Первая новость', 'Вторая новость'], feedTitle: 'Пример RSS ленты' },
  { name: 'RW-C05 an unknown declared encoding ("invalid") over UTF-8 bytes (Miniflux)', file: 'real/miniflux/encoding-invalid-prolog.xml', contentType: 'application/xml', titles: ['Café'], feedTitle: '테스트 피드' },
  { name: 'RW-C06 UTF-8 bytes declared ISO-8859-1 (Miniflux)', file: 'real/miniflux/encoding-utf8-incorrect-prolog.xml', contentType: 'application/xml', titles: ['Café'], feedTitle: '테스트 피드' },
  { name: 'RW-C07 windows-1252 declared, euro sign at 0x80 (Miniflux)', file: 'real/miniflux/encoding-windows-1252.xml', contentType: 'application/xml', titles: [], feedTitle: 'Euro €' },
  { name: 'RW-C08 UTF-8 bytes declared windows-1252 (Miniflux)', file: 'real/miniflux/encoding-windows-1252-incorrect-prolog.xml', contentType: 'application/xml', titles: [], feedTitle: 'Euro €' },
  { name: 'RW-C09 RSS 0.91 in ISO-8859-1 (dicas-l.com.br, via feed-rs)', file: 'real/feed-rs/rss_0.91_encoding_1.xml', contentType: RSS, titles: ['bash - Expansão de Parâmetros'], feedTitle: 'Dicas-L: Dicas técnicas de Linux e Software Livre' },
  { name: 'RW-C10 RSS 1.0 (RDF) in ISO-8859-1 (golem.de, via feed-rs)', file: 'real/feed-rs/rss_1.0_iso8859.xml', contentType: 'application/rdf+xml', titles: ['Digitalministerium: Neue Glasfaserförderung mit Schnellkasse'] },
  { name: 'RW-C11 UTF-8 right-to-left text in CDATA (BBC Urdu, via Miniflux)', file: 'real/miniflux/urdu_UTF8.xml', contentType: 'text/xml; charset=utf-8', someTitles: { titles: ['امریکی عسکری امداد کی بندش کی وجوہات: انڈیا سے جنگ، جوہری پروگرام اور اب دہشت گردوں کی پشت پناہی'], count: 26 } },
];

describe('charset decoding: the exact titles come out', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const server = await scope.server();
      server.on('/feed', feed(fixtureBytes(c.file), c.contentType));
      const h = await scope.harness({ sources: [{ id: 'charset', url: server.url('/feed') }] });
      await h.run();
      const state = await h.state('charset');
      expect(state, state.lastError ?? '').toMatchObject({ lastOutcome: 'ok' });
      const articles = await h.articles();
      if (c.titles) expect(articles.map((a) => a.title).sort()).toEqual([...c.titles].sort());
      if (c.someTitles) {
        expect(articles).toHaveLength(c.someTitles.count);
        expect(articles.map((a) => a.title)).toEqual(expect.arrayContaining(c.someTitles.titles));
      }
      if (c.feedTitle) expect(state.title).toBe(c.feedTitle);
      for (const article of articles) expect(article.title).not.toMatch(/[\uFFFD\u0080-\u009F]|Ã.|Ð.|â€/);
    });
  }

  it('bodies are decoded too, not only titles (windows-1251 CDATA description)', async () => {
    const server = await scope.server();
    server.on('/feed', feed(fixtureBytes('real/miniflux/encoding_WINDOWS-1251.xml'), RSS));
    const h = await scope.harness({ sources: [{ id: 'charset', url: server.url('/feed') }] });
    await h.run();
    const quote = articleTitled(await h.articles(), 'Цитата #17703');
    expect(quote.contentHtml).toContain('есть у кого жаба программер');
    expect(quote.summary).toContain('есть у кого жаба программер');
  });

  it('the generated feeds carry the decoded text as UTF-8', async () => {
    const server = await scope.server();
    server.on('/feed', feed(fixtureBytes('charset/shift_jis.xml'), RSS));
    const h = await scope.harness({ sources: [{ id: 'charset', url: server.url('/feed') }] });
    await h.run();
    expect(await h.output('all/rss.xml')).toContain('日本語のニュース：東京タワー');
    expect(await h.output('all/atom.xml')).toContain('日本語のニュース：東京タワー');
    const json = JSON.parse(await h.output('all/feed.json')) as { items: { title: string }[] };
    expect(json.items.map((i) => i.title)).toContain('日本語のニュース：東京タワー');
  });
});
