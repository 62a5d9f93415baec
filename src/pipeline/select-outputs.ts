import type { StoredArticle } from '../model/article.js';
import type { ArchivePage, OutputSelection } from '../model/output-selection.js';
import type { ArticleQuery, Store } from '../store/store.js';
import type { PublishOutput, PublishSource } from '../publish/publish-types.js';
import { compileFilter } from '../publish/select-items.js';
import { sha256Hex } from '../lib/text.js';
import { copyLookup, hiddenCopies } from './merge-copies.js';
import type { RunRecords } from './run-records.js';

export type SelectionStore = Pick<Store, 'listArticles' | 'findDuplicates' | 'getArchivePages' | 'sealArchivePages' | 'excludeFromOutput' | 'forgetExclusions'>;

export interface SelectionInput {
  outputs: PublishOutput[];
  sources: PublishSource[];
  store: SelectionStore;
  records: RunRecords;
  /** Bounds filters' maxAgeDays. */
  now: Date;
}

/** The sources an output shows. */
export interface OutputScope {
  /** The configured sources it shows ("*": all of them). */
  sourceIds: string[];
  /** Every source it shows, in the order its `sources` lists them: a copy from an earlier one is shown. */
  ranking: string[];
}

const SCAN_BATCH = 500; // rows per store query while looking for matching items

/**
 * What every output shows, decided and recorded in the store before anything is rendered: the
 * items of its feed, the archive pages it seals now, what its filter or a merged copy leaves out.
 */
export async function selectOutputs(input: SelectionInput): Promise<Map<string, OutputSelection>> {
  const selections = new Map<string, OutputSelection>();
  for (const output of input.outputs) selections.set(output.id, await selectOutput(output, outputScope(output.sources, input.sources), input));
  return selections;
}

/**
 * "*" is every configured source; anything else is a source id or a tag. Never "whatever the
 * store holds": a source removed from the config leaves every live output at the next publish.
 */
export function resolveSourceIds(refs: string[], sources: PublishSource[]): string[] {
  return sources.filter((s) => refs.includes('*') || refs.includes(s.id) || s.tags.some((tag) => refs.includes(tag))).map((s) => s.id);
}

/** The sources of an output, ranked in the order its `sources` names them (a tag or "*" in config order). */
export function outputScope(refs: string[], sources: PublishSource[]): OutputScope {
  const ranking = new Set<string>();
  for (const ref of refs) for (const source of sources) if (ref === '*' || ref === source.id || source.tags.includes(ref)) ranking.add(source.id);
  return { sourceIds: resolveSourceIds(refs, sources), ranking: [...ranking] };
}

/**
 * The items of one output. Without archives: the newest `limit` items passing the filter. With
 * archives: items that fall out of the newest `limit` are sealed, oldest first, into pages of
 * `pageSize` that never change; fewer than a page's worth stay in the subscription document
 * until a page fills, so no item is ever unreachable and no archive page is ever rewritten.
 */
async function selectOutput(output: PublishOutput, scope: OutputScope, { store, records, now }: SelectionInput): Promise<OutputSelection> {
  const archiving = output.archive !== false;
  if (archiving) await forgetStaleExclusions(output, scope, store, records);
  const matches = compileFilter(output.filter, now);
  const base: ArticleQuery = {
    limit: SCAN_BATCH,
    sourceIds: scope.sourceIds,
    ...(output.filter?.maxAgeDays !== undefined ? { publishedAfter: new Date(now.getTime() - output.filter.maxAgeDays * 86_400_000).toISOString() } : {}),
    ...(archiving ? { notSetAsideBy: output.id } : {}),
  };
  const candidates: StoredArticle[] = [];
  const excluded: string[] = [];
  for (let offset = 0; ; offset += SCAN_BATCH) {
    const batch = await store.listArticles({ ...base, offset });
    // Copies are left out before the filter: the copy shown is the one the filter judges.
    const copies = scope.ranking.length > 1 ? await hiddenCopiesOf(batch, output, scope, store) : NONE;
    for (const article of batch) {
      if (!copies.has(article.id) && matches(article)) candidates.push(article);
      else excluded.push(article.id);
    }
    if (batch.length < SCAN_BATCH || (!archiving && candidates.length >= output.limit)) break;
  }
  if (!archiving) return { current: candidates.slice(0, output.limit), sealed: [], pages: [], complete: false, sealedArticles: new Map() };
  // Left out once, not scanned again on every run (until the article or the filter changes).
  if (excluded.length > 0) await store.excludeFromOutput(output.id, excluded);
  return sealPages(output, candidates, store);
}

async function sealPages(output: PublishOutput, candidates: StoredArticle[], store: SelectionStore): Promise<OutputSelection> {
  const pageSize = (output.archive || undefined)?.pageSize ?? output.limit;
  const pages = await store.getArchivePages(output.id);
  const overflow = candidates.slice(output.limit); // newest first
  const sealed: ArchivePage[] = [];
  const sealedArticles = new Map<string, StoredArticle>();
  while (overflow.length >= pageSize) {
    const oldest = overflow.splice(overflow.length - pageSize, pageSize);
    const page = { page: (pages.at(-1)?.page ?? 0) + 1, articleIds: oldest.map((a) => a.id) };
    for (const article of oldest) sealedArticles.set(article.id, article);
    pages.push(page);
    sealed.push(page);
  }
  // One transaction for every page sealed now (a first publish of a long feed seals dozens).
  if (sealed.length > 0) await store.sealArchivePages(output.id, sealed);
  const current = [...candidates.slice(0, output.limit), ...overflow];
  return { current, sealed, pages, complete: pages.length === 0, sealedArticles };
}

const NONE: ReadonlySet<string> = new Set();

async function hiddenCopiesOf(batch: StoredArticle[], output: PublishOutput, scope: OutputScope, store: SelectionStore): Promise<ReadonlySet<string>> {
  const { guids, urls } = copyLookup(batch);
  if (guids.length === 0 && urls.length === 0) return NONE;
  const copies = await store.findDuplicates({ outputId: output.id, sourceIds: scope.sourceIds, guids, urls });
  return hiddenCopies(batch, copies, scope.ranking);
}

/**
 * A changed filter may let through what it excluded before, and a changed order of sources may
 * show another copy of an article: forget the exclusions.
 */
async function forgetStaleExclusions(output: PublishOutput, scope: OutputScope, store: SelectionStore, records: RunRecords): Promise<void> {
  const hash = sha256Hex(JSON.stringify([output.filter ?? null, scope.ranking]));
  if ((await records.read('outputFilter', output.id))?.hash === hash) return;
  await store.forgetExclusions(output.id);
  await records.save('outputFilter', output.id, { hash });
}
