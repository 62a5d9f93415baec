import type Database from 'better-sqlite3';
import type { MediaUrl, MediaUrlStore } from './media-urls.js';

/** The `media_urls` table (migration 8). */
export class SqliteMediaUrls implements MediaUrlStore {
  private readonly insert;
  private readonly select;

  constructor(private readonly db: Database.Database) {
    // The mirrors may have changed since: the newest list wins.
    this.insert = db.prepare('INSERT INTO media_urls (hash, url, alternates, first_seen) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET alternates = excluded.alternates');
    this.select = db.prepare<[string], { url: string; alternates: string }>('SELECT url, alternates FROM media_urls WHERE hash = ?');
  }

  async saveMediaUrls(entries: MediaUrl[], now: Date): Promise<void> {
    if (entries.length === 0) return;
    const stamp = now.toISOString();
    this.db.transaction(() => {
      for (const { hash, url, alternates } of entries) this.insert.run(hash, url, JSON.stringify(alternates), stamp);
    }).immediate();
  }

  async getMediaUrl(hash: string): Promise<MediaUrl | null> {
    const row = this.select.get(hash);
    return row ? { hash, url: row.url, alternates: JSON.parse(row.alternates) as string[] } : null;
  }
}
