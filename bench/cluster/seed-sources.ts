/**
 * Synthetic rows for the `sources` table, written with COPY (postgres 3.4.9's
 * `sql\`COPY … FROM STDIN\`.writable()`): `count` sources spread over `hosts` host names (data
 * only: the claim scenario fetches nothing), all due, oldest first by 10 ms steps.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';

export interface SeedResult {
  count: number;
  copyMs: number;
  analyzeMs: number;
}

export async function seedSources(url: string, count: number, hosts: number): Promise<SeedResult> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`TRUNCATE sources`;
    const started = performance.now();
    const writable = await sql`COPY sources (id, url, host, next_due_at) FROM STDIN`.writable();
    await pipeline(Readable.from(rows(count, hosts)), writable);
    const copied = performance.now();
    // As autovacuum would soon after: the planner's figures for a table of this size.
    await sql`ANALYZE sources`;
    return { count, copyMs: copied - started, analyzeMs: performance.now() - copied };
  } finally {
    await sql.end();
  }
}

function* rows(count: number, hosts: number): Generator<string> {
  const base = Date.now() - 3_600_000;
  const width = String(count - 1).length;
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const host = `h${i % hosts}.bench.invalid`;
    chunk += `syn${String(i).padStart(width, '0')}\thttp://${host}/feed/${i}.xml\t${host}\t${new Date(base + i * 10).toISOString()}\n`;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
