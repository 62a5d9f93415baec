import type { Sql } from 'postgres';
import type { PublishedFileStore } from './published-files.js';

/** Rows per INSERT: a first publish of a large archive records thousands of files. */
const ROWS_PER_STATEMENT = 5_000;

/** The `published_files` table (PostgreSQL migration 7), as sqlite-published-files.ts. */
export class PostgresPublishedFiles implements PublishedFileStore {
  constructor(private readonly sql: Sql) {}

  async getPublishedFiles(target: string): Promise<Map<string, string>> {
    const rows = await this.sql<{ path: string; sha256: string }[]>`SELECT path, sha256 FROM published_files WHERE target = ${target}`;
    return new Map(rows.map((row) => [row.path, row.sha256]));
  }

  async savePublishedFiles(target: string, files: Map<string, string>): Promise<void> {
    const rows = [...files].map(([path, sha256]) => ({ target, path, sha256 }));
    if (rows.length === 0) return;
    await this.sql.begin(async (tx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        await tx`INSERT INTO published_files ${tx(rows.slice(i, i + ROWS_PER_STATEMENT))} ON CONFLICT (target, path) DO UPDATE SET sha256 = excluded.sha256`;
      }
    });
  }
}
