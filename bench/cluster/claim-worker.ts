/**
 * One claimer of scenario B, as a process of its own: feedmirror's own queue and claim loop (the
 * measured copy's dist/store/postgres-source-queue.js and dist/pipeline/claim-loop.js) with
 * `capacity` claims in flight, each "worked" for --work-ms and completed (due again in an hour).
 * Prints {"ready":true} once connected, waits for "go <startMs> <endMs>" on stdin, claims until
 * endMs and prints its figures as one JSON line.
 */
import { createInterface } from 'node:readline';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';

const { values: opts } = parseArgs({
  options: {
    app: { type: 'string' },
    url: { type: 'string' },
    id: { type: 'string' },
    capacity: { type: 'string', default: '8' },
    batch: { type: 'string', default: '50' },
    'per-host': { type: 'string', default: '64' },
    'work-ms': { type: 'string', default: '0' },
  },
});

interface Claimed {
  id: string;
  url: string;
  claimSeq: number;
  claimAttempts: number;
}
interface Queue {
  claimDue(worker: string, options: { leaseSeconds: number; batch: number; perHost: number; maxAttempts: number }): Promise<{ claimed: Claimed[] }>;
  complete(claim: Claimed, dueInSeconds: number): Promise<boolean>;
  release(claim: Claimed): Promise<boolean>;
}

const dist = (file: string) => import(pathToFileURL(path.join(opts.app!, 'dist', file)).href);
const { PostgresSourceQueue } = (await dist('store/postgres-source-queue.js')) as { PostgresSourceQueue: new (sql: postgres.Sql) => Queue };
const { runClaimLoop } = (await dist('pipeline/claim-loop.js')) as { runClaimLoop: (options: Record<string, unknown>) => Promise<number> };
// the pool size of feedmirror's PostgreSQL store (POOL_MAX)
const sql = postgres(opts.url!, { max: 10, onnotice: () => undefined });
const queue = new PostgresSourceQueue(sql);
await sql`SELECT 1`;
process.stdout.write('{"ready":true}\n');

const [startMs, endMs] = await new Promise<number[]>((resolve) => {
  createInterface({ input: process.stdin }).once('line', (line) => resolve(line.split(' ').slice(1).map(Number)));
});
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startMs! - Date.now())));

const claimMs: number[] = [];
let completed = 0;
let emptyClaims = 0;
const workMs = Number(opts['work-ms']);
await runClaimLoop({
  capacity: Number(opts.capacity),
  batch: Number(opts.batch),
  pollMs: 100,
  stopClaiming: () => Date.now() >= endMs!,
  claim: async (room: number) => {
    const started = performance.now();
    const { claimed } = await queue.claimDue(opts.id!, { leaseSeconds: 60, batch: room, perHost: Number(opts['per-host']), maxAttempts: 3 });
    claimMs.push(performance.now() - started);
    if (claimed.length === 0) emptyClaims++;
    return claimed;
  },
  work: async (claim: Claimed) => {
    if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
    if ((await queue.complete(claim, 3600)) && Date.now() < endMs!) completed++;
  },
  release: async (claim: Claimed) => void (await queue.release(claim)),
});
await sql.end();
claimMs.sort((a, b) => a - b);
const at = (q: number) => Math.round((claimMs[Math.min(claimMs.length - 1, Math.floor(q * claimMs.length))] ?? 0) * 10) / 10;
process.stdout.write(`${JSON.stringify({ id: opts.id, completed, claims: claimMs.length, emptyClaims, claimMs: { p50: at(0.5), p95: at(0.95), max: at(1) } })}\n`);
