/**
 * Reading the raw xml2js nodes rss-parser hands back through customFields: a node is a string,
 * or an object with text in `_` and attributes in `$`. Lenient: missing or odd shapes give null.
 */
import { Builder } from 'xml2js';

export type XmlNode = string | { _?: unknown; $?: Record<string, string>; [child: string]: unknown };

export function nodes(value: unknown): XmlNode[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((n): n is XmlNode => typeof n === 'string' || (typeof n === 'object' && n !== null));
}

export function textOf(node: XmlNode | undefined): string | null {
  if (node === undefined) return null;
  if (typeof node === 'string') return node;
  return typeof node._ === 'string' ? node._ : null;
}

/**
 * Text of an element that should have been escaped but carries raw markup (`<description>Is <em>this</em></description>`):
 * xml2js splits it into children, so it is serialized back. Mixed text and element order is lost by xml2js; the text survives.
 */
export function markupOf(node: XmlNode | undefined): string | null {
  if (node === undefined || typeof node === 'string') return node ?? null;
  const children = Object.keys(node).filter((key) => key !== '_' && key !== '$');
  if (children.length === 0) return textOf(node);
  const copy: Record<string, unknown> = { ...node };
  delete copy.$;
  try {
    const xml = new Builder({ headless: true, rootName: 'div', renderOpts: { pretty: false } }).buildObject(copy);
    return xml.replace(/^<div>/, '').replace(/<\/div>$/, '');
  } catch (error) {
    // The builder recurses: markup nested thousands deep overflows the stack, and is no text to read.
    if (error instanceof RangeError) return null;
    throw error;
  }
}

export function attrOf(node: XmlNode | undefined, name: string): string | null {
  if (node === undefined || typeof node === 'string') return null;
  const value = node.$?.[name];
  return typeof value === 'string' ? value : null;
}

export function childText(node: XmlNode | undefined, name: string): string | null {
  if (node === undefined || typeof node === 'string') return null;
  return textOf(nodes(node[name])[0]);
}

/** The first non-empty trimmed text among the candidates. */
export function firstText(...values: (string | null | undefined)[]): string | null {
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed) return trimmed;
  }
  return null;
}
