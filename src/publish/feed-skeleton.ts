import { randomBytes } from 'node:crypto';

/**
 * `feed` writes the head of each XML document (title, dates, stylesheet, hub and self links); we
 * write the rest. It cannot write several links, exact ids or extension elements, so one of its
 * elements carries a placeholder (a fresh random nonce per render, which no input can contain)
 * and that element's line is replaced by our own lines; our items go before the closing tag. No
 * XML re-parse, and the nonce never reaches the output.
 */
export function newPlaceholder(): string {
  return `urn:feedmirror-slot:${randomBytes(12).toString('hex')}`;
}

/** Replaces the line holding `placeholder` with `lines`, indented as that line was. */
export function replacePlaceholderLine(xml: string, placeholder: string, lines: string[]): string {
  const at = xml.indexOf(placeholder);
  if (at === -1) throw new Error('publish: placeholder not found in generated feed');
  const lineStart = xml.lastIndexOf('\n', at) + 1;
  const newline = xml.indexOf('\n', at);
  const indent = /^[ \t]*/.exec(xml.slice(lineStart, at))![0];
  return `${xml.slice(0, lineStart)}${indentLines(lines, indent)}${newline === -1 ? '' : xml.slice(newline)}`;
}

/** Puts the rendered items before the document's closing tag (`</channel>`, `</feed>`). */
export function appendItems(xml: string, closingTag: string, items: string[]): string {
  if (items.length === 0) return xml;
  const at = xml.lastIndexOf(closingTag);
  if (at === -1) throw new Error(`publish: ${closingTag} not found in generated feed`);
  const lineStart = xml.lastIndexOf('\n', at) + 1;
  return `${xml.slice(0, lineStart)}${items.join('\n')}\n${xml.slice(lineStart)}`;
}

/** Indents each line of a block of elements to sit where it goes. */
export function indentLines(lines: string[], indent: string): string {
  return lines
    .flatMap((line) => line.split('\n'))
    .map((line) => `${indent}${line}`)
    .join('\n');
}

/** A URL as `feed` writes one (WHATWG-serialized), so our items match its head. */
export function normalizedUrl(url: string): string {
  return new URL(url).href;
}
