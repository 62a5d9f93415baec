import { openStore } from '../store/open-store.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { formatTable } from './format-table.js';

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
    if (options.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
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
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
