import type { MirrorAlternate, MirrorSite } from '../model/mirror-directory.js';

/**
 * Mirror lists indexed by host. Matching rule: a site's alternates apply to its main domain and
 * to the same host with or without a leading "www." — nothing else. Other subdomains do not
 * inherit (a mirror of voanews.com serves voanews.com's paths, not amharic.voanews.com's;
 * such subdomains have their own entries in real lists).
 */
export class MirrorDirectory {
  private readonly byHost = new Map<string, MirrorAlternate[]>();

  constructor(sites: MirrorSite[] = []) {
    for (const site of sites) {
      const key = hostKey(site.mainDomain);
      const known = this.byHost.get(key) ?? [];
      for (const alt of site.alternates) if (!known.some((k) => k.url === alt.url)) known.push(alt);
      this.byHost.set(key, known);
    }
    for (const alternates of this.byHost.values()) alternates.sort(byFreshness);
  }

  /** Alternates for a host, freshest first (undated ones last, in list order). */
  lookup(host: string): MirrorAlternate[] {
    return this.byHost.get(hostKey(host)) ?? [];
  }

  get size(): number {
    return this.byHost.size;
  }

  entries(): [string, MirrorAlternate[]][] {
    return [...this.byHost.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}

function hostKey(host: string): string {
  return host.toLowerCase().replace(/\.$/, '').replace(/^www\./, '');
}

function byFreshness(a: MirrorAlternate, b: MirrorAlternate): number {
  if (a.updatedAt === b.updatedAt) return 0;
  if (a.updatedAt === null) return 1;
  if (b.updatedAt === null) return -1;
  return a.updatedAt > b.updatedAt ? -1 : 1;
}
