import { hostname } from 'node:os';
import { z } from 'zod';
import { duration, durationMs } from './duration.js';
import { cronExpression } from './cron-expression.js';
import { isPostgresUrl } from '../lib/database-url.js';
import { FeedmirrorError } from '../model/errors.js';

/**
 * `cluster`: how a worker of a fleet on one PostgreSQL store takes its share of the sources. On a
 * SQLite store it is accepted and ignored (one process at a time; the run lock coordinates).
 */
/** When the fleet's chores run (on PostgreSQL only; each fire on one worker of the fleet). */
export const CHORE_DEFAULTS = {
  /** index.html, sources.opml and the other site-wide files, from the store. */
  site: '*/1 * * * *',
  /** retention, orphan temp files in outputDir, old chore records. */
  housekeeping: '*/15 * * * *',
};

const choresSchema = z.strictObject({
  site: cronExpression.default(CHORE_DEFAULTS.site),
  housekeeping: cronExpression.default(CHORE_DEFAULTS.housekeeping),
});

export const CLUSTER_DEFAULTS = { lease: '2m', claimBatch: 50, maxAttempts: 3, publishDebounce: '10s', chores: CHORE_DEFAULTS };

/** What a fetch may take beyond its timeout before its claim must be completed: parsing, normalizing, storing. */
export const PARSE_ALLOWANCE_MS = 10_000;

/** Worker ids travel in the User-Agent, logs and status: a safe alphabet, no spaces. */
const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/;
const WORKER_ID_RULE = 'letters, digits, ".", "_", ":", "@" or "-" (at most 100, starting with a letter or digit)';

const positiveDuration = duration.refine((value) => durationMs(value) >= 1000, 'at least 1 second');

const clusterFields = z.strictObject({
  /** This worker's name in the queue, the User-Agent and `status` (default: host name:pid). */
  workerId: z.string().regex(WORKER_ID, WORKER_ID_RULE),
  /** How long a claimed source stays this worker's before another may take it. */
  lease: positiveDuration,
  /** Sources taken per claim. */
  claimBatch: z.number().int().min(1).max(1000),
  /** Claims in a row that ran out before a source is disabled. */
  maxAttempts: z.number().int().min(1).max(100),
  /** How long changes gather before their outputs are published. */
  publishDebounce: duration,
  /** Fleet-wide chores (their cron expressions), each fire run by one worker of the fleet. */
  chores: choresSchema,
});

export const clusterSchema = clusterFields
  .partial()
  .transform((value) => {
    const merged = { ...CLUSTER_DEFAULTS, ...value };
    return {
      /** Whether the config has a `cluster` block of its own (on SQLite, `check` says it is ignored). */
      configured: Object.keys(value).length > 0,
      workerId: value.workerId ?? null,
      lease: merged.lease,
      leaseSeconds: durationMs(merged.lease) / 1000,
      leaseGiven: value.lease !== undefined,
      claimBatch: merged.claimBatch,
      maxAttempts: merged.maxAttempts,
      publishDebounceMs: durationMs(merged.publishDebounce),
      chores: merged.chores,
    };
  });

export type ClusterSettings = z.output<typeof clusterSchema>;

export const CLUSTER_KEYS = Object.keys(clusterFields.shape);

export const CLUSTER_KNOWN_KEYS: { path: RegExp; keys: string[] }[] = [
  { path: /^cluster$/, keys: CLUSTER_KEYS },
  { path: /^cluster\.chores$/, keys: Object.keys(CHORE_DEFAULTS) },
];

/** The worker id this process claims under: the configured one, else host name:pid. */
export function workerIdOf(cluster: ClusterSettings, env: Record<string, string | undefined> = process.env): string {
  if (cluster.workerId) return cluster.workerId;
  // Several workers of one host share a config file (a systemd template unit): each gets its name
  // from its environment, so `status` keeps calling it the same across restarts.
  const fromEnv = env.FEEDMIRROR_WORKER_ID;
  if (fromEnv === undefined || fromEnv === '') return `${hostname()}:${process.pid}`;
  if (!WORKER_ID.test(fromEnv)) throw new FeedmirrorError('FM_CONFIG', `FEEDMIRROR_WORKER_ID ${JSON.stringify(fromEnv)}: expected ${WORKER_ID_RULE}`);
  return fromEnv;
}

interface LeaseInput {
  database: string;
  cluster: ClusterSettings;
  fetch: { totalTimeoutMs: number };
  sources: unknown[];
}

/**
 * On PostgreSQL, a lease shorter than the longest fetch (plus parsing) would hand a source to a
 * second worker while the first still fetches it: refused, naming both values.
 */
export function checkClusterLease(config: LeaseInput, ctx: z.RefinementCtx): void {
  // A lease that is itself invalid has its own error already.
  if (!isPostgresUrl(config.database) || !(config.cluster.leaseSeconds >= 1)) return;
  const timeout = longestTimeout(config);
  // A fetch block with a mistake of its own reaches this check unparsed: that mistake is the message.
  if (!Number.isFinite(timeout.ms)) return;
  const needed = timeout.ms + PARSE_ALLOWANCE_MS;
  const leaseMs = config.cluster.leaseSeconds * 1000;
  if (leaseMs > needed) return;
  const lease = config.cluster.leaseGiven ? '' : `cluster.lease (${config.cluster.lease}, the default): `;
  ctx.addIssue({
    code: 'custom',
    path: config.cluster.leaseGiven ? ['cluster', 'lease'] : [],
    message: `${lease}${leaseMs / 1000} s must exceed the longest fetch timeout (${timeout.key}: ${timeout.ms} ms) plus ${PARSE_ALLOWANCE_MS / 1000} s to parse and store (more than ${needed / 1000} s)`,
  });
}

function longestTimeout(config: LeaseInput): { key: string; ms: number } {
  let longest = { key: 'fetch.totalTimeoutMs', ms: config.fetch?.totalTimeoutMs };
  config.sources.forEach((source, i) => {
    const ms = (source as { fetch?: { totalTimeoutMs?: number } } | null)?.fetch?.totalTimeoutMs;
    if (typeof ms === 'number' && ms > longest.ms) longest = { key: `sources[${i}].fetch.totalTimeoutMs`, ms };
  });
  return longest;
}

/** `check`'s line about the cluster block: what a worker of the fleet will use, or that SQLite ignores it. */
export function describeCluster(config: { database: string; cluster: ClusterSettings; fetch: { concurrency: number; perHostConcurrency: number } }): string | null {
  const { cluster } = config;
  if (!isPostgresUrl(config.database)) return cluster.configured ? 'cluster: ignored (the database is a SQLite file: one process at a time, coordinated by its run lock)' : null;
  return `cluster: worker ${workerIdOf(cluster)}${cluster.workerId || process.env.FEEDMIRROR_WORKER_ID ? '' : ' (host name:pid)'}, lease ${cluster.lease}, claims of ${cluster.claimBatch}, ` +
    `${config.fetch.concurrency} in flight, ${config.fetch.perHostConcurrency} per host across the fleet, a source disabled after ${cluster.maxAttempts} lost leases in a row`;
}
