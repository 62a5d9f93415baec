import { mirrorBase, mirrorKind } from '../lib/mirror-hosts.js';
import { mirrorCopyDir } from '../lib/site-paths.js';

/**
 * The site and each of its mirrors: every copy gets the whole output tree, its own self links
 * and page links. The canonical copy is the output folder itself; a mirror's copy lives in
 * mirrors/<host>/ so one server can pick it by Host header.
 */
export interface SiteCopy {
  /** Base URL of this copy. */
  base: string;
  /** Folder inside the output folder ('' for the canonical copy). */
  dir: string;
  host: string;
  kind: string;
  isCanonical: boolean;
}

export function siteCopies(siteUrl: string, mirrors: string[]): SiteCopy[] {
  const canonical = new URL(siteUrl);
  const copies: SiteCopy[] = [{ base: canonical.href, dir: '', host: canonical.host, kind: mirrorKind(canonical), isCanonical: true }];
  for (const spec of mirrors) {
    const base = mirrorBase(spec);
    // The config refuses a host that makes no safe folder; one that gets here anyway gets no copy.
    const dir = base && mirrorCopyDir(base.host);
    if (!base || !dir || copies.some((c) => c.host === base.host || c.dir === dir)) continue;
    copies.push({ base: base.href, dir, host: base.host, kind: mirrorKind(base), isCanonical: false });
  }
  return copies;
}
