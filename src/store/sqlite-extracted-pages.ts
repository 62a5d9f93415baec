import type Database from 'better-sqlite3';
import { ERROR_CODES, type ErrorCode } from '../model/errors.js';
import type { ExtractedPage, ExtractedPageStore } from './extracted-pages.js';

interface PageRow {
  url: string;
  version: string;
  etag: string | null;
  modified: string | null;
  fetched_at: string;
  content: string | null;
  problem_code: string | null;
  problem: string | null;
}

/** The `extracted_pages` table (migration 7). */
export class SqliteExtractedPages implements ExtractedPageStore {
  private readonly select;
  private readonly upsert;

  constructor(private readonly db: Database.Database) {
    this.select = db.prepare<[string], PageRow>('SELECT * FROM extracted_pages WHERE url IN (SELECT value FROM json_each(?))');
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
    return new Map(rows.map((row) => [row.url, toPage(row)]));
  }

  async saveExtractedPages(pages: ExtractedPage[]): Promise<void> {
    if (pages.length === 0) return;
    this.db.transaction(() => {
      for (const page of pages) this.upsert.run({ ...page, problemCode: page.problem?.code ?? null, problem: page.problem?.message ?? null });
    }).immediate();
  }
}

function toPage(row: PageRow): ExtractedPage {
  // A code this build does not know (written by a newer one) reads as the general "no article".
  const code = row.problem_code !== null && row.problem_code in ERROR_CODES ? (row.problem_code as ErrorCode) : 'FM_NO_ARTICLE';
  return {
    url: row.url, version: row.version, etag: row.etag, lastModified: row.modified, fetchedAt: row.fetched_at, contentHtml: row.content,
    problem: row.content === null ? { code, message: row.problem ?? '' } : null,
  };
}
