import { parseStringPromise } from 'xml2js';
import { FeedmirrorError } from '../model/errors.js';

export interface OpmlFeed {
  title: string | null;
  xmlUrl: string;
  htmlUrl: string | null;
  /** Folder names the outline sits in, outermost first, and feedmirror:tags (they become tags). */
  folders: string[];
  mirrors: string[];
  /** The source id feedmirror's own export wrote (feedmirror:id), so a round trip keeps ids. */
  id: string | null;
}

type Outline = { $?: Record<string, string>; outline?: Outline[] };

/** Every outline with an xmlUrl, at any depth (OPML 1.0 and 2.0, as readers export them). */
export async function parseOpml(text: string): Promise<OpmlFeed[]> {
  let doc: { opml?: { body?: { outline?: Outline[] }[] } };
  try {
    doc = await parseStringPromise(text.replace(/^\uFEFF/, ''), { strict: true });
  } catch (error) {
    throw new FeedmirrorError('FM_OPML', `not well-formed XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const body = doc.opml?.body?.[0];
  if (!doc.opml || !body) throw new FeedmirrorError('FM_OPML', 'not an OPML document (no <opml><body>)');
  const feeds: OpmlFeed[] = [];
  const walk = (outlines: Outline[], folders: string[]) => {
    for (const outline of outlines) {
      const attrs = outline.$ ?? {};
      const xmlUrl = (attrs.xmlUrl ?? attrs.xmlurl ?? attrs.url)?.trim();
      const title = (attrs.title ?? attrs.text)?.trim() || null;
      if (xmlUrl) {
        const mirrors = (attrs['feedmirror:mirrors'] ?? '').split(/\s+/).filter(Boolean);
        const tags = (attrs['feedmirror:tags'] ?? '').split(/\s+/).filter(Boolean);
        feeds.push({ title, xmlUrl, htmlUrl: attrs.htmlUrl?.trim() || null, folders: [...new Set([...folders, ...tags])], mirrors, id: attrs['feedmirror:id']?.trim() || null });
      }
      if (outline.outline) walk(outline.outline, xmlUrl || !title ? folders : [...folders, title]);
    }
  };
  walk(body.outline ?? [], []);
  return feeds;
}
