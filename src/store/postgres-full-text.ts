import type { Sql } from 'postgres';
import { pageFromRow, type ExtractedPage, type ExtractedPageRow, type ExtractedPageStore } from './extracted-pages.js';
import type { MediaUrl, MediaUrlStore } from './media-urls.js';
import { decodeNullable, encodeNullable } from './postgres-text.js';

/** The `extracted_pages` table (PostgreSQL migration 3), as sqlite-extracted-pages.ts. */
export class PostgresExtractedPages implements ExtractedPageStore {
  constructor(private readonly sql: Sql) {}

  async getExtractedPages(urls: string[]): Promise<Map<string, ExtractedPage>> {
    if (urls.length === 0) return new Map();
    const rows = await this.sql<ExtractedPageRow[]>`SELECT * FROM extracted_pages WHERE url = ANY(${this.sql.array(urls)}::text[])`;
    return new Map(rows.map((row) => [row.url, pageFromRow({ ...row, content: decodeNullable(row.content), problem: decodeNullable(row.problem) })]));
  }

  async saveExtractedPages(pages: ExtractedPage[]): Promise<void> {
    // One row per URL: a statement may not upsert the same row twice, and the last page wins as one by one.
    const byUrl = new Map(pages.map((page) => [page.url, page]));
    if (byUrl.size === 0) return;
    const rows = [...byUrl.values()].map((page) => ({
      url: page.url, version: page.version, etag: page.etag, modified: page.lastModified, fetched_at: page.fetchedAt,
      content: encodeNullable(page.contentHtml), problem_code: page.problem?.code ?? null, problem: encodeNullable(page.problem?.message ?? null),
    }));
    await this.sql`
      INSERT INTO extracted_pages ${this.sql(rows)}
      ON CONFLICT (url) DO UPDATE SET version = excluded.version, etag = excluded.etag, modified = excluded.modified,
        fetched_at = excluded.fetched_at, content = excluded.content, problem_code = excluded.problem_code, problem = excluded.problem`;
  }
}

/** The `media_urls` table (PostgreSQL migration 3), as sqlite-media-urls.ts. */
export class PostgresMediaUrls implements MediaUrlStore {
  constructor(private readonly sql: Sql) {}

  async saveMediaUrls(entries: MediaUrl[], now: Date): Promise<void> {
    const byHash = new Map(entries.map((entry) => [entry.hash, entry]));
    if (byHash.size === 0) return;
    const stamp = now.toISOString();
    const rows = [...byHash.values()].map(({ hash, url, alternates }) => ({ hash, url, alternates: JSON.stringify(alternates), first_seen: stamp }));
    // The mirrors may have changed since: the newest list wins.
    await this.sql`INSERT INTO media_urls ${this.sql(rows)} ON CONFLICT (hash) DO UPDATE SET alternates = excluded.alternates`;
  }

  async getMediaUrl(hash: string): Promise<MediaUrl | null> {
    const [row] = await this.sql<{ url: string; alternates: string }[]>`SELECT url, alternates FROM media_urls WHERE hash = ${hash}`;
    return row ? { hash, url: row.url, alternates: JSON.parse(row.alternates) as string[] } : null;
  }
}
