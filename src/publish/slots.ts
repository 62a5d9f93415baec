import { randomBytes } from 'node:crypto';

/**
 * `feed` writes the document head but cannot write several links, exact ids or extension
 * elements. We give it a placeholder that no input can contain (a fresh random nonce per render)
 * and replace the element holding it with our own markup: no XML re-parse, and the nonce never
 * reaches the output.
 */
export class Slots {
  private readonly nonce = randomBytes(12).toString('hex');

  id(index: number | 'feed'): string {
    return `urn:feedmirror-slot:${this.nonce}:${index}`;
  }

  /**
   * Replaces each whole line `<tag …>SLOT</tag>` with `render(index, indent)`.
   * `tag` is the element feed writes the placeholder into (`id`, `docs`).
   */
  fill(xml: string, tag: string, render: (index: number | 'feed', indent: string) => string): string {
    const marker = `>urn:feedmirror-slot:${this.nonce}:`;
    const line = new RegExp(`^([ \\t]*)<${tag}(?: [^>]*)?>urn:feedmirror-slot:${this.nonce}:(\\d+|feed)</${tag}>$`);
    const parts: string[] = [];
    let done = 0;
    let filled = 0;
    for (let at = xml.indexOf(marker); at !== -1; at = xml.indexOf(marker, at + marker.length)) {
      const lineStart = xml.lastIndexOf('\n', at) + 1;
      const newline = xml.indexOf('\n', at);
      const lineEnd = newline === -1 ? xml.length : newline;
      const match = line.exec(xml.slice(lineStart, lineEnd));
      if (!match || lineStart < done) continue;
      parts.push(xml.slice(done, lineStart), render(match[2] === 'feed' ? 'feed' : Number(match[2]), match[1]!));
      done = lineEnd;
      filled++;
    }
    if (filled === 0 && xml.includes(this.nonce)) throw new Error(`publish: slot <${tag}> not found in generated feed`);
    parts.push(xml.slice(done));
    return parts.join('');
  }
}

/** Puts the rendered items before the document's closing tag (`</channel>`, `</feed>`). */
export function appendItems(xml: string, closingTag: string, items: string[]): string {
  if (items.length === 0) return xml;
  const at = xml.lastIndexOf(closingTag);
  if (at === -1) throw new Error(`publish: ${closingTag} not found in generated feed`);
  const lineStart = xml.lastIndexOf('\n', at) + 1;
  return `${xml.slice(0, lineStart)}${items.join('\n')}\n${xml.slice(lineStart)}`;
}

/** A URL as `feed` writes one (WHATWG-serialized). */
export function normalizedUrl(url: string): string {
  return new URL(url).href;
}

/** Indents each line of a block of elements to sit where the slot was. */
export function indentLines(lines: string[], indent: string): string {
  return lines
    .flatMap((line) => line.split('\n'))
    .map((line) => `${indent}${line}`)
    .join('\n');
}
