import type { Config } from '../config/config.js';
import type { Store } from '../store/store.js';
import type { SourceState } from '../model/source-state.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import type { PublishInput, SourceHealth } from '../publish/publish-types.js';
import { GENERATOR } from '../version.js';
import { buildMirrorMap } from './mirror-map.js';

/** What the publish step is given: the config as values, sources shown by their feeds' own titles when they have none. */
export async function buildPublishInput(config: Config, store: Store, directory: MirrorDirectory | null, now: Date): Promise<PublishInput> {
  const states = await store.getSourceStates();
  return {
    site: config.site,
    sources: config.sources.map((s) => ({ ...s, title: s.title ?? states.get(s.id)?.title ?? undefined, url: s.kind === 'feed' ? s.url : undefined })),
    outputs: config.outputs,
    outputDir: config.outputDir,
    generator: GENERATOR,
    now,
    mirrorMap: buildMirrorMap(config, directory),
    health: await sourceHealth(config, store, states),
    checkedOn: utcDay(now.toISOString()),
  };
}

async function sourceHealth(config: Config, store: Store, states: Map<string, SourceState>): Promise<SourceHealth[]> {
  const counts = await store.countArticlesBySource(config.sources.map((s) => s.id));
  const health: SourceHealth[] = [];
  for (const source of config.sources) {
    const state = states.get(source.id);
    health.push({
      id: source.id,
      title: source.title ?? state?.title ?? source.id,
      kind: source.kind,
      url: source.kind === 'feed' ? source.url : null,
      lastFetchAt: state?.lastFetchAt ?? null,
      checkedOn: state?.lastFetchAt ? utcDay(state.lastFetchAt) : null,
      lastStatus: state?.lastStatus ?? null,
      failures: state?.failures ?? 0,
      lastError: state?.lastError ?? null,
      items: counts.get(source.id) ?? 0,
    });
  }
  return health;
}

function utcDay(iso: string): string {
  return iso.slice(0, 10);
}
