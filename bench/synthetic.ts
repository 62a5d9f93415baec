/**
 * Adds synthetic articles to an existing feedmirror store, directly with better-sqlite3, in the
 * exact row format of src/store/sqlite-store.ts (articles + article_sources, `data` = the Article
 * as JSON, record_hash = sha256 of the Article as upsertArticles computes it).
 *
 *   node --import tsx bench/synthetic.ts --db FILE --count TOTAL [--source synthetic]
 *
 * Brings the number of articles of source `synthetic` up to TOTAL (articles 0 … TOTAL-1; those
 * already there are kept), dated from 2015-01-01 two minutes apart (older than every fetched item),
 * in transactions of 20,000 rows. The source is not in the benchmark config, so nothing fetches
 * it, but an output with "sources": ["*"] selects its articles. Prints one JSON line.
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { sha256Hex } from '../src/lib/text.js';
import { syntheticArticle } from './lib/articles.js';

const { values: args } = parseArgs({
  options: { db: { type: 'string' }, count: { type: 'string' }, source: { type: 'string', default: 'synthetic' } },
});
if (!args.db || !args.count) throw new Error('usage: synthetic.ts --db FILE --count TOTAL');
const SOURCE = args.source!;
const TOTAL = Number(args.count);
const BATCH = 20_000;
const START = Date.UTC(2015, 0, 1);

const db = new Database(args.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const hasArticles = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'").get() !== undefined;
if (!hasArticles) throw new Error(`${args.db} has no articles table: run feedmirror on it first`);

const insert = db.prepare(
  `INSERT INTO articles (id, source_id, guid, url, published, updated, first_seen, content_hash, record_hash, data)
   VALUES (@id, @sourceId, @guid, @url, @published, @updated, @firstSeen, @contentHash, @recordHash, @data)`,
);
const link = db.prepare('INSERT OR IGNORE INTO article_sources (source_id, article_id) VALUES (?, ?)');
const existing = (db.prepare('SELECT count(*) AS n FROM article_sources WHERE source_id = ?').get(SOURCE) as { n: number }).n;
const firstSeen = new Date().toISOString();
const started = performance.now();
let inserted = 0;

const insertBatch = db.transaction((from: number, to: number) => {
  for (let n = from; n < to; n++) {
    const article = syntheticArticle(n, { sourceId: SOURCE, host: `site${n % 200}.synthetic.example`, published: new Date(START + n * 120_000).toISOString() });
    // as SqliteStore.upsertOne does for a new article
    const recordHash = sha256Hex(JSON.stringify(article));
    const updated = article.updated ?? null;
    insert.run({ ...article, updated, firstSeen, recordHash, data: JSON.stringify({ ...article, updated }) });
    link.run(SOURCE, article.id);
    inserted++;
  }
});
for (let from = existing; from < TOTAL; from += BATCH) insertBatch(from, Math.min(TOTAL, from + BATCH));
db.pragma('wal_checkpoint(TRUNCATE)');
const total = (db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n;
db.close();
process.stdout.write(`${JSON.stringify({ source: SOURCE, inserted, synthetic: existing + inserted, total, ms: Math.round(performance.now() - started) })}\n`);
