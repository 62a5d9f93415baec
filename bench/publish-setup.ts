/**
 * Store for the publishing benchmark: 100 sources × 100 synthetic articles (10,000), written
 * through the real store (openSqliteStore → upsertArticles, one call per source).
 *
 *   node --import tsx bench/publish-setup.ts --app DIR --db FILE [--sources 100] [--per-source 100]
 *
 * DIR is the feedmirror build being measured (its dist/ is used to open the store).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as StoreModule from '../src/store/sqlite-store.js';
import { syntheticArticle } from './lib/articles.js';

const { values: args } = parseArgs({
  options: { app: { type: 'string' }, db: { type: 'string' }, sources: { type: 'string', default: '100' }, 'per-source': { type: 'string', default: '100' } },
});
if (!args.db || !args.app) throw new Error('usage: publish-setup.ts --app DIR --db FILE');
// the store of the feedmirror build being measured (its migrations), not the working tree's
const { openSqliteStore } = (await import(pathToFileURL(path.join(args.app, 'dist', 'store', 'sqlite-store.js')).href)) as typeof StoreModule;
for (const suffix of ['', '-wal', '-shm']) rmSync(`${args.db}${suffix}`, { force: true });
const sources = Number(args.sources);
const perSource = Number(args['per-source']);
const store = openSqliteStore(args.db);
const started = performance.now();
const now = new Date('2025-01-01T00:00:00Z');
let inserted = 0;
for (let s = 0; s < sources; s++) {
  const sourceId = `p${String(s).padStart(3, '0')}`;
  const articles = Array.from({ length: perSource }, (_, i) => {
    const n = s * perSource + i;
    return syntheticArticle(n, { sourceId, host: `${sourceId}.publisher.example`, published: new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString() });
  });
  inserted += (await store.upsertArticles(articles, now)).inserted;
}
await store.close();
process.stdout.write(`${JSON.stringify({ inserted, ms: Math.round(performance.now() - started) })}\n`);
