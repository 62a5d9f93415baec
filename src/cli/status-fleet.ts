import type { FleetStatus } from '../store/fleet-registry.js';
import { escapeControls } from '../lib/escape-controls.js';
import { formatTable } from './format-table.js';

/** The fleet's state, read on a connection of its own. */
export async function openFleetStatus(database: string): Promise<FleetStatus> {
  const { openFleetStore } = await import('../store/open-store.js');
  const { store, fleet } = await openFleetStore(database);
  try {
    return await fleet.fleetStatus();
  } finally {
    await store.close();
  }
}

/** On PostgreSQL, each source's row in --json also says who holds it until when, and why it is disabled. */
export function fleetFields(fleet: FleetStatus, sourceId: string) {
  const claim = fleet.claims.find((c) => c.sourceId === sourceId);
  return { claimedBy: claim?.workerId ?? null, leaseUntil: claim?.leaseUntil ?? null, disabledError: fleet.disabled.find((d) => d.sourceId === sourceId)?.error ?? null };
}

/** A database time as status shows it: UTC to the second. */
const time = (iso: string) => iso.slice(0, 19).replace('T', ' ');
const lease = (iso: string, expired: boolean) => `${time(iso)}${expired ? ' (expired)' : ''}`;

/**
 * The fleet's part of `status`: each claim with its worker and lease, each disabled source with its
 * error, the outputs not published yet (dirty, or claimed by the worker publishing them), each
 * chore's last run, each worker's heartbeat.
 */
export function describeFleet(fleet: FleetStatus): string {
  const claims = fleet.claims.map((c) => [c.sourceId, c.workerId, c.claimedAt ? time(c.claimedAt) : '-', lease(c.leaseUntil, c.expired)]);
  const disabled = fleet.disabled.map((d) => [d.sourceId, escapeControls(d.error)]);
  const workers = fleet.workers.map((w) => [w.workerId, w.host, String(w.pid), w.status, time(w.startedAt), `${time(w.heartbeatAt)} (${w.silentSeconds} s ago)`]);
  return [
    `\nClaimed sources: ${section(['SOURCE', 'WORKER', 'CLAIMED', 'LEASE UNTIL'], claims)}`,
    `Disabled sources: ${section(['SOURCE', 'ERROR'], disabled)}`,
    `Dirty outputs: ${section(['OUTPUT', 'DIRTY SINCE', 'PUBLISHING ON', 'CLAIMED', 'LEASE UNTIL', 'LAST PUBLISHED'], outputRows(fleet))}`,
    `Last chore runs: ${section(['CHORE', 'FIRE', 'WORKER', 'OUTCOME', 'FINISHED', 'DETAIL'], choreRows(fleet))}`,
    `Workers: ${section(['WORKER', 'HOST', 'PID', 'STATUS', 'STARTED', 'LAST HEARTBEAT'], workers)}`,
    '',
  ].join('\n');
}

function section(header: string[], rows: string[][]): string {
  return rows.length === 0 ? 'none' : `\n${formatTable(header, rows)}`;
}

/** A claimed output that is not dirty is being published; one that is both changed again meanwhile. */
function outputRows(fleet: FleetStatus): string[][] {
  return fleet.outputs.map((o) => [
    o.outputId,
    o.dirtySince ? time(o.dirtySince) : '-',
    o.claimedBy ?? '-',
    o.claimedAt ? time(o.claimedAt) : '-',
    o.leaseUntil ? lease(o.leaseUntil, o.expired) : '-',
    o.lastPublishedAt ? time(o.lastPublishedAt) : 'never',
  ]);
}

function choreRows(fleet: FleetStatus): string[][] {
  return fleet.chores.map((c) => [c.chore, fireTime(c.fireKey), c.workerId, c.outcome, time(c.finishedAt), escapeControls(c.detail ?? '')]);
}

/** node-cron's fire key ends with the fire's time: "chore:site:2026-12-02T10:15:00.000Z". */
function fireTime(fireKey: string): string {
  const at = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(fireKey)?.[1];
  return at ? time(at) : escapeControls(fireKey);
}
