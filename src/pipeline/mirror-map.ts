import type { Config } from '../config/config.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { mirrorBase, mirrorKind } from '../lib/mirror-hosts.js';
import type { MirrorMapInput } from '../publish/render-mirror-map.js';

/** Host → alternates from the config's source mirrors and the mirror lists, for mirrors.json. */
export function buildMirrorMap(config: Config, directory: MirrorDirectory | null): MirrorMapInput {
  const byHost = new Map<string, MirrorMapInput['hosts'][number]['alternates']>();
  const add = (host: string, alternate: MirrorMapInput['hosts'][number]['alternates'][number]) => {
    const list = byHost.get(host) ?? [];
    if (!list.some((a) => a.url === alternate.url)) list.push(alternate);
    byHost.set(host, list);
  };
  for (const source of config.sources) {
    if (source.kind !== 'feed') continue;
    const primary = new URL(source.url);
    for (const spec of source.mirrors) {
      const base = mirrorBase(spec, primary);
      if (base) add(primary.host, { url: base.href, kind: mirrorKind(base), type: null, updatedAt: null, origin: 'config' });
    }
  }
  for (const [host, alternates] of directory?.entries() ?? []) {
    for (const alt of alternates) add(host, { url: alt.url, kind: alt.kind, type: alt.type, updatedAt: alt.updatedAt, origin: 'mirror-list' });
  }
  return { hosts: [...byHost.entries()].map(([host, alternates]) => ({ host, alternates })) };
}
