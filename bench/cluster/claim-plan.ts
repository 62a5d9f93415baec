/**
 * The plan of feedmirror's claim statement on the seeded table: one claim made through the
 * measured copy's own queue, on a connection that records the statements it sends, then the
 * claim's UPDATE run again under EXPLAIN (ANALYZE, BUFFERS) in a transaction that is rolled back.
 * The statement is taken from the code, not copied here, so the plan is the one the workers get.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';

export interface ClaimPlan {
  /** The claim's UPDATE as sent. */
  statement: string;
  plan: string[];
  /** What the plan does to reach the due rows: an index scan (which index) or a sequential scan of sources. */
  access: string;
  executionMs: number | null;
}

class Rollback extends Error {}

export async function claimPlan(app: string, url: string, batch: number, perHost: number): Promise<ClaimPlan> {
  const sent: { query: string; parameters: unknown[] }[] = [];
  const sql = postgres(url, { max: 1, onnotice: () => undefined, debug: (_connection, query, parameters) => void sent.push({ query, parameters }) });
  try {
    const { PostgresSourceQueue } = (await import(pathToFileURL(path.join(app, 'dist', 'store', 'postgres-source-queue.js')).href)) as {
      PostgresSourceQueue: new (sql: postgres.Sql) => { claimDue(worker: string, o: object): Promise<{ claimed: { id: string; url: string; claimSeq: number; claimAttempts: number }[] }>; release(c: object): Promise<boolean> };
    };
    const queue = new PostgresSourceQueue(sql);
    const { claimed } = await queue.claimDue('plan-probe', { leaseSeconds: 60, batch, perHost, maxAttempts: 3 });
    for (const claim of claimed) await queue.release(claim);
    // The claim may go as one statement of several sent together (the lock, then the claim): the one that claims.
    const update = sent.flatMap((s) => s.query.split(/;\s*\n/).map((query) => ({ query, parameters: s.query.includes(';') ? [] : s.parameters }))).find((s) => /SKIP LOCKED/i.test(s.query));
    if (!update) throw new Error(`no claim statement among the ${sent.length} sent`);
    let plan: string[] = [];
    try {
      await sql.begin(async (tx) => {
        const rows = await tx.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${update.query}`, update.parameters as postgres.ParameterOrJSON<never>[]);
        plan = rows.map((row) => String(Object.values(row)[0]));
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
    const time = /Execution Time: ([\d.]+) ms/.exec(plan.join('\n'));
    return { statement: update.query.replace(/\s+/g, ' ').trim(), plan, access: accessOf(plan), executionMs: time ? Number(time[1]) : null };
  } finally {
    await sql.end();
  }
}

function accessOf(plan: string[]): string {
  const scans = plan.map((line) => /(Seq Scan on sources|Index (?:Only )?Scan(?: Backward)? using \S+ on sources|Bitmap Index Scan on \S+)/.exec(line)?.[1]).filter(Boolean);
  return [...new Set(scans)].join('; ') || 'no scan of sources in the plan';
}
