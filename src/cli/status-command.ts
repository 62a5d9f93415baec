import { openStore } from '../store/open-store.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { formatTable } from './format-table.js';
import { isPostgresUrl } from '../lib/database-url.js';
import type { FleetStatus } from '../store/fleet-registry.js';

/** The fleet's claims, disabled sources and workers, read on a connection of their own. */
async function openFleetStatus(database: string): Promise<FleetStatus> {
  const { openFleetStore } = await import('../store/open-store.js');
  const { store, fleet } = await openFleetStore(database);
  try {
    return await fleet.fleetStatus();
  } finally {
    await store.close();
  }
}

/** On PostgreSQL, each source's row in --json also says who holds it until when, and why it is disabled. */
function fleetFields(fleet: FleetStatus, sourceId: string) {
  const claim = fleet.claims.find((c) => c.sourceId === sourceId);
  return { claimedBy: claim?.workerId ?? null, leaseUntil: claim?.leaseUntil ?? null, disabledError: fleet.disabled.find((d) => d.sourceId === sourceId)?.error ?? null };
}

/** The fleet's part of `status`: each claim with its worker and lease, each disabled source with its error, each worker's heartbeat. */
function describeFleet(fleet: FleetStatus): string {
  const time = (iso: string) => iso.slice(0, 19).replace('T', ' ');
  const claims = fleet.claims.map((c) => [c.sourceId, c.workerId, c.claimedAt ? time(c.claimedAt) : '-', `${time(c.leaseUntil)}${c.expired ? ' (expired)' : ''}`]);
  const disabled = fleet.disabled.map((d) => [d.sourceId, d.error]);
  const workers = fleet.workers.map((w) => [w.workerId, w.host, String(w.pid), w.status, time(w.startedAt), `${time(w.heartbeatAt)} (${w.silentSeconds} s ago)`]);
  return [
    `\nClaimed sources: ${claims.length === 0 ? 'none' : `\n${formatTable(['SOURCE', 'WORKER', 'CLAIMED', 'LEASE UNTIL'], claims)}`}`,
    `Disabled sources: ${disabled.length === 0 ? 'none' : `\n${formatTable(['SOURCE', 'ERROR'], disabled)}`}`,
    `Workers: ${workers.length === 0 ? 'none' : `\n${formatTable(['WORKER', 'HOST', 'PID', 'STATUS', 'STARTED', 'LAST HEARTBEAT'], workers)}`}`,
    '',
  ].join('\n');
}

export interface StatusOptions extends CommonOptions {
  json?: boolean;
}

/** One row per configured source: how its last fetch went, what its last parse left out, and when it is due again. */
export async function statusCommand(options: StatusOptions, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  let store;
  try {
    store = await openStore(config.database);
  } catch (error) {
    throw new CliError('FM_STORE', (error as Error).message, EXIT.PUBLISH_FAILED, { cause: error });
  }
  try {
    const states = await store.getSourceStates();
    const counts = await store.countArticlesBySource(config.sources.map((s) => s.id));
    const rows = [];
    for (const source of config.sources) {
      const state = states.get(source.id);
      rows.push({
        source: source.id,
        kind: source.kind,
        url: source.kind === 'feed' ? (state?.url ?? source.url) : source.seeds,
        lastFetch: state?.lastFetchAt ?? null,
        httpStatus: state?.lastStatus ?? null,
        outcome: state?.lastOutcome ?? null,
        newItems: state?.lastNewItems ?? null,
        items: counts.get(source.id) ?? 0,
        failures: state?.failures ?? 0,
        nextDue: state?.nextFetchAt ?? null,
        servedBy: state?.servedBy ?? null,
        lastError: state?.lastError ?? null,
        lastWarning: state?.lastWarning ?? null,
      });
    }
    const fleet = isPostgresUrl(config.database) ? await openFleetStatus(config.database) : null;
    if (options.json) {
      io.stdout.write(`${JSON.stringify(fleet ? rows.map((row) => ({ ...row, ...fleetFields(fleet, row.source) })) : rows, null, 2)}\n`);
      return EXIT.OK;
    }
    const header = ['SOURCE', 'LAST FETCH', 'HTTP', 'ITEMS', 'NEW', 'FAILURES', 'NEXT DUE', 'SERVED BY', 'LAST ERROR', 'LAST WARNING'];
    const lines = rows.map((r) => [
      r.source,
      r.lastFetch ? r.lastFetch.slice(0, 19).replace('T', ' ') : r.kind === 'seeds' ? '(seeds: every run)' : 'never',
      r.httpStatus === null ? '-' : String(r.httpStatus),
      String(r.items),
      r.newItems === null ? '-' : String(r.newItems),
      String(r.failures),
      r.nextDue ? r.nextDue.slice(0, 19).replace('T', ' ') : 'now',
      r.servedBy ?? '-',
      r.lastError ?? '',
      r.lastWarning ?? '',
    ]);
    io.stdout.write(`${formatTable(header, lines)}\n`);
    if (fleet) io.stdout.write(describeFleet(fleet));
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
