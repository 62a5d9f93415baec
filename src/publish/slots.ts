import { randomBytes } from 'node:crypto';

/**
 * `feed` cannot write several links, exact ids or extension elements on an Atom entry, and
 * escapes some RSS attributes wrongly. We give each item a placeholder id that no input can
 * contain (a fresh random nonce per render) and replace the element holding it with our own
 * markup: one pass over the string, no XML re-parse, and the nonce never reaches the output.
 */
export class Slots {
  private readonly nonce = randomBytes(12).toString('hex');

  id(index: number | 'feed'): string {
    return `urn:feedmirror-slot:${this.nonce}:${index}`;
  }

  /**
   * Replaces each whole line `<tag …>SLOT</tag>` with `render(index, indent)`.
   * `tag` is the element feed writes the id into (`guid`, `id`, `docs`).
   */
  fill(xml: string, tag: string, render: (index: number | 'feed', indent: string) => string): string {
    const pattern = new RegExp(`^([ \\t]*)<${tag}(?: [^>]*)?>urn:feedmirror-slot:${this.nonce}:(\\d+|feed)</${tag}>$`, 'gm');
    let filled = 0;
    const out = xml.replace(pattern, (_line, indent: string, index: string) => {
      filled++;
      return render(index === 'feed' ? 'feed' : Number(index), indent);
    });
    if (filled === 0 && xml.includes(this.nonce)) throw new Error(`publish: slot <${tag}> not found in generated feed`);
    return out;
  }
}

/** Indents each line of a block of elements to sit where the slot was. */
export function indentLines(lines: string[], indent: string): string {
  return lines
    .flatMap((line) => line.split('\n'))
    .map((line) => `${indent}${line}`)
    .join('\n');
}
