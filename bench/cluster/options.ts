/** The cluster scenarios' options, shared by bench/cluster.ts and bench/run.ts (which prefixes none of them). */
import type { ThroughputOptions } from './throughput.js';
import type { ClaimsOptions } from './claims.js';

export const clusterOptionSpec = {
  options: {
    'cluster-sources': { type: 'string', default: '1000' },
    latency: { type: 'string', default: '200' },
    'cluster-concurrency': { type: 'string', default: '8' },
    'per-host': { type: 'string', default: '64' },
    interval: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1,2,4' },
    warmup: { type: 'string', default: '5' },
    window: { type: 'string', default: '30' },
    'claim-sources': { type: 'string', default: '100000' },
    'claim-hosts': { type: 'string', default: '1000' },
    'claim-window': { type: 'string', default: '10' },
  },
  help: `  --cluster-sources N  A: fixture sources (default 1000)
  --latency MS         A: fixture latency per response (default 200)
  --cluster-concurrency N  A and B: fetch.concurrency of each worker (default 8)
  --per-host N         A: fetch.perHostConcurrency (default 64, the most allowed: every source is on 127.0.0.1)
  --interval S         A: seconds between fetches of one source (default 5: 1,000 sources every 5 s is more than 4 workers fetch, so the queue never runs dry)
  --workers LIST       A and B: worker counts (default 1,2,4)
  --warmup S           A: seconds after every source was fetched once before the window (default 5)
  --window S           A: the measured window (default 30)
  --claim-sources N    B: synthetic sources seeded by COPY (default 100000)
  --claim-hosts N      B: host names they are spread over (default 1000)
  --claim-window S     B: the measured window (default 10)`,
} as const;

type Values = { [K in keyof (typeof clusterOptionSpec)['options']]?: string };

export function clusterSettings(values: Values): { throughput: ThroughputOptions; claims: ClaimsOptions } {
  const n = (key: keyof Values) => Number(values[key] ?? clusterOptionSpec.options[key].default);
  const workerCounts = (values.workers ?? clusterOptionSpec.options.workers.default).split(',').map(Number);
  return {
    throughput: {
      sources: n('cluster-sources'),
      latencyMs: n('latency'),
      concurrency: n('cluster-concurrency'),
      perHost: n('per-host'),
      interval: n('interval'),
      workerCounts,
      warmupMs: n('warmup') * 1000,
      windowMs: n('window') * 1000,
    },
    claims: { sources: n('claim-sources'), hosts: n('claim-hosts'), workerCounts, windowMs: n('claim-window') * 1000, capacity: n('cluster-concurrency'), batch: 50, perHost: n('per-host') },
  };
}
