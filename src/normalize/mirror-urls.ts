import type { HostMirrors, MirrorOrigin, MirrorUrl } from '../model/article.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { mirrorBase, mirrorKind, rehost } from '../lib/mirror-hosts.js';

export interface MirrorSpec {
  /** A host ("example.net") or base URL ("https://cdn.example.net/mirror/"). */
  spec: string;
  origin: MirrorOrigin;
}

export interface MirrorInputs {
  /** Mirrors of the publisher (config `mirrors`, what the feed response declared): they serve the article's own host. */
  publisher: MirrorSpec[];
  /** Mirror lists, matched by host, for the article's host and the hosts of its images and enclosures. */
  directory: MirrorDirectory | null;
}

/** Mirror URLs of one canonical URL on each base, without duplicates or the canonical itself. */
export function mirrorUrlsFor(canonical: string, bases: MirrorSpec[]): MirrorUrl[] {
  const url = new URL(canonical);
  const seen = new Set([url.href]);
  const out: MirrorUrl[] = [];
  for (const { spec, origin } of bases) {
    const base = mirrorBase(spec, url);
    if (!base) continue;
    const mirrored = rehost(url, base);
    if (seen.has(mirrored.href)) continue;
    seen.add(mirrored.href);
    out.push({ url: mirrored.href, kind: mirrorKind(mirrored), origin });
  }
  return out;
}

/**
 * Everything mirror-related about one article: the article URL on every mirror, and the
 * mirrors of every host its URLs use (so a variant can re-point images and enclosures too).
 * `declared` are full URLs the feed itself gave as duplicates of the article.
 */
export function articleMirrors(link: string, otherUrls: string[], inputs: MirrorInputs, declared: string[] = []): { mirrors: MirrorUrl[]; hostMirrors: HostMirrors[] } {
  const linkHost = new URL(link).host;
  const basesFor = (host: string): MirrorSpec[] => [
    ...(host === linkHost ? inputs.publisher : []),
    ...(inputs.directory?.lookup(host) ?? []).map((alt) => ({ spec: alt.url, origin: 'mirror-list' as const })),
  ];
  const mirrors = mirrorUrlsFor(link, basesFor(linkHost));
  for (const url of declared) {
    if (url !== link && !mirrors.some((m) => m.url === url)) mirrors.push({ url, kind: mirrorKind(new URL(url)), origin: 'feed' });
  }
  const hosts = [...new Set([link, ...otherUrls].flatMap((u) => (u.startsWith('http') ? [new URL(u).host] : [])))];
  const hostMirrors = hosts
    .map((host) => ({ host, bases: resolveBases(basesFor(host), link) }))
    .filter((entry) => entry.bases.length > 0);
  return { mirrors, hostMirrors };
}

function resolveBases(specs: MirrorSpec[], reference: string): HostMirrors['bases'] {
  const seen = new Set<string>();
  const out: HostMirrors['bases'] = [];
  for (const { spec, origin } of specs) {
    const base = mirrorBase(spec, new URL(reference));
    if (!base || seen.has(base.href)) continue;
    seen.add(base.href);
    out.push({ base: base.href, kind: mirrorKind(base), origin });
  }
  return out;
}
