import Parser from 'rss-parser';
import { decodeHTMLStrict } from 'entities';
import { isXmlChar } from '../lib/xml-chars.js';
import { FeedmirrorError } from '../model/errors.js';
import { canonicalizeNames } from './canonical-names.js';
import { mapC1Controls } from './c1-controls.js';

/**
 * rss-parser keeps only the first link, author and category and drops attributes; these keep them
 * raw, with every element Python feedparser reads for an entry's fields (Dublin Core and DC Terms
 * beside the core elements, iTunes and Media RSS fallbacks, xhtml:body). Names are canonical (canonical-names.ts).
 */
const ITEM_FIELDS: [string, string, { keepArray: true }][] = [
  ['$', 'fmAttributes'], ['link', 'fmLinks'], ['atom:link', 'fmAtomLinks'], ['author', 'fmAuthors'], ['dc:creator', 'fmCreators'],
  ['dc:author', 'fmDcAuthors'], ['itunes:author', 'fmItunesAuthor'], ['title', 'fmTitle'], ['dc:title', 'fmDcTitle'],
  ['media:title', 'fmMediaTitle'], ['content', 'fmContent'], ['summary', 'fmSummary'], ['description', 'fmDescription'],
  ['dc:description', 'fmDcDescription'], ['itunes:summary', 'fmItunesSummary'], ['media:description', 'fmMediaDescription'],
  ['content:encoded', 'fmEncoded'], ['body', 'fmBody'], ['xhtml:body', 'fmXhtmlBody'], ['fullitem', 'fmFullitem'],
  ['published', 'fmPublished'], ['updated', 'fmUpdated'], ['issued', 'fmIssued'], ['modified', 'fmModified'], ['created', 'fmCreated'],
  ['pubDate', 'fmPubDate'], ['dc:date', 'fmDcDate'], ['dcterms:issued', 'fmDctermsIssued'], ['dcterms:created', 'fmDctermsCreated'],
  ['dcterms:modified', 'fmDctermsModified'], ['media:content', 'fmMediaContent'], ['media:thumbnail', 'fmMediaThumbnail'],
  ['media:group', 'fmMediaGroup'], ['enclosure', 'fmEnclosures'], ['category', 'fmCategories'], ['dc:subject', 'fmSubjects'],
  ['guid', 'fmGuid'], ['id', 'fmId'], ['dc:language', 'fmLanguage'], ['itunes:image', 'fmItunesImage'],
].map(([from, to]) => [from!, to!, { keepArray: true }]);
const FEED_FIELDS: [string, string, { keepArray: true }][] = [
  ['$', 'fmAttributes'], ['title', 'fmTitle'], ['link', 'fmLinks'], ['atom:link', 'fmAtomLinks'], ['dc:language', 'fmLanguage'], ['subtitle', 'fmSubtitle'],
  ['description', 'fmDescription'], ['tagline', 'fmTagline'], ['author', 'fmAuthors'],
].map(([from, to]) => [from!, to!, { keepArray: true }]);

/**
 * Dates rss-parser converts itself: it throws for the whole feed on one it cannot read, so
 * unreadable ones are blanked first (the names are as written: a prefixed Atom document's too).
 */
const ATOM_DATE_ELEMENTS = new Set(['published', 'updated', 'issued', 'modified', 'created']);
const isDateRssParserReads = (name: string) => ATOM_DATE_ELEMENTS.has(name) || /^[^:]+:(published|updated)$/.test(name);

export type RawRecord = Record<string, unknown>;

/**
 * The xml2js tree of a feed document, through rss-parser with the fields it would drop kept raw.
 * A new rss-parser per call: a shared one keeps xml2js state between parses and then accepts
 * malformed feeds (tests/remote/rss-parser-workarounds.test.ts).
 */
export async function readXmlTree(xml: string): Promise<RawRecord> {
  try {
    return await newParser().readTree(xml);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // Undeclared or DOCTYPE-declared entities: read them as literal text (never expanded, so no entity bombs or XXE).
    if (!/Invalid character entity/i.test(message)) throw new FeedmirrorError('FM_PARSE', firstLine(message), { cause: error });
    try {
      return await newParser().readTree(neutralizeEntities(xml));
    } catch (retryError) {
      throw new FeedmirrorError('FM_PARSE', firstLine((retryError as Error).message), { cause: retryError });
    }
  }
}

/** rss-parser's members its type declarations leave out. */
interface RssParserInternals {
  xmlParser: { parseString(xml: string, done: (error: Error | null, result: RawRecord | null) => void): void };
  parseItemAtom(entry: unknown): RawRecord;
  buildAtomFeed(tree: RawRecord): RawRecord;
  buildRSS(channel: unknown, items: unknown): RawRecord;
}

/**
 * rss-parser with three changes. Element names are made canonical by namespace before its
 * readers see them (canonical-names.ts). RSS whose items sit in <rss> or <rdf:RDF> without a
 * <channel> is read, as Python feedparser reads it, where rss-parser throws. And xml2js hands an
 * <entry> with no child element (`<entry/>`, `<entry>text</entry>`) over as a string, which
 * rss-parser reads with String's own methods (`''.link`), throwing for the whole feed: such an
 * entry is read as the empty entry it is.
 */
class LenientParser extends Parser<RawRecord, RawRecord> {
  /** rss-parser's parseString, with the element names made canonical between xml2js and its readers. */
  readTree(xml: string): Promise<RawRecord> {
    const self = this as unknown as RssParserInternals;
    return new Promise((resolve, reject) => {
      self.xmlParser.parseString(xml, (error, tree) => {
        if (error) return reject(error);
        if (!tree) return reject(new FeedmirrorError('FM_PARSE', 'Unable to parse XML.'));
        try {
          resolve(this.buildFeed(canonicalizeNames(tree)));
        } catch (buildError) {
          reject(buildError as Error);
        }
      });
    });
  }

  parseItemAtom(entry: unknown): RawRecord {
    const own = (Parser.prototype as unknown as RssParserInternals).parseItemAtom;
    return own.call(this, typeof entry === 'object' && entry !== null ? entry : {});
  }

  private buildFeed(tree: RawRecord): RawRecord {
    const self = this as unknown as RssParserInternals;
    if (tree.feed) return self.buildAtomFeed(tree);
    const root = (tree.rss ?? tree['rdf:RDF']) as RawRecord | string | undefined;
    if (root === undefined) throw new FeedmirrorError('FM_PARSE', 'Feed not recognized as RSS 1 or 2.');
    const outer = typeof root === 'object' ? root : {};
    const channel = firstOf(outer.channel) ?? outer;
    // RSS 0.9x/2.0 nest items in <channel>, RSS 0.90/1.0 beside it; either may lack the <channel>.
    const items = (typeof channel === 'object' ? (channel as RawRecord).item : undefined) ?? outer.item;
    return self.buildRSS(channel, items);
  }
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}

function newParser() {
  return new LenientParser({
    customFields: { feed: FEED_FIELDS as never, item: ITEM_FIELDS as never },
    xml2js: {
      valueProcessors: [(value: string, name: string) => mapC1Controls(isDateRssParserReads(name) && Number.isNaN(Date.parse(value.trim())) ? '' : value)],
      attrValueProcessors: [(value: string) => mapC1Controls(value)],
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
