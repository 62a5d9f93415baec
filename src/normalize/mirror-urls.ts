import type { MirrorOrigin, MirrorUrl } from '../model/article.js';
import { mirrorBase, mirrorKind, rehost } from '../lib/mirror-hosts.js';

/** Mirror URLs of one canonical URL on each base, without duplicates or the canonical itself. */
export function mirrorUrlsFor(canonical: string, bases: { spec: string; origin: MirrorOrigin }[]): MirrorUrl[] {
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
