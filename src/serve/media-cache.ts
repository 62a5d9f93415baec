import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CachedMedia {
  bytes: Buffer;
  contentType: string;
}

interface Entry {
  size: number;
}

/**
 * Media fetched for `/media/<hash>`, on disk under a size budget: `<hash>` holds the bytes and
 * `<hash>.type` the content type. The least recently served files are removed first; a file's
 * modification time records its last use, so the order survives a restart.
 */
export class MediaCache {
  /** Hash → entry, least recently used first (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    /** bytes */
    private readonly maxBytes: number,
  ) {}

  async get(hash: string): Promise<CachedMedia | null> {
    await this.load();
    const entry = this.entries.get(hash);
    if (!entry) return null;
    try {
      const [bytes, contentType] = await Promise.all([readFile(this.file(hash)), readFile(`${this.file(hash)}.type`, 'utf8')]);
      this.touch(hash, entry);
      const now = new Date();
      await utimes(this.file(hash), now, now).catch(() => undefined);
      return { bytes, contentType };
    } catch {
      this.forget(hash);
      return null;
    }
  }

  /** Keeps a file (not one bigger than the whole budget), then removes the least recently used until the cache fits. */
  async put(hash: string, media: CachedMedia): Promise<void> {
    await this.load();
    if (media.bytes.length > this.maxBytes) return;
    await mkdir(this.dir, { recursive: true });
    // Written under a temp name and renamed: a reader never sees half a file.
    const temp = `${this.file(hash)}.${process.pid}.tmp`;
    await writeFile(`${this.file(hash)}.type`, media.contentType);
    await writeFile(temp, media.bytes);
    await rename(temp, this.file(hash));
    this.forget(hash);
    this.entries.set(hash, { size: media.bytes.length });
    this.total += media.bytes.length;
    await this.evict();
  }

  /** Bytes the cache holds now. */
  async size(): Promise<number> {
    await this.load();
    return this.total;
  }

  private async evict(): Promise<void> {
    for (const [hash] of this.entries) {
      if (this.total <= this.maxBytes) return;
      this.forget(hash);
      await Promise.all([unlink(this.file(hash)), unlink(`${this.file(hash)}.type`)].map((p) => p.catch(() => undefined)));
    }
  }

  private touch(hash: string, entry: Entry): void {
    this.entries.delete(hash);
    this.entries.set(hash, entry);
  }

  private forget(hash: string): void {
    const entry = this.entries.get(hash);
    if (!entry) return;
    this.entries.delete(hash);
    this.total -= entry.size;
  }

  /** What an earlier process left, oldest use first. */
  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const names = await readdir(this.dir).catch(() => [] as string[]);
      const found: { hash: string; size: number; used: number }[] = [];
      for (const name of names.filter((n) => /^[0-9a-f]{32}$/.test(n))) {
        const info = await stat(this.file(name)).catch(() => null);
        if (info?.isFile()) found.push({ hash: name, size: info.size, used: info.mtimeMs });
      }
      for (const { hash, size } of found.sort((a, b) => a.used - b.used)) {
        this.entries.set(hash, { size });
        this.total += size;
      }
    })();
    return this.loaded;
  }

  private file(hash: string): string {
    return path.join(this.dir, hash);
  }
}
