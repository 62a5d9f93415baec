import { CSS_FILE } from './feed-targets.js';
import { escapeXml } from './xml-text.js';

/**
 * The frame of our RSS and Atom documents (prolog, root element, head, items, closing tags),
 * written with the same element helpers as the items. `feed` 6 cannot write the head we publish
 * through its options, and taking it from `feed` would mean editing its output as a string:
 * - its root element declares only the namespaces `feed` itself uses: not ours (fh, feedmirror),
 *   nor Atom's xml:lang;
 * - it writes one xml-stylesheet instruction, and we write two (XSL, then CSS for browsers
 *   without XSLT);
 * - its Atom head takes no extension (rel="duplicate", "current" and "prev-archive" links,
 *   fh:archive, fh:complete), and its RSS channel extensions come after the items;
 * - its XML layer (xml-js) turns "&amp;" in a text back into "&" before escaping it, so a title
 *   "Q&amp;A" would read "Q&A".
 * The layout follows `feed`'s (declaration and instructions on one line, four-space indentation,
 * its element order): readers and the golden files see the documents `feed` would lay out.
 */

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
/** One level of indentation, as `feed` writes it. */
export const INDENT = '    ';

/** The XML declaration, then for browsers the XSL stylesheet and a CSS one for those without XSLT. */
export function xmlProlog(xslHref: string | null): string {
  const declaration = '<?xml version="1.0" encoding="utf-8"?>';
  if (!xslHref) return declaration;
  const cssHref = new URL(CSS_FILE, xslHref).href;
  return `${declaration}${stylesheetInstruction(xslHref, 'text/xsl')}${stylesheetInstruction(cssHref, 'text/css')}`;
}

/** Pseudo-attributes are read as attributes are, character references included (xml-stylesheet §2). */
function stylesheetInstruction(href: string, type: string): string {
  return `<?xml-stylesheet href="${escapeXml(href)}" type="${type}"?>`;
}

/**
 * The document as consecutive pieces: the opening lines, each item or entry, the closing lines.
 * They are not joined: the writer encodes them straight into the file's bytes, and joining a
 * large feed into one string first cost several times that.
 */
export function documentParts(opening: string[], items: string[], closing: string[]): string[] {
  const parts = [`${opening.join('\n')}\n`];
  for (const item of items) parts.push(item, '\n');
  parts.push(`${closing.join('\n')}\n`);
  return parts;
}

/** One element on its own line, or a parent element whose children sit `indent` deeper. */
export type XmlLine = string | { tag: string; indent: string; children: XmlLine[] };

/**
 * The lines at `indent`. Only the start of each line is indented: a line break inside a text (a
 * title from the config, CDATA content) is left as it is, so the text keeps its meaning.
 */
export function layoutLines(lines: XmlLine[], indent: string): string[] {
  return lines.flatMap((line) =>
    typeof line === 'string' ? [`${indent}${line}`] : [`${indent}<${line.tag}>`, ...layoutLines(line.children, `${indent}${line.indent}`), `${indent}</${line.tag}>`],
  );
}
