import { copyFile, mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeed } from '../src/ingest/parse-seed.js';
import { FeedmirrorError } from '../src/model/errors.js';
import type { ParsedSeed, SeedFile } from '../src/model/seed.js';
import { normalizeSeed, type SeedContext } from '../src/normalize/normalize-seed.js';
import { BAD_SEEDS } from './helpers/bad-seeds.js';
import { FIXTURE_SEEDS, SAMPLE_HEADLINE, SAMPLE_ID, SAMPLE_SEED } from './helpers/workspace.js';

/** A fixed mtime for tests that are not about mtime: after every date in the fixtures. */
const FIXED_MTIME = new Date('2020-01-08T10:00:00Z');

async function fixtureSeed(name: string, mtime = FIXED_MTIME): Promise<SeedFile> {
  const file = path.join(FIXTURE_SEEDS, name);
  return { path: file, name, bytes: await readFile(file), mtime };
}

function seedFromBytes(name: string, bytes: Buffer | string, mtime = FIXED_MTIME): SeedFile {
  return { path: `/seeds/${name}`, name, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'), mtime };
}

const context = (overrides: Partial<SeedContext> = {}): SeedContext => ({
  sourceId: 'seeds',
  siteUrl: 'https://feeds.example.org/',
  siteMirrors: ['https://feeds-mirror.example.net/'],
  sourceMirrors: [],
  takenIds: new Set(),
  ...overrides,
});

let tempDir: string;
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-seed-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

/** Copies a fixture to a temp folder, sets its mtime with fs.utimes and reads it back as the seed reader would. */
async function seedWithMtime(name: string, mtime: Date): Promise<SeedFile> {
  const file = path.join(tempDir, `${mtime.getTime()}-${name}`);
  await copyFile(path.join(FIXTURE_SEEDS, name), file);
  await utimes(file, mtime, mtime);
  const info = await stat(file);
  return { path: file, name, bytes: await readFile(file), mtime: info.mtime };
}

/**
 * "Never lose text silently": every non-empty line of the input is the headline, part of a body
 * paragraph, a caption (text + credit), the footer or one of its hosts, or a recorded chrome line.
 */
function unaccountedLines(text: string, seed: ParsedSeed): string[] {
  const clean = (line: string) => line.replace(/[ \t\u00a0\u200b\f\v]+/g, ' ').trim();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/).map(clean).filter(Boolean);
  return lines.filter((line) => {
    if (line === seed.headline) return false;
    if (seed.paragraphs.some((p) => p.includes(line))) return false;
    if (seed.captions.some((c) => c.text.includes(line) || (line.startsWith(c.text) && line.includes(c.credit)))) return false;
    if (seed.droppedChrome.includes(line)) return false;
    const publisher = seed.publisher;
    if (publisher && line.startsWith(publisher.name) && /alternate addresses/i.test(line)) return false;
    if (publisher?.hosts.some((host) => line.toLowerCase().includes(host))) return false;
    return true;
  });
}

describe('seed parser: the real sample (000_d7ec912073c84491.txt)', () => {
  const parse = async () => parseSeed(await fixtureSeed(SAMPLE_SEED));
  const article = async () => normalizeSeed(await parse(), context());

  it('takes the exact first line as the headline', async () => {
    expect((await parse()).headline).toBe(SAMPLE_HEADLINE);
    expect((await article()).title).toBe(SAMPLE_HEADLINE);
  });

  it('dates it 2016-12-15 from the text', async () => {
    const seed = await parse();
    expect(seed.date).toEqual({ iso: '2016-12-15T12:00:00.000Z', from: 'text' });
    const a = await article();
    expect(a.published.slice(0, 10)).toBe('2016-12-15');
    expect(a.dateSource).toBe('text');
  });

  it('finds 14 body paragraphs', async () => {
    expect((await parse()).paragraphs).toHaveLength(14);
    expect((await article()).contentHtml.match(/<p>/g)).toHaveLength(14);
  });

  it('finds 3 photo captions, each credited AFP, rendered as <figure><figcaption>', async () => {
    const seed = await parse();
    expect(seed.captions).toHaveLength(3);
    expect(seed.captions.map((c) => c.credit)).toEqual(['AFP', 'AFP', 'AFP']);
    expect(seed.captions.map((c) => c.position)).toEqual([0, 6, 11]);
    expect(seed.captions[1]!.text).toBe('Residents in Aleppo celebrate the liberation of their city on December 15, 2016.');
    const a = await article();
    expect(a.images).toEqual(seed.captions.map((c) => ({ url: null, caption: c.text, credit: 'AFP' })));
    const figures = a.contentHtml.match(/<figure><figcaption>[^]*?<\/figcaption><\/figure>/g) ?? [];
    expect(figures).toHaveLength(3);
    seed.captions.forEach((caption, i) => expect(figures[i]).toContain(caption.text));
    // the credit in the publisher's words, not rewritten ("(Photo: AFP)")
    for (const figure of figures) expect(figure).toMatch(/ <small>\(Photo by AFP\)<\/small><\/figcaption>/);
    expect(a.contentHtml).not.toContain('(Photo:');
    // captions are not also body paragraphs
    for (const caption of seed.captions) expect(seed.paragraphs.some((p) => p.includes(caption.text))).toBe(false);
  });

  it('reads the publisher "Press TV" and its host from the footer', async () => {
    expect((await parse()).publisher).toEqual({ name: 'Press TV', hosts: ['www.presstv.co.uk'] });
    expect((await article()).publisher).toEqual({ name: 'Press TV', hosts: ['www.presstv.co.uk'] });
  });

  it('keeps the footer and page chrome out of the content', async () => {
    const seed = await parse();
    const a = await article();
    for (const text of ['SHARE THIS ARTICLE', 'Roku', 'alternate addresses', 'www.presstv.co.uk']) {
      expect(a.contentHtml).not.toContain(text);
      expect(seed.paragraphs.join('\n')).not.toContain(text);
    }
    expect(seed.droppedChrome).toEqual(['SHARE THIS ARTICLE', 'Press TV News Roku']);
  });

  it('loses no text', async () => {
    const file = await fixtureSeed(SAMPLE_SEED);
    expect(unaccountedLines(file.bytes.toString('utf8'), parseSeed(file))).toEqual([]);
  });

  it('derives the stable id, link and site-mirror URLs from the file name', async () => {
    const a = await article();
    expect(a.id).toBe(SAMPLE_ID);
    expect(a.guid).toBe(`urn:feedmirror:seed:${SAMPLE_ID}`);
    expect(a.url).toBe(`https://feeds.example.org/articles/${SAMPLE_ID}.html`);
    expect(a.mirrors).toEqual([{ url: `https://feeds-mirror.example.net/articles/${SAMPLE_ID}.html`, kind: 'https', origin: 'site' }]);
  });

  it('is deterministic: same bytes, same article', async () => {
    expect(await article()).toEqual(await article());
  });
});

interface SeedCase {
  id: string;
  name: string;
  file: string;
  /** Set with fs.utimes on a copy, for cases whose date depends on it. */
  mtime?: Date;
  check: (seed: ParsedSeed, file: SeedFile) => void | Promise<void>;
}

const SEED_CASES: SeedCase[] = [
  {
    id: 'SEED-01',
    name: 'CRLF line endings parse exactly like LF',
    file: 'crlf.txt',
    check: async (seed, file) => {
      expect(file.bytes.includes('\r\n')).toBe(true); // guards against the fixture being normalized by git
      const lf = parseSeed(await fixtureSeed(SAMPLE_SEED));
      expect({ ...seed, stem: lf.stem }).toEqual(lf);
      expect([seed.headline, ...seed.paragraphs].join('')).not.toContain('\r');
    },
  },
  {
    id: 'SEED-02',
    name: 'a UTF-8 byte order mark is not part of the headline',
    file: 'bom.txt',
    check: async (seed, file) => {
      expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(seed.headline).toBe(SAMPLE_HEADLINE);
      const lf = parseSeed(await fixtureSeed(SAMPLE_SEED));
      expect({ ...seed, stem: lf.stem }).toEqual(lf);
    },
  },
  {
    id: 'SEED-03',
    name: 'no footer: no publisher, every paragraph is body',
    file: 'no-footer.txt',
    check: (seed) => {
      expect(seed.publisher).toBeNull();
      expect(seed.paragraphs).toHaveLength(3);
      expect(seed.captions).toEqual([{ text: 'Workers inspect the old depot that will house the new trams.', credit: 'Reuters', creditText: '(Photo by Reuters)', position: 1 }]);
      expect(normalizeSeed(seed, context()).publisher).toBeNull();
      // hosts configured on the source make a publisher named after the source
      expect(normalizeSeed(seed, context({ sourceId: 'city', sourceMirrors: ['city.example.net'] })).publisher).toEqual({ name: 'city', hosts: ['city.example.net'] });
    },
  },
  {
    id: 'SEED-04',
    name: 'no date anywhere: the file mtime (to the second), recorded as mtime',
    file: 'no-date.txt',
    mtime: new Date('2021-05-06T07:08:09.000Z'),
    check: (seed) => {
      expect(seed.date).toEqual({ iso: '2021-05-06T07:08:09.000Z', from: 'mtime' });
      expect(normalizeSeed(seed, context()).dateSource).toBe('mtime');
    },
  },
  {
    id: 'SEED-05',
    name: 'weekday only ("on Tuesday"): the last Tuesday on or before the mtime',
    file: 'weekday-only.txt',
    mtime: new Date('2024-03-14T09:30:00Z'), // a Thursday
    check: (seed) => {
      expect(seed.date).toEqual({ iso: '2024-03-12T12:00:00.000Z', from: 'text-weekday' });
      expect(new Date(seed.date.iso).getUTCDay()).toBe(2);
    },
  },
  {
    id: 'SEED-06',
    name: 'weekday only, mtime on that weekday: that same day',
    file: 'weekday-only.txt',
    mtime: new Date('2024-03-12T23:59:00Z'), // a Tuesday
    check: (seed) => expect(seed.date).toEqual({ iso: '2024-03-12T12:00:00.000Z', from: 'text-weekday' }),
  },
  {
    id: 'SEED-07',
    name: 'weekday only, mtime the day after: the day before',
    file: 'weekday-only.txt',
    mtime: new Date('2024-03-13T00:00:01Z'), // a Wednesday
    check: (seed) => expect(seed.date).toEqual({ iso: '2024-03-12T12:00:00.000Z', from: 'text-weekday' }),
  },
  {
    id: 'SEED-08',
    name: 'several dates: the most mentioned one (with its weekday), not older or future ones',
    file: 'multiple-dates.txt',
    mtime: new Date('2017-06-13T08:00:00Z'),
    check: (seed) => {
      expect(seed.date).toEqual({ iso: '2017-06-12T12:00:00.000Z', from: 'text' });
      expect(seed.captions).toEqual([{ text: 'Judges read the ruling in a packed courtroom on June 12, 2017.', credit: 'AP', creditText: '(Photo by AP)', position: 2 }]);
    },
  },
  {
    id: 'SEED-09',
    name: 'two dates mentioned once each: the one whose weekday the text names',
    file: 'weekday-tiebreak.txt',
    check: (seed) => expect(seed.date).toEqual({ iso: '2018-01-09T12:00:00.000Z', from: 'text' }),
  },
  {
    id: 'SEED-10',
    name: 'other credit forms make captions; a parenthesis that is not a photo credit stays body',
    file: 'credit-forms.txt',
    check: (seed) => {
      expect(seed.captions.map((c) => [c.text, c.credit, c.creditText])).toEqual([
        ['Rescue workers evacuate residents by boat.', 'Reuters', '(Photo via Reuters)'],
        ['A flooded street in the town centre.', 'AFP', '(AFP photo)'],
        ['Residents clear mud from a shop.', 'Getty Images', '(Photo: Getty Images)'],
        ['Soldiers fill sandbags near the harbour.', 'Reuters', '(Reuters file photo)'],
      ]);
      // pages show each credit as the publisher wrote it; the credit itself stays data on the image
      const article = normalizeSeed(seed, context());
      for (const caption of seed.captions) expect(article.contentHtml).toContain(`${caption.text} <small>${caption.creditText}</small></figcaption>`);
      expect(article.images.map((i) => i.credit)).toEqual(['Reuters', 'AFP', 'Getty Images', 'Reuters']);
      expect(seed.paragraphs).toEqual([
        'Heavy rain caused floods in several coastal towns, the emergency services said.',
        'The damage was assessed by the International Committee of the Red Cross (ICRC)',
        'Aid arrived in the evening, officials said. (AFP)',
      ]);
    },
  },
  {
    id: 'SEED-11',
    name: 'page chrome (share, app promos, follow, advertisement) is dropped; a long sentence naming Roku is not',
    file: 'chrome.txt',
    check: (seed) => {
      expect(seed.droppedChrome).toEqual(['SHARE THIS ARTICLE', 'Download our app on Google Play', 'Follow us on Twitter', 'Advertisement', 'Press TV News Roku']);
      expect(seed.paragraphs).toHaveLength(3);
      expect(seed.paragraphs[2]).toMatch(/^Critics say museums .* smart TV news apps across the country\.$/);
      const html = normalizeSeed(seed, context()).contentHtml;
      for (const chrome of seed.droppedChrome) expect(html).not.toContain(chrome);
    },
  },
  {
    id: 'SEED-12',
    name: 'after the footer: hosts (bare or as URLs) go to the publisher, chrome is dropped, other text stays in the body',
    file: 'after-footer.txt',
    check: (seed) => {
      expect(seed.publisher).toEqual({ name: 'Example News', hosts: ['www.examplenews.co.uk', 'examplenews.tv', 'examplenews.example.net'] });
      expect(seed.paragraphs).toEqual([
        'Ministers from three countries met to discuss how to share the water of the river during droughts.',
        'The talks will continue next month, a spokesman said.',
        "Editor's note: an earlier version of this article misstated the number of countries at the talks.",
      ]);
      expect(seed.droppedChrome).toEqual(['SHARE THIS ARTICLE', 'Example News Roku']);
      const html = normalizeSeed(seed, context()).contentHtml;
      expect(html).toContain("<p>Editor's note: an earlier version");
      expect(html).not.toContain('alternate addresses');
      expect(html).not.toContain('examplenews.tv');
    },
  },
];

describe('seed parser: crafted cases', () => {
  for (const seedCase of SEED_CASES) {
    it(`${seedCase.id}: ${seedCase.name}`, async () => {
      const file = seedCase.mtime ? await seedWithMtime(seedCase.file, seedCase.mtime) : await fixtureSeed(seedCase.file);
      const seed = parseSeed(file);
      await seedCase.check(seed, file);
      expect(unaccountedLines(file.bytes.toString('utf8'), seed)).toEqual([]);
    });
  }
});

describe('seed parser: bad input is refused with a clear reason', () => {
  for (const bad of BAD_SEEDS) {
    it(`${bad.name}: ${bad.code}`, () => {
      let error: unknown;
      try {
        parseSeed(seedFromBytes(bad.name, bad.bytes));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FeedmirrorError);
      expect(error).toMatchObject({ code: bad.code, stage: 'seeds' });
      expect((error as FeedmirrorError).message).toMatch(bad.reason);
    });
  }

  // The offset is where the bad character starts, not where the decoder noticed (the byte after it).
  const OFFSETS: [string, string, number][] = [
    ['a Latin-1 é before a newline', 'Caf\xe9\nbody\n', 3],
    ['a Latin-1 é at the very end', 'Caf\xe9', 3],
    ['a stray 0xFF after valid UTF-8', 'caf\xc3\xa9 \xff\n', 6],
    ['a cut-off 4-byte character', 'ok \xf0\x9f\x98\n', 3],
  ];
  for (const [name, latin1, offset] of OFFSETS) {
    it(`names the offset of the first invalid UTF-8 byte: ${name}`, () => {
      expect(() => parseSeed(seedFromBytes('bad.txt', Buffer.from(latin1, 'latin1')))).toThrow(`first bad byte at offset ${offset})`);
    });
  }

  it('accepts text with a few form feeds or tabs (not binary)', () => {
    const seed = parseSeed(seedFromBytes('tabs.txt', 'Headline\twith tab\n\n\fBody paragraph.\n'));
    expect(seed.headline).toBe('Headline with tab');
    expect(seed.paragraphs).toEqual(['Body paragraph.']);
  });
});
