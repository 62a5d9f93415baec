/**
 * The plan of feedmirror's claim on the seeded table: one claim made through the measured copy's
 * own queue, with auto_explain on its connection (tests/helpers/nested-plans.ts), so the plan is
 * the one the server used for the claim's UPDATE as it ran, inside the claim function (migration
 * 8) or sent as it is (older copies); the claims are then given back on the same connection. The
 * statement is taken from what ran, not copied here, so the plan is the one the workers get.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type postgres from 'postgres';
import { planNodes, recordPlans, type PlanNode } from '../../tests/helpers/nested-plans.js';

export interface ClaimPlan {
  /** The claim's UPDATE as it ran. */
  statement: string;
  /** One line per plan node: its type, relation and index, and the rows it produced. */
  plan: string[];
  /** What the plan does to reach the due rows: an index scan (which index) or a sequential scan of sources. */
  access: string;
  executionMs: number | null;
}

type Queue = { claimDue(worker: string, o: object): Promise<{ claimed: object[] }>; release(c: object): Promise<boolean> };

export async function claimPlan(app: string, url: string, batch: number, perHost: number): Promise<ClaimPlan> {
  const { PostgresSourceQueue } = (await import(pathToFileURL(path.join(app, 'dist', 'store', 'postgres-source-queue.js')).href)) as { PostgresSourceQueue: new (sql: postgres.Sql) => Queue };
  const ran = await recordPlans(url, async (sql) => {
    const queue = new PostgresSourceQueue(sql);
    const { claimed } = await queue.claimDue('plan-probe', { leaseSeconds: 60, batch, perHost, maxAttempts: 3 });
    for (const claim of claimed) await queue.release(claim);
  });
  const update = ran.find((statement) => /SKIP LOCKED/i.test(statement.query));
  if (!update) throw new Error(`no claim statement among the ${ran.length} that ran`);
  const plan = planLines(update.plan, 0);
  return { statement: update.query.replace(/\s+/g, ' ').trim(), plan, access: accessOf(planNodes(update.plan)), executionMs: update.durationMs };
}

function planLines(node: PlanNode, depth: number): string[] {
  const on = node['Relation Name'] ? ` on ${String(node['Relation Name'])}` : '';
  const index = node['Index Name'] ? ` using ${String(node['Index Name'])}` : '';
  const name = node['CTE Name'] ? ` ${String(node['CTE Name'])}` : '';
  const type = node['Node Type'] === 'ModifyTable' ? String(node.Operation) : node['Node Type'];
  const line = `${'  '.repeat(depth)}${depth ? '-> ' : ''}${type}${name}${index}${on} (actual rows=${String(node['Actual Rows'])} loops=${String(node['Actual Loops'])}, ${String(node['Actual Total Time'])} ms)`;
  return [line, ...(node.Plans ?? []).flatMap((child) => planLines(child, depth + 1))];
}

function accessOf(nodes: PlanNode[]): string {
  const scans = nodes.filter((node) => node['Relation Name'] === 'sources' && /Scan/.test(node['Node Type'])).map((node) => `${node['Node Type']}${node['Index Name'] ? ` using ${String(node['Index Name'])}` : ''} on sources`);
  return [...new Set(scans)].join('; ') || 'no scan of sources in the plan';
}
