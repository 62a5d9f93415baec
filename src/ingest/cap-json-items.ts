/** What was cut out of a JSON Feed's text before JSON.parse. */
export interface JsonCut {
  /** The text without the cut parts; the same string when nothing was cut. */
  text: string;
  /** Elements of the top-level "items" array after the first `maxItems`. */
  overLimit: number;
  /** Objects and arrays past MAX_JSON_CONTAINERS, dropped with what follows them in their parent. */
  containersCut: number;
}

/**
 * Objects and arrays kept in one document at most. JSON.parse builds every one of them before
 * anything can be skipped: a 3 MB body of a million `{}` items cost 460 MB. A real feed of 500
 * items has a few thousand.
 */
export const MAX_JSON_CONTAINERS = 100_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

interface Frame {
  isArray: boolean;
  /** The top-level "items" array. */
  isItems: boolean;
  /** Values begun in an array so far. */
  count: number;
  /** An array: the next token starts a value. An object: the next string is a key. */
  expecting: boolean;
  /** Where the last comma stood (or just inside the bracket): a cut of what follows starts there. */
  lastComma: number;
  /** The last key read in an object. */
  key: string | null;
}

/** The rest of a container being skipped: of the items array past the limit, or of any container once the budget is spent. */
interface Skip {
  kind: 'items' | 'budget';
  start: number;
  /** Containers open inside the skipped part. */
  level: number;
}

/**
 * Cuts a JSON Feed's text down before JSON.parse builds it: the elements of "items" after the
 * first `maxItems`, and, once MAX_JSON_CONTAINERS objects and arrays are kept, any further one
 * with the rest of its parent (array elements, or object members, from it on): a cut per open
 * container, never one per value. A tokenizer that follows strings and brackets only; it never
 * builds a value. Where the text is not well-formed it stops and leaves the rest to JSON.parse,
 * which reports the error.
 */
export function capJsonItems(text: string, maxItems: number): JsonCut {
  const scan = new Scan(text, maxItems);
  scan.run();
  return { text: scan.cutText(), overLimit: scan.overLimit, containersCut: scan.containersCut };
}

class Scan {
  overLimit = 0;
  containersCut = 0;
  private readonly stack: Frame[] = [];
  private skip: Skip | null = null;
  private containers = 0;
  /** start, end, start, end… */
  private readonly cuts: number[] = [];

  constructor(
    private readonly text: string,
    private readonly maxItems: number,
  ) {}

  run(): void {
    const { text } = this;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const end = this.stringEnd(i);
        if (end < 0) break;
        if (!this.skip) this.onString(i, end);
        i = end;
      } else if (this.skip) this.skipChar(c, i);
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.open(c === OPEN_ARRAY, i);
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) this.stack.pop();
      else if (c === COMMA) this.onComma(i);
      else if (c > 0x20 && c !== COLON) this.onValue(i);
    }
    // The text ended inside a skipped part: it is malformed, and cutting to the end keeps it so.
    if (this.skip) this.cuts.push(this.skip.start, text.length);
  }

  cutText(): string {
    if (this.cuts.length === 0) return this.text;
    const kept: string[] = [];
    let from = 0;
    for (let i = 0; i < this.cuts.length; i += 2) {
      kept.push(this.text.slice(from, this.cuts[i]));
      from = this.cuts[i + 1]!;
    }
    kept.push(this.text.slice(from));
    return kept.join('');
  }

  /** Index of the quote that closes the string opened at `start`; -1 when there is none. */
  private stringEnd(start: number): number {
    for (let from = start + 1; ; ) {
      const quote = this.text.indexOf('"', from);
      if (quote < 0) return -1;
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote;
      from = quote + 1;
    }
  }

  private onString(start: number, end: number): void {
    const top = this.stack.at(-1);
    if (top && !top.isArray && top.expecting) {
      const raw = this.text.slice(start + 1, end);
      top.key = raw.includes('\\') ? decodeKey(this.text.slice(start, end + 1)) : raw;
      top.expecting = false;
    } else this.onValue(start);
  }

  private open(isArray: boolean, at: number): void {
    if (this.onValue(at)) {
      this.skip!.level = 1;
      return;
    }
    const parent = this.stack.at(-1);
    if (this.containers >= MAX_JSON_CONTAINERS && parent) {
      this.skip = { kind: 'budget', start: parent.lastComma, level: 1 };
      this.containersCut++;
      return;
    }
    this.containers++;
    const isItems = isArray && this.stack.length === 1 && parent !== undefined && !parent.isArray && parent.key === 'items';
    this.stack.push({ isArray, isItems, count: 0, expecting: true, lastComma: at + 1, key: null });
  }

  private onComma(at: number): void {
    const top = this.stack.at(-1);
    if (!top) return;
    top.expecting = true;
    top.lastComma = at;
  }

  /** A value begins at `at`; true when it is an item past the limit (the rest of the array is then skipped). */
  private onValue(at: number): boolean {
    const top = this.stack.at(-1);
    if (!top?.isArray || !top.expecting) return false;
    top.expecting = false;
    top.count++;
    if (!top.isItems || top.count <= this.maxItems) return false;
    this.skip = { kind: 'items', start: top.count === 1 ? at : top.lastComma, level: 0 };
    this.overLimit++;
    return true;
  }

  private skipChar(c: number, at: number): void {
    const skip = this.skip!;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      skip.level++;
      if (skip.kind === 'budget') this.containersCut++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--skip.level >= 0) return;
      // the container whose rest is cut closes: the cut ends before its bracket
      this.cuts.push(skip.start, at);
      this.skip = null;
      this.stack.pop();
    } else if (c === COMMA && skip.kind === 'items' && skip.level === 0) this.overLimit++;
  }
}

function decodeKey(quoted: string): string | null {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return null;
  }
}
