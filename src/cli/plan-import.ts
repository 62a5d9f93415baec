import type { SourceConfig } from '../config/config.js';
import { isHttpUrl, isMirrorSpec, isValidId } from '../config/schema.js';
import type { OpmlFeed } from '../ingest/parse-opml.js';
import { slugify } from '../lib/text.js';
import { uniqueId, type NewSource } from './edit-config.js';

export interface PlannedSource extends NewSource {
  /** What was changed from the outline: a title made from the host, a mirror left out. */
  notes: string[];
}

export interface SkippedOutline {
  /** The outline as a person finds it in the file: its URL, and its title when it has one. */
  outline: string;
  reason: string;
}

/** Which outlines of an OPML file become sources, and why each of the others does not. */
export function planImport(feeds: OpmlFeed[], configured: SourceConfig[]): { added: PlannedSource[]; skipped: SkippedOutline[] } {
  const byUrl = new Map<string, string>(configured.flatMap((s) => (s.kind === 'feed' ? [[s.url, `already configured as source "${s.id}"`] as const] : [])));
  const ids = new Set(configured.map((s) => s.id));
  const added: PlannedSource[] = [];
  const skipped: SkippedOutline[] = [];
  for (const feed of feeds) {
    const outline = feed.title ? `${feed.xmlUrl} ("${feed.title}")` : feed.xmlUrl;
    const reason = byUrl.get(feed.xmlUrl) ?? (isHttpUrl(feed.xmlUrl) ? null : 'not an absolute http(s) URL');
    if (reason) {
      skipped.push({ outline, reason });
      continue;
    }
    byUrl.set(feed.xmlUrl, 'listed again in the file (the first is added)');
    added.push(plannedSource(feed, ids));
  }
  return { added, skipped };
}

function plannedSource(feed: OpmlFeed, ids: Set<string>): PlannedSource {
  const notes: string[] = [];
  const host = new URL(feed.xmlUrl).hostname;
  const title = feed.title ?? host;
  if (!feed.title) notes.push(`no title in the file: titled "${host}"`);
  const id = feed.id && isValidId(feed.id) && !ids.has(feed.id) ? (ids.add(feed.id), feed.id) : uniqueId(slugify(title) || slugify(host) || 'feed', ids);
  const mirrors = feed.mirrors.filter((m) => isMirrorSpec(m));
  for (const bad of feed.mirrors.filter((m) => !isMirrorSpec(m))) notes.push(`mirror ${JSON.stringify(bad)} left out: not a host name or an http(s) base URL`);
  const tags = feed.folders.map((f) => slugify(f)).filter(Boolean);
  return { id, url: feed.xmlUrl, title, notes, ...(mirrors.length ? { mirrors } : {}), ...(tags.length ? { tags } : {}) };
}
