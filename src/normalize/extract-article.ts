import { Parser } from 'htmlparser2';
import { parseHtmlDocument, readabilityArticle, type DomDocument } from '../lib/html-dom.js';
import { htmlToText } from '../lib/html-text.js';
import { stripInvalidXmlChars } from '../lib/xml-chars.js';
import { resolveUrl, sanitizeHtml } from './sanitize-html.js';

/**
 * Readability walks the DOM recursively and re-reads text at every level: at 1,000 levels it takes
 * seconds and at 10,000 it overflows the stack; linkedom needs seconds to build 100,000. Pages past
 * these bounds are refused before a DOM is built (real article pages stay far below both).
 */
export const MAX_PAGE_DEPTH = 200; // levels of nested elements
export const MAX_PAGE_ELEMENTS = 20_000;

export interface ArticlePage {
  /** The page's HTML, already capped in size (see readPage). */
  html: string;
  /** The URL that served it: relative URLs resolve against it (or its <base href>). */
  url: string;
  /** Maps a URL on the mirror that served the page back to the publisher's own host. */
  mapUrl: (url: string) => string;
}

export interface ExtractSettings {
  /** CSS selector of the article body; null lets Readability find it. */
  selector: string | null;
  /** bytes of extracted HTML sanitized, as for feed content */
  maxContentBytes: number;
}

export type ExtractProblemCode = 'FM_PAGE_TOO_COMPLEX' | 'FM_NO_ARTICLE';

export type Extraction =
  | { kind: 'article'; contentHtml: string; /** characters of text */ textChars: number }
  | { kind: 'none'; code: ExtractProblemCode; message: string };

/** A page's HTML → its article, sanitized like feed content, or why there is none. Never throws. */
export function extractArticle(page: ArticlePage, settings: ExtractSettings): Extraction {
  const shape = measureNesting(page.html);
  if (shape.depth > MAX_PAGE_DEPTH) return none('FM_PAGE_TOO_COMPLEX', `the page nests elements more than ${MAX_PAGE_DEPTH} levels deep; not parsed`);
  if (shape.elements > MAX_PAGE_ELEMENTS) return none('FM_PAGE_TOO_COMPLEX', `the page holds more than ${MAX_PAGE_ELEMENTS} elements; not parsed`);
  let raw: string | null;
  let base: string;
  try {
    const document = parseHtmlDocument(page.html);
    base = baseOf(document, page.url);
    raw = settings.selector ? selectBody(document, settings.selector) : readabilityArticle(document, { maxElemsToParse: MAX_PAGE_ELEMENTS });
  } catch (error) {
    // The bounds above keep real pages from here; a RangeError would be the stack.
    return none('FM_PAGE_TOO_COMPLEX', `the page could not be read (${(error as Error).message})`);
  }
  if (!raw) return none('FM_NO_ARTICLE', settings.selector ? `nothing in the page matches the selector ${JSON.stringify(settings.selector)}` : 'Readability found no article in the page');
  // Control characters go here, as for feed content: a page is hostile input too.
  const contentHtml = stripInvalidXmlChars(sanitizeHtml(capBytes(raw, settings.maxContentBytes), base, page.mapUrl));
  const textChars = htmlToText(contentHtml).length;
  if (textChars === 0) return none('FM_NO_ARTICLE', 'the article found in the page has no text');
  return { kind: 'article', contentHtml, textChars };
}

function none(code: ExtractProblemCode, message: string): Extraction {
  return { kind: 'none', code, message };
}

/** Deepest nesting and number of elements, read by a streaming parser that keeps no tree. */
export function measureNesting(html: string): { depth: number; elements: number } {
  let depth = 0;
  let deepest = 0;
  let elements = 0;
  let stopped = false;
  const parser = new Parser(
    {
      onopentag() {
        depth++;
        elements++;
        if (depth > deepest) deepest = depth;
        if (!stopped && (deepest > MAX_PAGE_DEPTH || elements > MAX_PAGE_ELEMENTS)) {
          stopped = true;
          parser.pause();
        }
      },
      onclosetag() {
        depth--;
      },
    },
    { lowerCaseTags: true },
  );
  parser.write(html);
  if (!stopped) parser.end();
  return { depth: deepest, elements };
}

/** Every element the selector matches, in document order (a selector may name the paragraphs themselves). */
function selectBody(document: DomDocument, selector: string): string | null {
  const matches = Array.from(document.querySelectorAll(selector));
  return matches.length > 0 ? matches.map((element) => element.outerHTML).join('\n') : null;
}

/** The page's <base href> when it is http(s), else the page's own URL. */
function baseOf(document: DomDocument, url: string): string {
  const href = document.querySelector('base[href]')?.getAttribute('href');
  return (href && resolveUrl(href, url)?.replace(/^mailto:.*/, '')) || url;
}

function capBytes(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 4 || Buffer.byteLength(text) <= maxBytes) return text;
  return Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}
