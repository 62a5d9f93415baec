/** Config objects for the operations tests, built fresh per call from a few overrides. */

export const SITE_URL = 'https://feeds.example.org/';
export const MIRROR_HOST = 'mirror.example.net';
export const ONION_HOST = 'feedsexampleabcdefghijklmnopqrstuvwxyz234567abcdefghijkl.onion';

export interface OpsConfigOptions {
  sources?: Record<string, unknown>[];
  siteMirrors?: string[];
  schedule?: Record<string, string>;
  outputs?: Record<string, unknown>[];
  database?: string;
  outputDir?: string;
}

/** Seeds by default; remote sources on the fixture server need allowPrivateNetworks (it is on loopback). */
export function opsConfig(options: OpsConfigOptions = {}): Record<string, unknown> {
  return {
    site: { url: SITE_URL, title: 'feedmirror operations tests', mirrors: options.siteMirrors ?? [] },
    database: options.database ?? 'data/feedmirror.db',
    outputDir: options.outputDir ?? 'feeds',
    fetch: { allowPrivateNetworks: true },
    ...(options.schedule ? { schedule: options.schedule } : {}),
    sources: options.sources ?? [{ id: 'seeds', title: 'Seed articles', seeds: 'seeds' }],
    outputs: options.outputs ?? [{ id: 'all', title: 'Everything', sources: ['*'], limit: 100 }],
  };
}
