/**
 * The crash run's last check (issue 18: "every article the fixture served is in the store and the
 * outputs"): each output's published files read back from the output folder — rss.xml and
 * atom.xml with rss-parser, feed.json as JSON — and their item links compared with the items of
 * every source the fixture answered at least once (the fixture's own numberedItems). The crash
 * run's outputs each hold few enough sources that their limit keeps every item (fleet-checks.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Parser from 'rss-parser';
import { numberedItems } from '../../tests/remote/helpers/feeds.js';
import type { FleetRequest } from '../../tests/helpers/fleet-feed-server.js';
import type { Check } from './fleet-checks.js';

const FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;

/** The link of every item the fixture served: the items of each source with a completed response. */
export function servedLinks(log: FleetRequest[], itemsPerFeed: number): Set<string> {
  const sources = new Set(log.filter((request) => request.endedAt !== null).map((request) => request.source));
  return new Set([...sources].flatMap((source) => numberedItems(itemsPerFeed, `http://example.com/s${source}/`).flatMap((item) => (item.link ? [item.link] : []))));
}

export async function outputsCheck(outputDir: string, served: Set<string>): Promise<Check> {
  const outputs = existsSync(outputDir) ? readdirSync(outputDir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && existsSync(path.join(outputDir, entry.name, 'feed.json'))) : [];
  const counts: string[] = [];
  const missing: string[] = [];
  for (const file of FILES) {
    const found = new Set<string>();
    for (const output of outputs) {
      const where = path.join(outputDir, output.name, file);
      if (existsSync(where)) for (const link of await itemLinks(file, readFileSync(where, 'utf8'))) found.add(link);
    }
    const absent = [...served].filter((link) => !found.has(link));
    counts.push(`${file} ${served.size - absent.length}`);
    if (absent.length) missing.push(`${file} lacks ${absent.length} (e.g. ${absent.slice(0, 3).join(', ')})`);
  }
  return {
    name: `every article served is in the published outputs (${FILES.join(', ')}, read back from the output folder)`,
    pass: outputs.length > 0 && served.size > 0 && missing.length === 0,
    detail: `${served.size} served, in ${outputs.length} outputs: ${counts.join(', ')}${missing.length ? `; ${missing.join('; ')}` : ''}`,
  };
}

async function itemLinks(file: (typeof FILES)[number], text: string): Promise<string[]> {
  if (file === 'feed.json') return ((JSON.parse(text) as { items?: { url?: string }[] }).items ?? []).flatMap((item) => (item.url ? [item.url] : []));
  const feed = await new Parser().parseString(text);
  return feed.items.flatMap((item) => (item.link ? [item.link] : []));
}
