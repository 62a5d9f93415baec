import type postgres from 'postgres';
import type { Article } from '../model/article.js';
import type { SourceState } from '../model/source-state.js';
import type { CachedDocument, UpsertSummary } from './store.js';
import { texts, upsertBatch } from './postgres-upsert.js';
import { encodeNullable, encodeText } from './postgres-text.js';
import { VERSION_KEY } from './schema-constants.js';
import { markOutputsDirty } from './postgres-output-queue.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/**
 * The writes of a harvest, each usable on the pool or inside a transaction: the store's own methods
 * and a fleet worker's fenced completion (postgres-source-queue.ts) write the same rows the same way.
 */
export async function writeArticles(tx: postgres.TransactionSql, articles: Article[], now: Date): Promise<UpsertSummary> {
  const { summary, changedSources } = await upsertBatch(tx, articles, now.toISOString());
  // In the same transaction: whoever publishes next knows the articles changed, even if this process dies first.
  if (summary.inserted + summary.updated > 0) {
    await bumpVersion(tx);
    await markOutputsDirty(tx, changedSources);
  }
  return summary;
}

export async function bumpVersion(tx: postgres.TransactionSql): Promise<void> {
  await tx`INSERT INTO documents (key, body, fetched_at) VALUES (${VERSION_KEY}, '1', '')
           ON CONFLICT (key) DO UPDATE SET body = (documents.body::bigint + 1)::text`;
}

export async function writeSourceStates(sql: Sql, states: SourceState[]): Promise<void> {
  // One row per source: a statement may not upsert the same row twice, and the last state wins as it would one by one.
  const latest = [...new Map(states.map((state) => [state.sourceId, state])).values()];
  if (latest.length === 0) return;
  await sql`
    INSERT INTO source_state (source_id, state, next_fetch)
    SELECT * FROM unnest(${texts(sql, latest.map((s) => s.sourceId))}::text[], ${texts(sql, latest.map((s) => JSON.stringify(s)))}::text[],
                         ${texts(sql, latest.map((s) => s.nextFetchAt))}::text[])
    ON CONFLICT (source_id) DO UPDATE SET state = excluded.state, next_fetch = excluded.next_fetch`;
}

export async function writeDocuments(sql: Sql, documents: { key: string; document: CachedDocument }[]): Promise<void> {
  const latest = [...new Map(documents.map((entry) => [entry.key, entry.document])).entries()];
  if (latest.length === 0) return;
  const column = (pick: (entry: [string, CachedDocument]) => string | null) => texts(sql, latest.map(pick));
  await sql`
    INSERT INTO documents (key, body, etag, modified, fetched_at)
    SELECT * FROM unnest(${column(([key]) => key)}::text[], ${column(([, d]) => encodeText(d.body))}::text[], ${column(([, d]) => encodeNullable(d.etag))}::text[],
                         ${column(([, d]) => encodeNullable(d.lastModified))}::text[], ${column(([, d]) => d.fetchedAt)}::text[])
    ON CONFLICT (key) DO UPDATE SET body = excluded.body, etag = excluded.etag, modified = excluded.modified, fetched_at = excluded.fetched_at`;
}
