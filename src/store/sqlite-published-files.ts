import type Database from 'better-sqlite3';
import type { PublishedFileStore } from './published-files.js';

/** The `published_files` table (migration 9). */
export class SqlitePublishedFiles implements PublishedFileStore {
  private readonly upsert;
  private readonly select;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare('INSERT INTO published_files (target, path, sha256) VALUES (?, ?, ?) ON CONFLICT (target, path) DO UPDATE SET sha256 = excluded.sha256');
    this.select = db.prepare<[string], { path: string; sha256: string }>('SELECT path, sha256 FROM published_files WHERE target = ?');
  }

  async getPublishedFiles(target: string): Promise<Map<string, string>> {
    return new Map(this.select.all(target).map((row) => [row.path, row.sha256]));
  }

  async savePublishedFiles(target: string, files: Map<string, string>): Promise<void> {
    if (files.size === 0) return;
    this.db.transaction(() => {
      for (const [path, sha256] of files) this.upsert.run(target, path, sha256);
    }).immediate();
  }
}
