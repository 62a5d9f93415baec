import { randomBytes } from 'node:crypto';

/** Random, made when the process starts and never written out: no input can contain it. */
const PROCESS_NONCE = randomBytes(12).toString('hex');
let renders = 0;

/**
 * `feed` writes the head of each XML document (title, dates, stylesheet, hub and self links); we
 * write the rest. It cannot write several links, exact ids or extension elements, so one of its
 * elements carries a placeholder (a random nonce of this process and a counter, unique to each
 * render) and that element's line is replaced by our own lines; our items go before the closing
 * tag. No XML re-parse, and the nonce never reaches the output.
 */
export function newPlaceholder(): string {
  renders += 1;
  return `urn:feedmirror-slot:${PROCESS_NONCE}-${renders}`;
}

/** Replaces the line holding `placeholder` with `lines`, indented as that line was. */
function replacePlaceholderLine(xml: string, placeholder: string, lines: string[]): string {
  const at = xml.indexOf(placeholder);
  if (at === -1) throw new Error('publish: placeholder not found in generated feed');
  const lineStart = xml.lastIndexOf('\n', at) + 1;
  const newline = xml.indexOf('\n', at);
  const indent = /^[ \t]*/.exec(xml.slice(lineStart, at))![0];
  return `${xml.slice(0, lineStart)}${indentLines(lines, indent)}${newline === -1 ? '' : xml.slice(newline)}`;
}

/** The finished document: `feed`'s head with the placeholder line replaced by `headLines`, then the items. */
export function finishDocument(xml: string, placeholder: string, headLines: string[], closingTag: string, items: string[]): string[] {
  return withItems(replacePlaceholderLine(xml, placeholder, headLines), closingTag, items);
}

/** `lines` (already indented) wrapped in `<tag>` at `indent`: one item or entry. */
export function elementBlock(tag: string, indent: string, lines: string[]): string {
  return `${indent}<${tag}>\n${lines.join('\n')}\n${indent}</${tag}>`;
}

/**
 * The document with the rendered items before its closing tag (`</channel>`,
 * `</feed>`), as consecutive pieces. They are not joined: the writer encodes them straight into
 * the file's bytes, and joining a large feed into one string first cost several times that.
 */
function withItems(xml: string, closingTag: string, items: string[]): string[] {
  if (items.length === 0) return [xml, '\n'];
  const at = xml.lastIndexOf(closingTag);
  if (at === -1) throw new Error(`publish: ${closingTag} not found in generated feed`);
  const lineStart = xml.lastIndexOf('\n', at) + 1;
  const parts = [xml.slice(0, lineStart)];
  for (const item of items) parts.push(item, '\n');
  parts.push(xml.slice(lineStart), '\n');
  return parts;
}

/** Indents each line of a block of elements to sit where it goes. */
export function indentLines(lines: string[], indent: string): string {
  return lines.length === 0 ? '' : `${indent}${lines.join('\n').replaceAll('\n', `\n${indent}`)}`;
}
