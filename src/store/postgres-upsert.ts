import type postgres from 'postgres';
import type { Article } from '../model/article.js';
import { sha256Hex } from '../lib/text.js';
import { nextCandidateId, planRecord, type ExistingRecord, type RecordRow } from './article-record.js';
import { decodeNullable, decodeText, encodeNullable, encodeText } from './postgres-text.js';
import type { UpsertSummary } from './store.js';

type Tx = postgres.TransactionSql;

const TEXT_ARRAY = 1009; // the type oid of text[]
/** Rows per INSERT or UPDATE statement: bounds the size of one message (a record can be large). */
const WRITE_CHUNK = 500;

/** A stored record as the batch sees it, with its item key (a provisional copy's changes when adopted). */
interface Known extends ExistingRecord {
  source_id: string;
  key: string;
  provisional: boolean;
  guid: string;
  url: string | null;
}

interface KnownRow extends ExistingRecord {
  source_id: string;
  item_key: string;
  provisional: boolean;
  guid: string;
  url: string | null;
}

/**
 * Upserts a batch with a fixed number of statements, whatever its size: the records the batch may
 * touch are read first, each article is decided in order exactly as SqliteStore.upsertOne decides
 * it (with the batch's own writes seen by the articles after them), then the rows are written.
 * Also says which sources had a record inserted or changed.
 */
export async function upsertBatch(tx: Tx, articles: Article[], now: string): Promise<{ summary: UpsertSummary; changedSources: string[] }> {
  const batch = new UpsertBatch(tx, await readKnown(tx, articles), await readTakenIds(tx, articles));
  const summary: UpsertSummary = { inserted: 0, updated: 0, unchanged: 0 };
  const changed = new Set<string>();
  for (const article of articles) {
    const outcome = await batch.add(article, now);
    summary[outcome]++;
    if (outcome !== 'unchanged') changed.add(article.sourceId);
  }
  await batch.write();
  return { summary, changedSources: [...changed] };
}

class UpsertBatch {
  private readonly byKey = new Map<string, Known>();
  /** Provisional records not adopted yet. */
  private provisional: Known[];
  private readonly inserts = new Map<string, RecordRow>();
  private readonly updates = new Map<string, RecordRow>();
  private readonly unfiltered = new Set<string>();

  constructor(
    private readonly tx: Tx,
    known: Known[],
    /** Ids known to be taken (true) or free (false); others are looked up. */
    private readonly ids: Map<string, boolean>,
  ) {
    for (const record of known) this.byKey.set(keyOf(record.source_id, record.key), record);
    this.provisional = known.filter((record) => record.provisional);
  }

  async add(incoming: Article, now: string): Promise<keyof UpsertSummary> {
    // Only the source's own record: nothing one source serves can change another source's.
    const existing = this.byKey.get(keyOf(incoming.sourceId, incoming.itemKey)) ?? this.provisionalFor(incoming);
    const write = planRecord(incoming, existing, existing?.id ?? (await this.freeId(incoming)), now);
    if (!write) return 'unchanged';
    const { row } = write;
    if (existing) this.forget(existing);
    this.byKey.set(keyOf(row.sourceId, row.itemKey), {
      id: row.id, source_id: row.sourceId, key: row.itemKey, provisional: false, guid: row.guid, url: row.url,
      published: row.published, record_hash: row.recordHash, content_hash: row.contentHash, updated: row.updated,
    });
    if (!existing) {
      this.inserts.set(row.id, row);
      this.ids.set(row.id, true);
    } else if (this.inserts.has(row.id)) this.inserts.set(row.id, row);
    else this.updates.set(row.id, row);
    // Changed content may now pass a filter that excluded it before.
    if (write.contentChanged) this.unfiltered.add(row.id);
    return existing ? 'updated' : 'inserted';
  }

  /** A record copied to this source by the identity migration, whose key may not be the one its source uses. */
  private provisionalFor(incoming: Article): Known | undefined {
    return this.provisional.find((record) => record.source_id === incoming.sourceId && (record.guid === incoming.guid || (incoming.url !== null && record.url === incoming.url)));
  }

  /** A record about to be rewritten: under its old key it is found no more, and it is provisional no more. */
  private forget(record: Known): void {
    this.byKey.delete(keyOf(record.source_id, record.key));
    if (record.provisional) this.provisional = this.provisional.filter((other) => other.id !== record.id);
  }

  /** See SqliteStore.freeId. */
  private async freeId(article: Article): Promise<string> {
    let id = article.id;
    while (await this.isTaken(id)) id = nextCandidateId(article, id);
    return id;
  }

  private async isTaken(id: string): Promise<boolean> {
    let taken = this.ids.get(id);
    if (taken === undefined) {
      taken = (await this.tx`SELECT 1 FROM articles WHERE id = ${id}`).length > 0;
      this.ids.set(id, taken);
    }
    return taken;
  }

  async write(): Promise<void> {
    for (const rows of chunks([...this.updates.values()])) await updateRows(this.tx, rows);
    for (const rows of chunks([...this.inserts.values()])) await insertRows(this.tx, rows);
    if (this.unfiltered.size > 0) await this.tx`DELETE FROM output_members WHERE page = 0 AND article_id = ANY(${texts(this.tx, [...this.unfiltered])})`;
  }
}

/** The records of the batch's (source, item key) pairs, and the provisional records of its sources. */
async function readKnown(tx: Tx, articles: Article[]): Promise<Known[]> {
  const sources = articles.map((a) => a.sourceId);
  const rows = await tx<KnownRow[]>`
    SELECT id, source_id, item_key, provisional, guid, url, published, record_hash, content_hash, updated FROM articles
    WHERE (source_id, item_key_sha256) IN (SELECT * FROM unnest(${texts(tx, sources)}::text[], ${texts(tx, articles.map((a) => sha256Hex(a.itemKey)))}::text[]))
       OR (provisional AND source_id = ANY(${texts(tx, [...new Set(sources)])}))
    ORDER BY first_seen, id`;
  return rows.map((row) => ({ ...row, key: decodeText(row.item_key), guid: decodeText(row.guid), url: decodeNullable(row.url) }));
}

/** Which of the batch's own ids other records already have. */
async function readTakenIds(tx: Tx, articles: Article[]): Promise<Map<string, boolean>> {
  const ids = [...new Set(articles.map((a) => a.id))];
  const taken = new Set((await tx<{ id: string }[]>`SELECT id FROM articles WHERE id = ANY(${texts(tx, ids)})`).map((row) => row.id));
  return new Map(ids.map((id) => [id, taken.has(id)]));
}

async function updateRows(tx: Tx, rows: RecordRow[]): Promise<void> {
  const column = (pick: (row: RecordRow) => string | null) => texts(tx, rows.map(pick));
  await tx`
    UPDATE articles a SET item_key = u.item_key, item_key_sha256 = u.item_key_sha256, provisional = false, kind = u.kind, guid = u.guid,
           url = u.url, published = u.published, updated = u.updated, content_hash = u.content_hash, record_hash = u.record_hash, data = u.data
    FROM unnest(${column((r) => r.id)}::text[], ${column((r) => encodeText(r.itemKey))}::text[], ${column((r) => sha256Hex(r.itemKey))}::text[],
                ${column((r) => r.kind)}::text[], ${column((r) => encodeText(r.guid))}::text[], ${column((r) => encodeNullable(r.url))}::text[],
                ${column((r) => r.published)}::text[], ${column((r) => r.updated)}::text[], ${column((r) => r.contentHash)}::text[],
                ${column((r) => r.recordHash)}::text[], ${column((r) => r.data)}::text[])
         AS u(id, item_key, item_key_sha256, kind, guid, url, published, updated, content_hash, record_hash, data)
    WHERE a.id = u.id`;
}

async function insertRows(tx: Tx, rows: RecordRow[]): Promise<void> {
  const column = (pick: (row: RecordRow) => string | null) => texts(tx, rows.map(pick));
  await tx`
    INSERT INTO articles (id, source_id, item_key, item_key_sha256, kind, guid, url, published, updated, first_seen, content_hash, record_hash, data)
    SELECT * FROM unnest(${column((r) => r.id)}::text[], ${column((r) => r.sourceId)}::text[], ${column((r) => encodeText(r.itemKey))}::text[],
                         ${column((r) => sha256Hex(r.itemKey))}::text[], ${column((r) => r.kind)}::text[], ${column((r) => encodeText(r.guid))}::text[],
                         ${column((r) => encodeNullable(r.url))}::text[], ${column((r) => r.published)}::text[], ${column((r) => r.updated)}::text[],
                         ${column((r) => r.firstSeen)}::text[], ${column((r) => r.contentHash)}::text[], ${column((r) => r.recordHash)}::text[],
                         ${column((r) => r.data)}::text[])`;
}

/** A text[] parameter (typed, so it is sent as an array even before the connection has loaded the types). */
export function texts(sql: postgres.Sql | Tx, values: (string | null)[]): postgres.ArrayParameter<(string | null)[]> {
  return sql.array(values, TEXT_ARRAY);
}

function keyOf(sourceId: string, itemKey: string): string {
  return `${sourceId}\n${itemKey}`;
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += WRITE_CHUNK) yield items.slice(i, i + WRITE_CHUNK);
}
