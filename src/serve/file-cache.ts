import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { OpenedFile } from './confined-file.js';

export type Encoding = 'br' | 'gzip' | 'identity';

export interface CachedFile {
  mtime: Date;
  etag: string;
  bodies: Partial<Record<Encoding, Buffer>>;
  identity: Buffer;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** Bytes kept in memory across all cached files and their compressed forms. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** Files smaller than this are sent as they are: compression would not pay for its headers. */
const MIN_COMPRESS_BYTES = 256;

interface Entry {
  ino: number;
  size: number;
  mtimeMs: number;
  file: CachedFile;
}

/**
 * Files of the output folder with a strong ETag (a hash of the bytes, so every copy of the site
 * on every host and CDN gives the same ETag for the same bytes) and compressed forms made once.
 * An entry, keyed by the file's real path, is reused while its inode, mtime and size are
 * unchanged (atomic renames change them).
 */
export class FileCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  /** The file's bytes, read from its open descriptor unless the cached copy is still current. */
  async get(opened: OpenedFile): Promise<CachedFile> {
    const { info, realPath } = opened;
    const known = this.entries.get(realPath);
    if (known && known.ino === info.ino && known.size === info.size && known.mtimeMs === info.mtimeMs) {
      this.entries.delete(realPath);
      this.entries.set(realPath, known); // most recently used last
      return known.file;
    }
    const identity = await opened.handle.readFile();
    const cached: CachedFile = { mtime: info.mtime, etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`, bodies: { identity }, identity };
    this.remember(realPath, { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs, file: cached });
    return cached;
  }

  async body(cached: CachedFile, encoding: Encoding): Promise<Buffer> {
    const known = cached.bodies[encoding];
    if (known) return known;
    const body = encoding === 'br' ? await brotli(cached.identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } }) : await gzip(cached.identity, { level: 9 });
    cached.bodies[encoding] = body;
    this.bytes += body.length;
    this.trim();
    return body;
  }

  private remember(file: string, entry: Entry) {
    const old = this.entries.get(file);
    if (old) this.bytes -= sizeOf(old.file);
    this.entries.set(file, entry);
    this.bytes += sizeOf(entry.file);
    this.trim();
  }

  private trim() {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= MAX_CACHE_BYTES) break;
      this.entries.delete(key);
      this.bytes -= sizeOf(entry.file);
    }
  }
}

function sizeOf(file: CachedFile): number {
  return Object.values(file.bodies).reduce((sum, b) => sum + (b?.length ?? 0), 0);
}

/** The best encoding the client accepts (q-values honoured), for bodies worth compressing. */
export function chooseEncoding(acceptEncoding: string | undefined, size: number): Encoding {
  if (!acceptEncoding || size < MIN_COMPRESS_BYTES) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
    accepted.set(name!.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return 'identity';
}
