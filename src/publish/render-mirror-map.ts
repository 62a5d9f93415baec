import type { StoredArticle } from '../model/article.js';
import type { SiteCopy } from './site-copies.js';

/** Hosts and their alternates, format-free, as the pipeline gathered them (config, mirror lists, seed footers). */
export interface MirrorMapInput {
  hosts: { host: string; alternates: { url: string; kind: string; type: string | null; updatedAt: string | null; origin: string }[] }[];
}

/**
 * mirrors.json: every known host → its alternates with freshness, plus this site's own copies,
 * so downstream aggregators can subscribe by any mirror. Sorted, and dated only by the lists'
 * own timestamps, so unchanged input gives identical bytes.
 */
export function renderMirrorMap(input: MirrorMapInput, seedArticles: StoredArticle[], copies: SiteCopy[]): string {
  const publishers = new Map<string, Set<string>>();
  for (const { publisher } of seedArticles) {
    if (!publisher) continue;
    const hosts = publishers.get(publisher.name) ?? new Set<string>();
    publisher.hosts.forEach((h) => hosts.add(h));
    publishers.set(publisher.name, hosts);
  }
  const hosts = [...input.hosts].sort((a, b) => a.host.localeCompare(b.host));
  const freshest = hosts.flatMap((h) => h.alternates.map((a) => a.updatedAt)).filter((d): d is string => d !== null).sort().at(-1) ?? null;
  const document = {
    version: 1,
    generator: 'feedmirror',
    updated: freshest,
    site: copies.map((c) => ({ url: c.base, kind: c.kind, canonical: c.isCanonical })),
    hosts: Object.fromEntries(hosts.map((h) => [h.host, h.alternates])),
    // Seed footers name a publisher and the hosts it can be reached on, without saying which is primary.
    publishers: [...publishers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, hostSet]) => ({ name, hosts: [...hostSet].sort() })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
