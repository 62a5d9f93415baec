import { randomBytes } from 'node:crypto';

/**
 * `feed` cannot write several links, exact ids or extension elements on an Atom entry, and
 * escapes some RSS attributes wrongly. We give each item a placeholder id that no input can
 * contain (a fresh random nonce per render) and replace the element holding it with our own
 * markup: one pass over the string, no XML re-parse, and the nonce never reaches the output.
 */
export class Slots {
  private readonly nonce = randomBytes(12).toString('hex');
  private readonly texts: string[] = [];

  /**
   * A token that stands in for `value` (already made CDATA-safe) until `fillTexts`. Titles,
   * summaries and content are the bulk of a feed; kept out of `feed`'s serializer (xml-js builds
   * its output by concatenating many small pieces), they are copied once, into the final string.
   */
  text(value: string): string {
    this.texts.push(value);
    return `feedmirror-text-${this.nonce}-${this.texts.length - 1}.`;
  }

  /** Puts every `text()` value in place of its token: one pass, one join. */
  fillTexts(xml: string): string {
    const marker = `feedmirror-text-${this.nonce}-`;
    const parts: string[] = [];
    let done = 0;
    for (let at = xml.indexOf(marker); at !== -1; at = xml.indexOf(marker, done)) {
      const end = xml.indexOf('.', at + marker.length);
      const value = this.texts[Number(xml.slice(at + marker.length, end))];
      if (value === undefined) throw new Error('publish: unknown text slot in generated feed');
      parts.push(xml.slice(done, at), value);
      done = end + 1;
    }
    parts.push(xml.slice(done));
    return parts.join('');
  }

  id(index: number | 'feed'): string {
    return `urn:feedmirror-slot:${this.nonce}:${index}`;
  }

  /**
   * Replaces each whole line `<tag …>SLOT</tag>` with `render(index, indent)`.
   * `tag` is the element feed writes the id into (`guid`, `id`, `docs`).
   * Slots are found with indexOf and only their own line is matched: a multiline regex over the
   * whole document tries every position of every item's content, which dominated publishing.
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

/** Indents each line of a block of elements to sit where the slot was. */
export function indentLines(lines: string[], indent: string): string {
  return lines
    .flatMap((line) => line.split('\n'))
    .map((line) => `${indent}${line}`)
    .join('\n');
}
