import { decodeHTMLStrict } from 'entities';

/**
 * Element names of HTML (the living standard, with the obsolete ones old feeds still carry). Only
 * a tag naming one of these counts as markup: "List<String>" or "x<y" is text.
 */
const HTML_ELEMENTS = new Set(
  (
    'a abbr acronym address area article aside audio b bdi bdo big blink blockquote body br button canvas caption center cite code col colgroup ' +
    'data datalist dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 ' +
    'head header hgroup hr html i iframe img input ins kbd label legend li link main map mark marquee math menu meta meter nav nobr noscript ' +
    'object ol optgroup option output p param picture pre progress q rp rt ruby s samp script search section select slot small source span ' +
    'strike strong style sub summary sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr'
  ).split(' '),
);

/** `<b>`, `</sup>`, `<br/>`, `<img src="…">`: a whole tag (sticky: matched where a `<` was found) and its name. */
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?\/?>/y;
const TAG_START = /<\/?[a-zA-Z]/g;
const ENTITY = /&(?:#[0-9]+|#[xX][0-9a-fA-F]+|([a-zA-Z][a-zA-Z0-9]*));/g;

/**
 * Whether text from a field whose type the format leaves open (RSS and RDF titles, authors and
 * categories; JSON Feed's plain-text fields, which real generators fill with their RSS titles) is
 * HTML. Python feedparser's test (`looks_like_html`), a little stricter on tags: there must be a
 * closing tag or a character reference, every `<` before a letter must open or close a whole tag
 * of a known HTML element, and every named reference must be one HTML defines. So "a < b", "AT&T",
 * "x<y", "<3" and "the <br> element" stay text, while "&#x0024;1725 525ft<sup>2</sup>" and
 * "Tom &amp; Jerry" are HTML.
 */
export function looksLikeHtml(text: string): boolean {
  let evidence = false;
  for (const start of text.matchAll(TAG_START)) {
    TAG.lastIndex = start.index;
    const tag = TAG.exec(text);
    if (!tag || !HTML_ELEMENTS.has(tag[2]!.toLowerCase())) return false;
    if (tag[1] === '/') evidence = true;
  }
  for (const reference of text.matchAll(ENTITY)) {
    if (reference[1] !== undefined && decodeHTMLStrict(reference[0]) === reference[0]) return false;
    evidence = true;
  }
  return evidence;
}
