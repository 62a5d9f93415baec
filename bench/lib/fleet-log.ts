/**
 * What the fleet feed server's request log says about a fleet: how many fetches ended in a
 * window (throughput), which requests for one source came closer together than its interval
 * allows (double fetches), and the longest a source waited (starvation).
 */
import { writeFileSync } from 'node:fs';
import type { FleetRequest } from '../../tests/helpers/fleet-feed-server.js';

/** The request log as JSON lines (source, worker, startedAt, endedAt), for a look after the run. */
export function saveRequestLog(file: string, log: FleetRequest[]): void {
  writeFileSync(file, log.map((r) => JSON.stringify(r)).join('\n') + (log.length ? '\n' : ''));
}

/** Fetches that ended in [from, to), by worker. */
export function completedIn(log: FleetRequest[], from: number, to: number): { total: number; byWorker: Record<string, number> } {
  const byWorker: Record<string, number> = {};
  let total = 0;
  for (const request of log) {
    if (request.endedAt === null || request.endedAt < from || request.endedAt >= to) continue;
    total++;
    const worker = request.worker ?? '?';
    byWorker[worker] = (byWorker[worker] ?? 0) + 1;
  }
  return { total, byWorker };
}

/** Per source, its requests in the order they arrived. */
export function requestsBySource(log: FleetRequest[]): Map<number, FleetRequest[]> {
  const bySource = new Map<number, FleetRequest[]>();
  for (const request of log) {
    const list = bySource.get(request.source) ?? [];
    list.push(request);
    bySource.set(request.source, list);
  }
  for (const list of bySource.values()) list.sort((a, b) => a.startedAt - b.startedAt);
  return bySource;
}

export interface ClosePair {
  source: number;
  first: FleetRequest;
  second: FleetRequest;
  gapMs: number;
}

/** Pairs of consecutive requests for one source less than `minMs` apart (the issue: interval − 1 s). */
export function closePairs(log: FleetRequest[], minMs: number): ClosePair[] {
  const pairs: ClosePair[] = [];
  for (const [source, list] of requestsBySource(log)) {
    for (let i = 1; i < list.length; i++) {
      const gapMs = list[i]!.startedAt - list[i - 1]!.startedAt;
      if (gapMs < minMs) pairs.push({ source, first: list[i - 1]!, second: list[i]!, gapMs });
    }
  }
  return pairs;
}

export interface Wait {
  source: number;
  /** How long the source went without a request (ms), and where: between two requests, from the start, or until the end. */
  waitMs: number;
  where: 'start' | 'between' | 'end';
}

/**
 * The longest a source went without a request, for every source: from `start` to its first
 * request, between consecutive requests, and from its last request to `end`. A source never
 * requested waits from start to end.
 */
export function longestWaits(log: FleetRequest[], sources: number, start: number, end: number): Wait[] {
  const bySource = requestsBySource(log);
  const waits: Wait[] = [];
  for (let source = 0; source < sources; source++) {
    const times = (bySource.get(source) ?? []).map((r) => r.startedAt);
    let worst: Wait = { source, waitMs: (times[0] ?? end) - start, where: 'start' };
    for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > worst.waitMs) worst = { source, waitMs: times[i]! - times[i - 1]!, where: 'between' };
    if (times.length > 0 && end - times.at(-1)! > worst.waitMs) worst = { source, waitMs: end - times.at(-1)!, where: 'end' };
    waits.push(worst);
  }
  return waits.sort((a, b) => b.waitMs - a.waitMs);
}
