/**
 * Feed templates for the benchmark's fixture server: every real-world and crafted fixture feed in
 * tests/fixtures/{corpus,feeds} becomes a template whose items are repeated, with ids, links,
 * titles and dates rewritten, into a feed of any number of unique items.
 *
 * XML templates are handled as "binary strings" (latin1: one char per byte), so the original
 * bytes of every charset (windows-1251, ISO-8859-1, KOI8-R, Shift_JIS, …) are kept exactly and only
 * ASCII is inserted. UTF-16 files are skipped (their markup is not ASCII-compatible).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type TemplateFormat = 'rss' | 'atom' | 'rdf' | 'json';

export interface FeedTemplate {
  /** Path relative to tests/fixtures/. */
  name: string;
  format: TemplateFormat;
  /** The declared charset (XML declaration), or "undeclared"; JSON is always utf-8. */
  charset: string;
  contentType: string;
  /** XML: document before the first item, the items, and the document after the last item (latin1 strings). */
  head: string;
  items: string[];
  tail: string;
  /** JSON Feed: the parsed document (items replaced when generating). */
  json: Record<string, unknown> | null;
  hasDcNamespace: boolean;
}

export interface GeneratedFeed {
  body: Buffer;
  items: number;
}

/**
 * Items are dated one hour apart from here; a source's items are shifted by its index in seconds so
 * sources interleave (up to 9,999 sources stay within the hour, so the items a churn publishes are
 * always the newest of all).
 */
export const EPOCH = Date.UTC(2024, 0, 1);

const CONTENT_TYPES: Record<TemplateFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  rdf: 'application/rdf+xml',
  json: 'application/feed+json',
};

/** Every candidate fixture, deduplicated by content (tests/fixtures/feeds/real/ copies part of the corpus). */
export function loadTemplates(fixturesDir: string): { templates: FeedTemplate[]; skipped: { name: string; reason: string }[] } {
  const roots = ['corpus', 'feeds/real', 'feeds/charset', 'feeds/crafted'];
  const seen = new Set<string>();
  const templates: FeedTemplate[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const root of roots) {
    for (const file of walk(path.join(fixturesDir, root))) {
      if (!/\.(xml|json)$/.test(file)) continue;
      const bytes = readFileSync(file);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (seen.has(digest)) continue;
      seen.add(digest);
      const name = path.relative(fixturesDir, file);
      const template = toTemplate(name, bytes);
      if (typeof template === 'string') skipped.push({ name, reason: template });
      else templates.push(template);
    }
  }
  return { templates, skipped };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

const ITEM_BLOCK = /<(item|entry)\b[^>]*>[\s\S]*?<\/\1\s*>/g;

function toTemplate(name: string, bytes: Buffer): FeedTemplate | string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'UTF-16 (markup is not ASCII-compatible)';
  if (name.endsWith('.json')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
    } catch {
      return 'not valid JSON';
    }
    if (!Array.isArray(json.items) || json.items.length === 0) return 'JSON without items';
    return { name, format: 'json', charset: 'utf-8', contentType: CONTENT_TYPES.json, head: '', items: [], tail: '', json, hasDcNamespace: false };
  }
  const text = bytes.toString('latin1');
  const format = rootFormat(text);
  if (!format) return 'root element is not rss, feed or rdf:RDF';
  const matches = [...text.matchAll(ITEM_BLOCK)];
  if (matches.length === 0) return 'no <item>/<entry> elements';
  const first = matches[0]!;
  const last = matches.at(-1)!;
  const charset = /^\s*(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(text)?.[1]?.toLowerCase() ?? 'undeclared';
  let head = text.slice(0, first.index);
  // RSS 1.0 dates items with dc:date only: declare the namespace so that every generated item has a
  // date (an undated item is stamped with the time it is first seen, which would put it above every
  // dated item in a merged output).
  if (format === 'rdf' && !/xmlns:dc\s*=/.test(head)) head = head.replace(/<rdf:RDF\b/i, '$& xmlns:dc="http://purl.org/dc/elements/1.1/"');
  return {
    name,
    format,
    charset,
    contentType: CONTENT_TYPES[format],
    head,
    items: matches.map((m) => m[0]),
    tail: text.slice(last.index + last[0].length),
    json: null,
    hasDcNamespace: /xmlns:dc\s*=/.test(head),
  };
}

function rootFormat(text: string): TemplateFormat | null {
  const body = text
    .replace(/^(?:\xEF\xBB\xBF)?\s*/, '')
    .replace(/^(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>\s*)*/i, '');
  const root = /^<([a-z_][\w.:-]*)/i.exec(body)?.[1]?.toLowerCase();
  if (root === 'rss') return 'rss';
  if (root === 'feed') return 'atom';
  if (root === 'rdf:rdf' || root === 'rdf') return 'rdf';
  return null;
}

/**
 * The feed of source `source` when `offset` items have been published after its first 50: item
 * sequence numbers offset+count-1 (newest, first in the document) down to offset.
 */
export function generateFeed(template: FeedTemplate, source: number, offset: number, count: number): GeneratedFeed {
  const seqs = Array.from({ length: count }, (_, k) => offset + count - 1 - k);
  if (template.json) return { body: Buffer.from(generateJson(template.json, source, seqs), 'utf8'), items: count };
  const items = seqs.map((seq) => rewriteXmlItem(template.items[seq % template.items.length]!, template, tagOf(source, seq), dateOf(source, seq)));
  return { body: Buffer.from(template.head + items.join('\n') + template.tail, 'latin1'), items: count };
}

export function tagOf(source: number, seq: number): string {
  return `s${source}-${seq}`;
}

export function dateOf(source: number, seq: number): Date {
  return new Date(EPOCH + seq * 3_600_000 + (source % 3600) * 1000);
}

function generateJson(doc: Record<string, unknown>, source: number, seqs: number[]): string {
  const templates = doc.items as Record<string, unknown>[];
  const items = seqs.map((seq) => {
    const t = templates[seq % templates.length]!;
    const tag = tagOf(source, seq);
    const date = dateOf(source, seq).toISOString();
    const item: Record<string, unknown> = { ...t };
    const id = typeof t.id === 'string' || typeof t.id === 'number' ? String(t.id) : typeof t.url === 'string' ? t.url : 'item';
    item.id = uniqueId(id, tag, '&');
    if (typeof t.url === 'string') item.url = uniqueId(t.url, tag, '&');
    if (typeof t.title === 'string') item.title = `${t.title} (${tag})`;
    item.date_published = date;
    if ('date_modified' in t) item.date_modified = date;
    return item;
  });
  return JSON.stringify({ ...doc, items }, null, 2);
}

const DATE_ELEMENT = /<(pubDate|dc:date|published|updated|issued|modified|created)(\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g;

function rewriteXmlItem(item: string, template: FeedTemplate, tag: string, date: Date): string {
  let out = item;
  // ids and links
  out = out.replace(/<guid\b([^>]*)>([\s\S]*?)<\/guid\s*>/g, (_m, attrs: string, inner: string) => `<guid${attrs}>${rewriteInner(inner, tag)}</guid>`);
  out = out.replace(/<id>([\s\S]*?)<\/id\s*>/g, (_m, inner: string) => `<id>${rewriteInner(inner, tag)}</id>`);
  out = out.replace(/<link>([\s\S]*?)<\/link\s*>/g, (_m, inner: string) => `<link>${rewriteInner(inner, tag)}</link>`);
  out = out.replace(/(<(?:atom:)?link\b[^>]*?\bhref\s*=\s*)(["'])([\s\S]*?)\2/g, (_m, start: string, q: string, href: string) => `${start}${q}${uniqueId(href, tag, '&amp;')}${q}`);
  out = out.replace(/^(<item\b[^>]*?\brdf:about\s*=\s*)(["'])([\s\S]*?)\2/, (_m, start: string, q: string, about: string) => `${start}${q}${uniqueId(about, tag, '&amp;')}${q}`);
  // title: the tag is appended (inside a CDATA section it goes after it, which is still the element's text)
  let titled = false;
  out = out.replace(/<title\b([^>]*)>([\s\S]*?)<\/title\s*>/, (_m, attrs: string, inner: string) => {
    titled = true;
    return `<title${attrs}>${inner} (${tag})</title>`;
  });
  const open = /^<(item|entry)\b[^>]*>/.exec(out)![0];
  if (!titled) out = `${open}<title>Item ${tag}</title>${out.slice(open.length)}`;
  // dates
  let dated = false;
  out = out.replace(DATE_ELEMENT, (_m, name: string, attrs: string | undefined) => {
    dated = true;
    return `<${name}${attrs ?? ''}>${name === 'pubDate' ? date.toUTCString() : date.toISOString()}</${name}>`;
  });
  if (!dated) {
    const close = out.lastIndexOf('</');
    const insert =
      template.format === 'rss' ? `<pubDate>${date.toUTCString()}</pubDate>`
      : template.format === 'atom' ? `<updated>${date.toISOString()}</updated>`
      : template.hasDcNamespace ? `<dc:date>${date.toISOString()}</dc:date>`
      : '';
    out = out.slice(0, close) + insert + out.slice(close);
  }
  return out;
}

/** Element text: plain or one CDATA section, whitespace kept around the value. */
function rewriteInner(inner: string, tag: string): string {
  const cdata = /^(\s*<!\[CDATA\[)([\s\S]*?)(\]\]>\s*)$/.exec(inner);
  if (cdata) return `${cdata[1]}${uniqueId(cdata[2]!, tag, '&')}${cdata[3]}`;
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(inner)!;
  if (m[2] === '') return inner;
  return `${m[1]}${uniqueId(m[2]!, tag, '&amp;')}${m[3]}`;
}

/** A URL gets a query parameter (before any fragment); anything else (urn:, tag:, 12345) a suffix. */
export function uniqueId(value: string, tag: string, amp: string): string {
  const looksLikeUrl = /^(https?:)?\/\//i.test(value) || /^\.{0,2}\//.test(value) || (/^[\w.-]+\.(html?|php|aspx?)\b/i.test(value) && !value.includes(':'));
  if (!looksLikeUrl) return `${value}-${tag}`;
  const hash = value.indexOf('#');
  const [main, fragment] = hash >= 0 ? [value.slice(0, hash), value.slice(hash)] : [value, ''];
  return `${main}${main.includes('?') ? amp : '?'}fm=${tag}${fragment}`;
}
