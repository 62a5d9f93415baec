import { openStore } from '../store/open-store.js';
import { runLockFor } from '../schedule/run-exclusive.js';
import { retentionPolicy } from '../pipeline/retention.js';
import { plural } from '../lib/plural.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';

/**
 * Applies `retention` to the store now, under the run lock, and prints per source what it removed
 * (or, with --dry-run, would remove). The feeds show it at the next run.
 */
export async function pruneCommand(options: CommonOptions & { dryRun?: boolean }, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const policy = retentionPolicy(config, new Date(), options.dryRun !== true);
  if (!policy) throw new CliError('FM_USAGE', `prune: ${config.configPath} sets no retention (maxAgeDays, maxItemsPerSource): nothing to prune`, EXIT.USAGE);
  const attempt = await runLockFor(config)();
  if (!attempt.acquired) throw new CliError('FM_USAGE', 'prune: a run holds the lock; try again when it is done', EXIT.LOCKED);
  try {
    const store = await openStore(config.database);
    try {
      const counts = await store.pruneArticles(policy);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      io.stdout.write(`${options.dryRun ? 'would remove' : 'removed'} ${plural(total, 'article')}${total > 0 ? ':' : ''}\n`);
      for (const [sourceId, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) io.stdout.write(`  ${sourceId}  ${count}\n`);
      return EXIT.OK;
    } finally {
      await store.close();
    }
  } finally {
    await attempt.lock.release();
  }
}
