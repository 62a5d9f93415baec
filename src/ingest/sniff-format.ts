/** What a response body is, judged by its content: servers label XML as text/html and JSON as text/plain. */
export type BodyKind =
  | { kind: 'xml-feed'; root: 'rss' | 'atom' | 'rdf'; version: string | null; base: string | null }
  | { kind: 'json-feed' }
  | { kind: 'html' }
  | { kind: 'unknown'; reason: string };

/** Enough to get past a long comment or DOCTYPE before the root element. */
const SNIFF_CHARS = 65_536;

export function sniffFormat(text: string): BodyKind {
  const head = skipProlog(text.slice(0, SNIFF_CHARS));
  if (head === '') return { kind: 'unknown', reason: 'the body is empty' };
  if (head.startsWith('{')) {
    return /"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\//.test(text.slice(0, 65_536)) || /"items"\s*:/.test(text)
      ? { kind: 'json-feed' }
      : { kind: 'unknown', reason: 'JSON, but not a JSON Feed (no jsonfeed.org version)' };
  }
  const root = /^<([a-z_][\w.:-]*)([^>]*)>?/i.exec(head);
  if (!root) return { kind: 'unknown', reason: `not XML, JSON or HTML (starts with ${JSON.stringify(head.slice(0, 20))})` };
  const name = root[1]!.toLowerCase();
  // By local name: a feed may put its root element under a prefix (<r:rss>, <atom:feed>, <RDF>).
  const local = name.slice(name.indexOf(':') + 1);
  const version = /\bversion\s*=\s*["']([^"']*)["']/i.exec(root[2] ?? '')?.[1] ?? null;
  const base = /\bxml:base\s*=\s*["']([^"']*)["']/i.exec(root[2] ?? '')?.[1] ?? null;
  if (local === 'rss') return { kind: 'xml-feed', root: 'rss', version, base };
  if (local === 'feed') return { kind: 'xml-feed', root: 'atom', version: version ?? '1.0', base: null };
  if (local === 'rdf') return { kind: 'xml-feed', root: 'rdf', version: '1.0', base };
  if (name === 'html' || name === 'head' || name === 'body') return { kind: 'html' };
  return { kind: 'unknown', reason: `XML root element <${root[1]}> is not rss, feed or rdf:RDF` };
}

/** Skips whitespace, the XML declaration, comments, processing instructions and a DOCTYPE. */
function skipProlog(text: string): string {
  let rest = text.replace(/^\uFEFF/, '').trimStart();
  for (;;) {
    const next = rest
      .replace(/^<\?[\s\S]*?\?>/, '')
      .replace(/^<!--[\s\S]*?-->/, '')
      .replace(/^<!doctype\s+html[^>]*>/i, '<html>')
      .replace(/^<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>/, '')
      .trimStart();
    if (next === rest) return rest;
    rest = next;
  }
}
