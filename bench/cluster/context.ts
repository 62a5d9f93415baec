/** What every cluster scenario is given by the script that runs it. */
import os from 'node:os';
import type { BenchPostgres } from '../lib/bench-postgres.js';

export interface ClusterContext {
  /** The measured copy of feedmirror (bin/, dist/, node_modules linked). */
  app: string;
  /** A folder of its own for the scenario's configs, logs and outputs. */
  work: string;
  pg: BenchPostgres;
  log: (message: string) => void;
  /** With --max-load: waits for the 1-minute load average to drop below it before a measurement. */
  waitForQuiet: () => Promise<void>;
}

/** 1-minute load average now, to two decimals. */
export function load1(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

/**
 * `--max-load`: waits (up to 2 minutes) for the 1-minute load average to drop below `maxLoad`,
 * then records the load average in `loads`, the figure each measurement is reported with.
 */
export async function waitForQuiet(maxLoad: number | undefined, log: (message: string) => void, loads: number[]): Promise<void> {
  const limit = maxLoad ?? Number.POSITIVE_INFINITY;
  const until = Date.now() + 120_000;
  let said = false;
  while (load1() >= limit && Date.now() < until) {
    if (!said) log(`waiting for the load average (${load1()}) to drop below ${limit}`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  loads.push(load1());
}
