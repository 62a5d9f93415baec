import Parser from 'rss-parser';
import { decodeHTMLStrict } from 'entities';
import { isXmlChar } from '../lib/xml-chars.js';
import { FeedmirrorError } from '../model/errors.js';

/** rss-parser keeps only the first link, author and category and drops attributes; these keep them raw. */
const ITEM_FIELDS: [string, string, { keepArray: true }][] = [
  ['$', 'fmAttributes'], ['link', 'fmLinks'], ['atom:link', 'fmAtomLinks'], ['author', 'fmAuthors'], ['dc:creator', 'fmCreators'],
  ['itunes:author', 'fmItunesAuthor'], ['title', 'fmTitle'], ['content', 'fmContent'], ['summary', 'fmSummary'],
  ['description', 'fmDescription'], ['content:encoded', 'fmEncoded'], ['published', 'fmPublished'], ['updated', 'fmUpdated'],
  ['issued', 'fmIssued'], ['modified', 'fmModified'], ['created', 'fmCreated'], ['pubDate', 'fmPubDate'], ['dc:date', 'fmDcDate'],
  ['media:content', 'fmMediaContent'], ['media:thumbnail', 'fmMediaThumbnail'], ['media:group', 'fmMediaGroup'],
  ['enclosure', 'fmEnclosures'], ['category', 'fmCategories'], ['dc:subject', 'fmSubjects'], ['guid', 'fmGuid'], ['id', 'fmId'],
  ['dc:language', 'fmLanguage'], ['itunes:image', 'fmItunesImage'],
].map(([from, to]) => [from!, to!, { keepArray: true }]);
const FEED_FIELDS: [string, string, { keepArray: true }][] = [
  ['$', 'fmAttributes'], ['title', 'fmTitle'], ['link', 'fmLinks'], ['atom:link', 'fmAtomLinks'], ['dc:language', 'fmLanguage'], ['subtitle', 'fmSubtitle'],
  ['description', 'fmDescription'], ['tagline', 'fmTagline'], ['author', 'fmAuthors'],
].map(([from, to]) => [from!, to!, { keepArray: true }]);

/** Dates rss-parser converts itself: it throws for the whole feed on one it cannot read, so unreadable ones are blanked first. */
const ATOM_DATE_ELEMENTS = new Set(['published', 'updated', 'issued', 'modified', 'created']);

export type RawRecord = Record<string, unknown>;

/**
 * The xml2js tree of a feed document, through rss-parser with the fields it would drop kept raw.
 * A new rss-parser per call: a shared one keeps xml2js state between parses and then accepts
 * malformed feeds (tests/remote/rss-parser-workarounds.test.ts).
 */
export async function readXmlTree(xml: string): Promise<RawRecord> {
  try {
    return await newParser().parseString(xml);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // Undeclared or DOCTYPE-declared entities: read them as literal text (never expanded, so no entity bombs or XXE).
    if (!/Invalid character entity/i.test(message)) throw new FeedmirrorError('FM_PARSE', firstLine(message), { cause: error });
    try {
      return await newParser().parseString(neutralizeEntities(xml));
    } catch (retryError) {
      throw new FeedmirrorError('FM_PARSE', firstLine((retryError as Error).message), { cause: retryError });
    }
  }
}

/** rss-parser's reader of one Atom entry, which its type declarations leave out. */
interface AtomEntryReader {
  parseItemAtom(entry: unknown): RawRecord;
}

/**
 * xml2js hands an <entry> with no child element (`<entry/>`, `<entry>text</entry>`) over as a
 * string, and rss-parser reads its links with String's own methods (`''.link`), throwing for the
 * whole feed: such an entry is read as the empty entry it is.
 */
class LenientParser extends Parser<RawRecord, RawRecord> {
  parseItemAtom(entry: unknown): RawRecord {
    const own = (Parser.prototype as unknown as AtomEntryReader).parseItemAtom;
    return own.call(this, typeof entry === 'object' && entry !== null ? entry : {});
  }
}

function newParser() {
  return new LenientParser({
    customFields: { feed: FEED_FIELDS as never, item: ITEM_FIELDS as never },
    defaultRSS: 2,
    xml2js: {
      valueProcessors: [(value: string, name: string) => (ATOM_DATE_ELEMENTS.has(name) && Number.isNaN(Date.parse(value.trim())) ? '' : value)],
    },
  });
}

/** Drops the DOCTYPE (with any entity definitions) and escapes entity references that are neither XML's nor HTML's. */
export function neutralizeEntities(xml: string): string {
  return xml
    .replace(/<!DOCTYPE[^[>]*(\[[\s\S]*?\]\s*)?>/i, '')
    // references to characters XML forbids (&#1;, &#x1F;): dropped, as the characters themselves are later
    .replace(/&#(?:x0*([0-9a-f]{1,6})|0*(\d{1,7}));/gi, (ref, hex?: string, dec?: string) => (isXmlChar(hex ? parseInt(hex, 16) : Number(dec)) ? ref : ''))
    .replace(/&([a-z_][\w.-]*);/gi, (ref, name: string) => (decodeHTMLStrict(ref) !== ref || /^(amp|lt|gt|quot|apos)$/.test(name) ? ref : `&amp;${name};`));
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
