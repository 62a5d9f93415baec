/**
 * What a reader shows of a feed's plain-text fields, read with Python feedparser: its title is
 * rendered as HTML when feedparser says it is HTML (the way a reader displays it), and the
 * author, tags and source title are taken as feedparser gives them.
 */
import { htmlToText } from '../../../src/lib/html-text.js';
import { runProcess } from '../../helpers/tools.js';
import { feedparser } from '../../helpers/validators.js';

const SCRIPT = String.raw`
import json, sys
import feedparser

def shown(detail):
    return {'value': detail.get('value'), 'type': detail.get('type')} if detail else None

d = feedparser.parse(sys.argv[1])
json.dump({
    'bozo': bool(d.bozo),
    'entries': [{
        'title': shown(e.get('title_detail')),
        'authors': [a.get('name') for a in e.get('authors', []) if a.get('name')],
        'tags': [t.get('term') for t in e.get('tags', [])],
        'source': e.get('source', {}).get('title'),
    } for e in d.entries],
}, sys.stdout)
`;

export interface ReaderEntry {
  title: string | null;
  authors: string[];
  tags: string[];
  source: string | null;
}

interface Shown {
  value: string;
  type: string;
}

/** One entry per item of the feed file, in document order. */
export async function readerView(file: string): Promise<ReaderEntry[]> {
  await feedparser(file); // fails with a clear message when feedparser is not installed
  const { code, stdout, stderr } = await runProcess('/usr/bin/python3', ['-c', SCRIPT, file]);
  if (code !== 0) throw new Error(`feedparser script failed (exit ${code}): ${stderr}`);
  const parsed = JSON.parse(stdout) as { bozo: boolean; entries: (Omit<ReaderEntry, 'title'> & { title: Shown | null })[] };
  if (parsed.bozo) throw new Error(`feedparser reports ${file} as not well-formed`);
  return parsed.entries.map((e) => ({ ...e, title: e.title ? shownText(e.title) : null }));
}

function shownText(shown: Shown): string {
  return shown.type === 'text/html' || shown.type === 'application/xhtml+xml' ? htmlToText(shown.value) : shown.value;
}
