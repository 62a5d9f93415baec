import type Database from 'better-sqlite3';
import { pageFromRow, type ExtractedPage, type ExtractedPageRow, type ExtractedPageStore } from './extracted-pages.js';

/** The `extracted_pages` table (migration 7). */
export class SqliteExtractedPages implements ExtractedPageStore {
  private readonly select;
  private readonly upsert;

  constructor(private readonly db: Database.Database) {
    this.select = db.prepare<[string], ExtractedPageRow>('SELECT * FROM extracted_pages WHERE url IN (SELECT value FROM json_each(?))');
    this.upsert = db.prepare(
      `INSERT INTO extracted_pages (url, version, etag, modified, fetched_at, content, problem_code, problem)
       VALUES (@url, @version, @etag, @lastModified, @fetchedAt, @contentHtml, @problemCode, @problem)
       ON CONFLICT (url) DO UPDATE SET version = excluded.version, etag = excluded.etag, modified = excluded.modified,
         fetched_at = excluded.fetched_at, content = excluded.content, problem_code = excluded.problem_code, problem = excluded.problem`,
    );
  }

  async getExtractedPages(urls: string[]): Promise<Map<string, ExtractedPage>> {
    if (urls.length === 0) return new Map();
    const rows = this.select.all(JSON.stringify(urls));
    return new Map(rows.map((row) => [row.url, pageFromRow(row)]));
  }

  async saveExtractedPages(pages: ExtractedPage[]): Promise<void> {
    if (pages.length === 0) return;
    this.db.transaction(() => {
      for (const page of pages) this.upsert.run({ ...page, problemCode: page.problem?.code ?? null, problem: page.problem?.message ?? null });
    }).immediate();
  }
}
