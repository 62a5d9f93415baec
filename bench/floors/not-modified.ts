/**
 * Floor (c): N conditional GETs (If-None-Match and If-Modified-Since from the manifest) answered
 * 304, at the given concurrency, and nothing else.
 * Usage: node floors/not-modified.mjs MANIFEST CONCURRENCY   → one JSON line on stdout
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

interface Entry {
  url: string;
  etag: string;
  lastModified: string;
}

const [manifestFile, concurrencyArg] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestFile!, 'utf8')) as Entry[];
const concurrency = Number(concurrencyArg ?? 16);
const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
const statuses: Record<number, number> = {};
let next = 0;

const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < manifest.length) {
      const entry = manifest[next++]!;
      const response = await request(entry.url, {
        dispatcher: agent,
        headers: { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': entry.etag, 'if-modified-since': entry.lastModified },
      });
      await response.body.dump();
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
  }),
);
const innerMs = performance.now() - started;
await agent.close();
process.stdout.write(`${JSON.stringify({ innerMs, requests: manifest.length, statuses })}\n`);
