/**
 * Responses a hostile or broken feed server sends, as handlers for the 127.0.0.1 fixture server
 * (tests/remote/helpers/fixture-server.ts). Bodies are generated, never committed.
 */
import zlib from 'node:zlib';
import type { Handler } from '../../remote/helpers/fixture-server.js';
import { rssFeed } from '../../remote/helpers/feeds.js';

export const GOOD_TITLE = 'Good source still published';
export const GOOD_LINK = 'http://good.example/posts/1';

/** The well-behaved source that shares every hostile run. */
export function goodFeedXml(): string {
  return rssFeed(
    [{ title: GOOD_TITLE, link: GOOD_LINK, guid: GOOD_LINK, pubDate: 'Mon, 02 Jun 2025 12:00:00 GMT', description: '<p>Nothing to see.</p>' }],
    { title: 'Good feed', link: 'http://good.example/' },
  );
}

const FEED_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Hostile</title><link>http://hostile.example/</link><description>x</description>\n';

/** 8 bytes of PNG signature and an IHDR chunk header, then junk: an image, not a feed. */
export const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]),
  Buffer.from([0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0xf3, 0xff, 0x61]),
  Buffer.alloc(256, 0xa7),
]);

/** Sends a valid feed's headers and the first bytes, then closes the connection although Content-Length promised more. */
export function truncatedConnection(body: string, cutAt: number): Handler {
  return (_request, response) => {
    const bytes = Buffer.from(body);
    response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': bytes.length });
    response.write(bytes.subarray(0, cutAt));
    setTimeout(() => response.socket?.destroy(), 20);
  };
}

/** Slowloris: headers at once, then one byte every `everyMs` ms, forever (until the client leaves). */
export function oneBytePer(everyMs: number): Handler {
  return (request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    const text = `${FEED_HEAD}${'<!-- drip -->'.repeat(1000)}`;
    let i = 0;
    const timer = setInterval(() => {
      if (!response.destroyed) response.write(text[i++ % text.length]!);
    }, everyMs);
    const stop = () => clearInterval(timer);
    request.socket.on('close', stop);
    response.on('close', stop);
  };
}

/** A body with no end and no Content-Length, written as fast as the socket takes it. */
export function endlessBody(): Handler {
  return (request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    response.write(FEED_HEAD);
    const chunk = Buffer.from(`<item><title>${'x'.repeat(16_000)}</title></item>\n`);
    let open = true;
    const stop = () => (open = false);
    response.on('close', stop);
    request.socket.on('close', stop);
    const pump = () => {
      while (open && response.write(chunk));
      if (open) response.once('drain', pump);
    };
    pump();
  };
}

export interface Bomb {
  /** Bytes sent on the wire. */
  wire: Buffer;
  /** Bytes it expands to. */
  decodedBytes: number;
  encoding: 'gzip' | 'br';
}

const MiB = 1024 * 1024;

/**
 * gzip cannot compress better than about 1032:1, so "a few KB for a gigabyte" is impossible in
 * one member. RFC 1952 allows concatenated members and zlib decodes them all: one member of
 * 16 MiB of zeros (about 16 KB) repeated 80 times is 1.3 MB on the wire and 1.25 GiB decoded.
 */
export function gzipBomb(members = 80): Bomb {
  const member = zlib.gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
  return { wire: Buffer.concat(Array.from({ length: members }, () => member)), decodedBytes: members * 16 * MiB, encoding: 'gzip' };
}

/** Brotli reaches the "few bytes for a gigabyte" ratio: 1.1 GiB of zeros, streamed through the compressor (under 1 KB out). */
export async function brotliBomb(mib = 1100): Promise<Bomb> {
  const compressor = zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 } });
  const out: Buffer[] = [];
  compressor.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    compressor.on('end', resolve);
    compressor.on('error', reject);
  });
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) {
    if (!compressor.write(zeros)) await new Promise((resolve) => compressor.once('drain', resolve));
  }
  compressor.end();
  await done;
  return { wire: Buffer.concat(out), decodedBytes: mib * MiB, encoding: 'br' };
}

/** Streams the bomb through the matching decoder and counts the output, to prove the fixture is what it claims (nothing is kept). */
export async function countDecodedBytes(bomb: Bomb, stopAfter = Number.POSITIVE_INFINITY): Promise<number> {
  const decoder = bomb.encoding === 'gzip' ? zlib.createGunzip({ chunkSize: MiB }) : zlib.createBrotliDecompress({ chunkSize: MiB });
  let total = 0;
  return new Promise((resolve, reject) => {
    decoder.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > stopAfter) {
        decoder.destroy();
        resolve(total);
      }
    });
    decoder.on('end', () => resolve(total));
    decoder.on('error', reject);
    decoder.end(bomb.wire);
  });
}

export function serveBomb(bomb: Bomb): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-encoding': bomb.encoding, 'content-length': bomb.wire.length });
    response.end(bomb.wire);
  };
}

/** One item whose content is `bytes` bytes of paragraphs (as content:encoded CDATA). */
export function hugeItemFeed(bytes: number): string {
  const paragraph = `<p>${'All work and no play makes a very long article. '.repeat(20)}</p>\n`;
  const content = paragraph.repeat(Math.ceil(bytes / paragraph.length));
  return rssFeed([
    {
      title: 'One enormous item',
      link: 'http://hostile.example/huge',
      guid: 'http://hostile.example/huge',
      pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT',
      extra: `      <content:encoded><![CDATA[${content}]]></content:encoded>`,
    },
  ]);
}
