/**
 * The plans of the statements a piece of code makes PostgreSQL run, including those run inside a
 * function (EXPLAIN of `SELECT * FROM f(…)` shows only a Function Scan): auto_explain, loaded on
 * one connection and told to send each plan to that client as a notice, with the rows and buffers
 * each node actually used. LOAD needs a superuser, which the suite's own server and the
 * benchmark's have.
 */
import postgres from 'postgres';

export type PlanNode = Record<string, unknown> & { 'Node Type': string; Plans?: PlanNode[] };

export interface RanStatement {
  query: string;
  durationMs: number;
  plan: PlanNode;
}

const AUTO_EXPLAIN = `
  LOAD 'auto_explain';
  SET auto_explain.log_min_duration = 0;
  SET auto_explain.log_analyze = on;
  SET auto_explain.log_buffers = on;
  SET auto_explain.log_nested_statements = on;
  SET auto_explain.log_format = json;
  SET auto_explain.log_level = notice`;

/** Runs `work` on a connection of its own (one, so every statement is seen) and answers every statement it ran, nested ones included. */
export async function recordPlans(url: string, work: (sql: postgres.Sql) => Promise<void>): Promise<RanStatement[]> {
  const notices: string[] = [];
  const sql = postgres(url, { max: 1, onnotice: (notice) => void notices.push(String(notice.message)) });
  try {
    await sql.unsafe(AUTO_EXPLAIN).simple();
    notices.length = 0;
    await work(sql);
    return notices.map(parseNotice).filter((statement): statement is RanStatement => statement !== null);
  } finally {
    await sql.end();
  }
}

/** Every node of a plan, depth first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** "duration: 1.234 ms  plan:\n{"Query Text": …, "Plan": {…}}" */
function parseNotice(message: string): RanStatement | null {
  const match = /^duration: ([\d.]+) ms\s+plan:\n([\s\S]*)$/.exec(message);
  if (!match) return null;
  const parsed = JSON.parse(match[2]!) as { 'Query Text': string; Plan: PlanNode };
  return { query: parsed['Query Text'], durationMs: Number(match[1]), plan: parsed.Plan };
}
