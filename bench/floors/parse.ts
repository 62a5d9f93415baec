/**
 * Floor (b): parse every saved feed body with rss-parser (a new Parser per parse, as feedmirror
 * must) or JSON.parse for JSON Feed, and do nothing else. The bodies are read from disk first;
 * `innerMs` times the parsing only.
 * Usage: node floors/parse.mjs MANIFEST   → one JSON line on stdout
 */
import { readFileSync } from 'node:fs';
import Parser from 'rss-parser';

interface Entry {
  file: string;
  format: string;
}

const [manifestFile] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestFile!, 'utf8')) as Entry[];
const readStarted = performance.now();
const bodies = manifest.map((entry) => ({ format: entry.format, bytes: readFileSync(entry.file) }));
const readMs = performance.now() - readStarted;
let items = 0;
let bytes = 0;
const failures: string[] = [];

const started = performance.now();
for (const [i, body] of bodies.entries()) {
  bytes += body.bytes.length;
  try {
    if (body.format === 'json') {
      const doc = JSON.parse(body.bytes.toString('utf8')) as { items?: unknown[] };
      items += doc.items?.length ?? 0;
    } else {
      const feed = await new Parser().parseString(body.bytes.toString('utf8'));
      items += feed.items.length;
    }
  } catch (error) {
    failures.push(`${manifest[i]!.file}: ${(error as Error).message.split('\n')[0]}`);
  }
}
const innerMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ innerMs, readMs, feeds: bodies.length, items, bytes, failures })}\n`);
