import type { Article } from '../model/article.js';
import type { SourceState } from '../model/source-state.js';
import type { CachedDocument, Store, UpsertSummary } from '../store/store.js';

const STATE_BATCH = 100;
/** About 20 feeds' worth: bounded memory, and few enough commits that index pages are not rewritten per feed. */
const ARTICLE_BATCH = 1_000;

export interface HarvestWrites {
  articles: Article[];
  state: SourceState;
  /** The harvest's record, as a document (see run-records.ts), when it changed. */
  record: { key: string; document: CachedDocument } | null;
}

/**
 * What harvests bring, stored in batches: every commit rewrites the index pages it touches, so a
 * write transaction per source would be a third of a cold run and most of a quiet run's store
 * time (docs/performance-history.md, round 2). Articles go in
 * before the states that say they were fetched, so a crash in between costs a refetch (the store
 * knows what it has), never an item hidden behind a 304; the harvest records come last for the
 * same reason.
 */
export class StoreBatch {
  private articles: Article[] = [];
  private states: SourceState[] = [];
  private records: { key: string; document: CachedDocument }[] = [];

  constructor(
    private readonly store: Pick<Store, 'upsertArticles' | 'saveSourceStates' | 'saveDocuments'>,
    private readonly now: Date,
    /** Told what each write of articles did. */
    private readonly onStored: (summary: UpsertSummary) => void,
  ) {}

  /** Adds one source's writes; stores the batch once it is full. */
  async add(writes: HarvestWrites): Promise<void> {
    for (const article of writes.articles) this.articles.push(article);
    this.states.push(writes.state);
    if (writes.record) this.records.push(writes.record);
    if (this.states.length >= STATE_BATCH || this.articles.length >= ARTICLE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    // All taken before the first await: a source finishing meanwhile waits for the next batch
    // with its articles, instead of its state slipping into this one.
    const articles = this.articles.splice(0);
    const states = this.states.splice(0);
    const records = this.records.splice(0);
    if (articles.length > 0) this.onStored(await this.store.upsertArticles(articles, this.now));
    if (states.length > 0) await this.store.saveSourceStates(states);
    if (records.length > 0) await this.store.saveDocuments(records);
  }
}
