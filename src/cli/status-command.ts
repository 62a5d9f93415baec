import { openStore } from '../store/open-store.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { formatTable } from './format-table.js';
import { isPostgresUrl } from '../lib/database-url.js';
import { describeFleet, fleetFields, openFleetStatus } from './status-fleet.js';
import { escapeControls } from '../lib/escape-controls.js';

export interface StatusOptions extends CommonOptions {
  json?: boolean;
  /** Only the fleet's part (PostgreSQL): with --json, one object instead of the per-source array. */
  fleet?: boolean;
}

/** One row per configured source: how its last fetch went, what its last parse left out, and when it is due again. */
export async function statusCommand(options: StatusOptions, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  if (options.fleet) return fleetStatusCommand(config.database, options, io);
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

/** `status --fleet`: the fleet's part alone, as text or (with --json) one object. */
async function fleetStatusCommand(database: string, options: StatusOptions, io: CliIo): Promise<ExitCode> {
  if (!isPostgresUrl(database)) throw new CliError('FM_USAGE', `status --fleet: the database ${escapeControls(database)} is a SQLite file, and only a PostgreSQL store has a fleet (claims, dirty outputs, chores, workers)`, EXIT.USAGE);
  let fleet;
  try {
    fleet = await openFleetStatus(database);
  } catch (error) {
    throw new CliError('FM_STORE', (error as Error).message, EXIT.PUBLISH_FAILED, { cause: error });
  }
  io.stdout.write(options.json ? `${JSON.stringify(fleet, null, 2)}\n` : describeFleet(fleet).replace(/^\n/, ''));
  return EXIT.OK;
}
