import sanitize from 'sanitize-html';
import { decodeHTML } from 'entities';

/**
 * HTML → plain text: tags dropped (script and style with their content), entities decoded,
 * whitespace collapsed. Block ends and <br> become spaces; inline tags vanish without one, so
 * "<em>cat</em>egorical" stays the one word "categorical".
 */
export function htmlToText(html: string): string {
  const text = sanitize(html.replace(/<(br|\/p|\/div|\/li|\/h\d|\/td|\/th|\/tr|\/blockquote|\/figcaption)\b[^>]*>/gi, ' $&'), {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ['script', 'style', 'textarea', 'noscript', 'template'],
  });
  return decodeHTML(text).replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}
