import { createRequire } from 'node:module';

/**
 * An HTML document as a DOM (linkedom) and Readability over it, each loaded on first use through
 * require: linkedom costs most of a second to load, paid only by a run that reads a page, and
 * neither library's type declarations compile without TypeScript's DOM types, which the build
 * leaves out so that no module uses browser globals by mistake. These few members are all we use.
 */
export interface DomElement {
  readonly outerHTML: string;
  getAttribute(name: string): string | null;
}

export interface DomDocument {
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

interface ReadabilityOptions {
  /** Throws beyond this many elements (0: no limit). */
  maxElemsToParse: number;
}

type ReadabilityClass = new (document: DomDocument, options: ReadabilityOptions) => { parse(): { content: string | null | undefined } | null };

const require = createRequire(import.meta.url);
let parseHtml: ((html: string) => { document: DomDocument }) | undefined;
let readability: ReadabilityClass | undefined;

export function parseHtmlDocument(html: string): DomDocument {
  parseHtml ??= (require('linkedom') as { parseHTML: NonNullable<typeof parseHtml> }).parseHTML;
  return parseHtml(html).document;
}

/** Readability's article (HTML) from a document it may rewrite, or null when it finds none. */
export function readabilityArticle(document: DomDocument, options: ReadabilityOptions): string | null {
  readability ??= (require('@mozilla/readability') as { Readability: ReadabilityClass }).Readability;
  return new readability(document, options).parse()?.content ?? null;
}
