import { Writable } from 'node:stream';
import { escapeControls } from '../lib/escape-controls.js';

/** Back to the start of the line, and erase it (ECMA-48 CR + EL 2). */
const ERASE_LINE = '\r\x1b[2K';
/** Width assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;

export type TerminalStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * One line at the bottom of a terminal, rewritten in place, that log lines pass over: each log
 * line first erases it and draws it again below itself, so the two never share a line. The text
 * is cut to the terminal's width (a wrapped line could not be erased by one CR) and its controls
 * escaped (it names sources from the config).
 */
export class StatusLine {
  #text = '';
  #shown = false;
  #closed = false;

  constructor(private readonly out: TerminalStream) {}

  show(text: string): void {
    if (this.#closed) return;
    // a pseudo-terminal nobody sized says 0 columns
    const fitted = fitTo(escapeControls(text), (this.out.columns || DEFAULT_COLUMNS) - 1);
    if (this.#shown && fitted === this.#text) return;
    this.#text = fitted;
    this.#draw();
  }

  /** Erases the line for good: nothing is drawn after. */
  close(): void {
    this.#erase();
    this.#closed = true;
  }

  /** A stream for the logger: the status line steps aside for each log line. */
  logStream(): Writable & { isTTY?: boolean } {
    const stream = new Writable({
      // One write for erase, log line and redraw: the terminal never shows the line half gone.
      write: (chunk: Buffer | string, _encoding, callback) => {
        const redraw = !this.#closed && this.#text !== '';
        this.out.write(`${this.#shown ? ERASE_LINE : ''}${chunk.toString()}${redraw ? `${ERASE_LINE}${this.#text}` : ''}`);
        this.#shown = redraw;
        callback();
      },
    });
    return Object.assign(stream, { isTTY: this.out.isTTY });
  }

  #draw(): void {
    this.out.write(`${ERASE_LINE}${this.#text}`);
    this.#shown = true;
  }

  #erase(): void {
    if (!this.#shown) return;
    this.out.write(ERASE_LINE);
    this.#shown = false;
  }
}

/**
 * At most `width` code points, an ellipsis at the end when cut. A code point is a column here: the
 * line is ASCII but for the ellipsis (source ids are letters, digits, "-" and "_").
 */
function fitTo(text: string, width: number): string {
  const points = [...text];
  return points.length <= width ? text : `${points.slice(0, Math.max(0, width - 1)).join('')}…`;
}
