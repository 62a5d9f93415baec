import { Parser } from 'htmlparser2';

/** Their text is not text a reader sees. */
const NON_TEXT_TAGS = new Set(['script', 'style', 'textarea', 'noscript', 'template']);
/** Tags that end a line or a block: a space takes their place, so words on either side stay apart. */
const BREAKING_TAGS = new Set(['br', 'p', 'div', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'td', 'th', 'tr', 'blockquote', 'figcaption']);

/**
 * HTML → plain text: tags dropped (script and style with their content), entities decoded,
 * whitespace collapsed. Block ends and <br> become spaces; inline tags vanish without one, so
 * "<em>cat</em>egorical" stays the one word "categorical".
 *
 * With `minChars`, parsing stops once the text is surely longer than that: a summary cut at 500
 * characters needs the start of a long article, not all of it. The result then starts exactly as
 * the full text does and is at least `minChars + 1` characters long.
 */
export function htmlToText(html: string, minChars = Infinity): string {
  const parts: string[] = [];
  let skipDepth = 0;
  let length = 0;
  // Characters other than whitespace (a lower bound on the length of the collapsed text), counted
  // only once the raw text is long enough to matter: most titles and summaries never are.
  let visible = -1;
  const parser = new Parser(
    {
      onopentag(name) {
        if (skipDepth > 0 || NON_TEXT_TAGS.has(name)) skipDepth++;
      },
      onclosetag(name) {
        if (skipDepth > 0) skipDepth--;
        else if (BREAKING_TAGS.has(name)) parts.push(' ');
      },
      ontext(text) {
        if (skipDepth > 0) return;
        parts.push(text);
        length += text.length;
        if (length <= minChars) return;
        visible = visible < 0 ? countVisible(parts.join('')) : visible + countVisible(text);
        if (visible > minChars) parser.pause();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  if (!(visible > minChars)) parser.end();
  return parts.join('').replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

function countVisible(text: string): number {
  return text.replace(/[\s\u00a0\u200b]+/g, '').length;
}
