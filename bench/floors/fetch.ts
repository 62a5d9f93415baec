/**
 * Floor (a): fetch every feed body with undici request() at the given concurrency and do nothing
 * else (bodies read into one Buffer each, decompressed only if the server compressed them).
 * Usage: node floors/fetch.mjs MANIFEST CONCURRENCY   → one JSON line on stdout
 */
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Agent, request } from 'undici';

interface Entry {
  url: string;
  etag: string;
  lastModified: string;
}

const gunzip = promisify(zlib.gunzip);
const [manifestFile, concurrencyArg] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestFile!, 'utf8')) as Entry[];
const concurrency = Number(concurrencyArg ?? 16);
const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
const statuses: Record<number, number> = {};
let bytes = 0;
let next = 0;

const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < manifest.length) {
      const entry = manifest[next++]!;
      const response = await request(entry.url, { dispatcher: agent, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      let body = Buffer.concat(chunks);
      if (response.headers['content-encoding'] === 'gzip') body = await gunzip(body);
      bytes += body.length;
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
  }),
);
const innerMs = performance.now() - started;
await agent.close();
process.stdout.write(`${JSON.stringify({ innerMs, requests: manifest.length, bytes, statuses })}\n`);
