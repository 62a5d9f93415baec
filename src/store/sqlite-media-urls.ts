import type Database from 'better-sqlite3';
import type { MediaUrlStore } from './media-urls.js';

/** The `media_urls` table (migration 8). */
export class SqliteMediaUrls implements MediaUrlStore {
  private readonly insert;
  private readonly select;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare('INSERT INTO media_urls (hash, url, first_seen) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING');
    this.select = db.prepare<[string], string>('SELECT url FROM media_urls WHERE hash = ?').pluck();
  }

  async saveMediaUrls(entries: { hash: string; url: string }[], now: Date): Promise<void> {
    if (entries.length === 0) return;
    const stamp = now.toISOString();
    this.db.transaction(() => {
      for (const { hash, url } of entries) this.insert.run(hash, url, stamp);
    }).immediate();
  }

  async getMediaUrl(hash: string): Promise<string | null> {
    return this.select.get(hash) ?? null;
  }
}
