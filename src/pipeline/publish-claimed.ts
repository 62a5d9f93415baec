import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { ClaimedOutput, OutputQueue, OutputSummaryRecord, QueuedOutput } from '../store/output-queue.js';
import type { PublishInput, PublishOutput, PublishParts, PublishReport } from '../publish/publish-types.js';
import type { OutputSummary } from '../publish/render-index.js';
import { EMPTY_FEED_UPDATED } from '../publish/feed-view.js';
import { sha256Hex } from '../lib/text.js';
import { buildId } from '../version.js';
import { fingerprintOf, publishFailure, publishIfChanged, recordProxiedMedia, seedArticles, type PublishOutcome } from './publish-step.js';
import { openTarget, type TargetAccess } from './open-target.js';
import type { PublishTarget } from '../publish/publish-target.js';
import { folderTarget } from '../publish/folder-target.js';
import { outputScope, selectOutputs } from './select-outputs.js';
import type { RunRecords } from './run-records.js';
import type { FeedmirrorError } from '../model/errors.js';
import { OutputFailure, outputsFailure, stopsEveryOutput } from './output-failure.js';

const HOUR_MS = 3_600_000;
/** How long a worker holds an output it publishes; past it, another worker may publish the output. */
export const PUBLISH_LEASE_SECONDS = 120;
/** Outputs claimed at a time: each is published on its own, so a lease covers one output's work. */
const CLAIM_BATCH = 4;
/** How long a worker waits, past the debounce, for outputs its run changed that another worker holds. */
const DRAIN_GRACE_MS = 30_000;
/** Polling for outputs another worker holds, and the shortest wait between claims that found nothing (ms). */
const POLL_MS = 1_000;
const MIN_WAIT_MS = 20;
const OUTPUTS_ONLY: PublishParts = { outputs: true, siteFiles: false, sweepTempFiles: false };
const SITE_ONLY: PublishParts = { outputs: false, siteFiles: true, sweepTempFiles: false };

export interface PublishStepOptions {
  logger: Logger;
  /** Seconds an output stays dirty before it is published (cluster.publishDebounce). */
  debounceSeconds: number;
  /** Every output is published again (`run --refresh`). */
  refresh?: boolean;
  /** Shutting down: what is dirty is published at once, without waiting for the debounce. */
  signal?: AbortSignal | undefined;
  /**
   * Wait for the outputs still inside their debounce, or held by another worker, before returning
   * (`run`, so that its changes are out when it exits). A daemon does not: it publishes what is
   * ready and goes back to fetching; a later window (its own or another worker's) takes the rest.
   */
  drain?: boolean;
  /** How to reach an s3:// outputDir; absent: a folder, as the tests of the queue publish. */
  access?: TargetAccess;
  /** This worker's name in claims and publish lines (cluster-schema.ts workerIdOf). */
  workerId: string;
  /** How long a claimed output stays this worker's (cluster.lease); PUBLISH_LEASE_SECONDS when not given. */
  leaseSeconds?: number;
  /** The host's clock, for the times in the publish log lines. */
  clock?: () => Date;
}

/**
 * The publish at the end of a run. On SQLite: publishIfChanged, everything in one go. On
 * PostgreSQL, where several workers share the store: the outputs this run or others changed,
 * each published by exactly one worker at a time (publishClaimed).
 */
export async function publishStep(input: PublishInput, store: Store, records: RunRecords, options: PublishStepOptions): Promise<PublishOutcome> {
  // Awaited: a store behind a proxy may hand the queue over as a promise.
  const queue = await store.outputQueue?.();
  const access = options.access ?? { env: {}, refresh: options.refresh === true };
  if (!queue) return publishIfChanged(input, store, records, access);
  const { target, finish } = await openTarget(input.outputDir, access, store);
  try {
    return await publishClaimed(input, store, records, { ...options, queue, target, clock: options.clock ?? (() => new Date()) });
  } finally {
    await finish();
  }
}

/**
 * Whether one of these outputs is dirty, past its debounce and held by no worker: what brings an
 * idle daemon to publish, since a window that harvested something publishes only what is ready.
 */
export async function outputsReady(store: Store, outputIds: string[], debounceSeconds: number): Promise<boolean> {
  const queue = await store.outputQueue?.();
  if (!queue || outputIds.length === 0) return false;
  const pending = await queue.pending(await queue.now(), debounceSeconds, outputIds);
  return pending.claimableInSeconds === 0;
}

interface Fleet extends PublishStepOptions {
  queue: OutputQueue;
  /** The output folder when not given. */
  target?: PublishTarget;
  clock: () => Date;
}

/**
 * Syncs the outputs table with the config, then claims and publishes dirty outputs until none
 * that became dirty before this publish started is left: waiting out their debounce, or for the
 * worker that holds one (bounded by DRAIN_GRACE_MS), so that a run's changes are out when it ends;
 * without `drain`, only those ready now.
 * Then the site files, if anything they show changed.
 */
export async function publishClaimed(input: PublishInput, store: Store, records: RunRecords, given: Fleet): Promise<PublishOutcome> {
  const fleet = { ...given, target: given.target ?? folderTarget(input.outputDir) };
  const { queue } = fleet;
  // A staged file lives within one output's publish, which ends within its lease: one older than
  // the lease is a killed worker's, whatever host it ran on.
  await fleet.target.prepare((fleet.leaseSeconds ?? PUBLISH_LEASE_SECONDS) * 1000);
  await queue.syncOutputs(queuedOutputs(input), fleet.refresh === true);
  const since = await queue.now();
  const total: PublishOutcome = { written: [], unchanged: 0, changedFeeds: [], skipped: true };
  const failed: FeedmirrorError[] = [];
  const failedIds = new Set<string>();
  const giveUpAt = Date.now() + fleet.debounceSeconds * 1000 + DRAIN_GRACE_MS;
  for (;;) {
    // An output that failed here is dirty again: the next publish tries it, not this one over and over.
    const outputIds = input.outputs.map((o) => o.id).filter((id) => !failedIds.has(id));
    const debounceSeconds = fleet.signal?.aborted ? 0 : fleet.debounceSeconds;
    const claims = await queue.claimDirty(fleet.workerId, { leaseSeconds: fleet.leaseSeconds ?? PUBLISH_LEASE_SECONDS, debounceSeconds, batch: CLAIM_BATCH, outputIds });
    for (const failure of await publishBatch(claims, (claim) => publishClaim(input, store, records, fleet, claim), total, queue)) {
      failed.push(failure.error);
      failedIds.add(failure.output);
    }
    const pending = await queue.pending(since, debounceSeconds, outputIds);
    if (pending.waiting === 0 || fleet.signal?.aborted) break;
    if (claims.length > 0) continue;
    if (fleet.drain === false || Date.now() >= giveUpAt) break;
    // Never a busy loop: a row an ingest is marking at this instant is skipped by the claim, not waited for.
    const waitMs = Math.max(MIN_WAIT_MS, Math.min(POLL_MS, (pending.claimableInSeconds ?? Infinity) * 1000));
    await sleep(waitMs, undefined, { signal: fleet.signal }).catch(() => undefined);
  }
  addReport(total, await publishSite(input, store, records, queue, fleet.target));
  if (failed.length > 0) throw outputsFailure(failed);
  return total;
}

/**
 * The claimed outputs one after another. One that fails was given back dirty (publishClaim) and
 * the others go on, as SQLite's publish does; after a failure that no output can escape (the
 * store out of reach, no bucket, no connection, bad credentials, a shutdown) the ones after it
 * are given back at once rather than at the end of their lease, and the failure ends the publish.
 */
async function publishBatch(claims: ClaimedOutput[], publish: (claim: ClaimedOutput) => Promise<PublishOutcome>, total: PublishOutcome, queue: OutputQueue): Promise<{ output: string; error: FeedmirrorError }[]> {
  const failures: { output: string; error: FeedmirrorError }[] = [];
  for (const [i, claim] of claims.entries()) {
    try {
      addReport(total, await publish(claim));
    } catch (error) {
      if (!(error instanceof OutputFailure)) {
        for (const rest of claims.slice(i + 1)) await queue.release(rest);
        throw error;
      }
      failures.push({ output: claim.id, error });
    }
  }
  return failures;
}

/** One claimed output: selected, rendered and written, then the claim completed. One log line says who published what, when. */
async function publishClaim(input: PublishInput, store: Store, records: RunRecords, fleet: Fleet & { target: PublishTarget }, claim: ClaimedOutput): Promise<PublishOutcome> {
  const output = input.outputs.find((o) => o.id === claim.id)!;
  const startedAt = fleet.clock();
  let published;
  try {
    const scoped: PublishInput = { ...input, outputs: [output] };
    const selections = await selectOutputs({ outputs: [output], sources: input.sources, store, records, now: input.now });
    await recordProxiedMedia(scoped, selections, store);
    const { publishOutputs } = await import('../publish/publish-outputs.js');
    published = await publishOutputs(scoped, { target: fleet.target, selections, seedArticles: [], manifest: null, readArticles: (ids) => store.getArticlesByIds(ids), parts: OUTPUTS_ONLY });
    if (published.failures.length > 0) throw publishFailure(fleet.target, published.failures, published.heldBack, published.report);
  } catch (error) {
    await fleet.queue.release(claim);
    throw stopsEveryOutput(error) ? error : new OutputFailure(output.id, fleet.target, error);
  }
  const finishedAt = fleet.clock();
  const kept = await fleet.queue.complete(claim, summaryRecord(published.summaries[0]!));
  const { report } = published;
  fleet.logger.info(
    { event: 'publish', output: output.id, worker: fleet.workerId, claimSeq: claim.claimSeq, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), filesWritten: report.written.length },
    `published ${output.id} (worker ${fleet.workerId}, claim ${claim.claimSeq}): ${report.written.length} files written, ${finishedAt.getTime() - startedAt.getTime()} ms`,
  );
  if (!kept) fleet.logger.warn({ event: 'publish-lease-lost', output: output.id, worker: fleet.workerId, claimSeq: claim.claimSeq }, `output ${output.id}: the publish outlasted its ${fleet.leaseSeconds ?? PUBLISH_LEASE_SECONDS} s lease and another worker claimed it; that worker publishes it again`);
  return { ...report, skipped: false };
}

/**
 * The site-wide files (index.html, sources.opml, mirrors.json, seed pages), written by one worker
 * at a time, from the summaries the publishes of the outputs stored; skipped when nothing they
 * show changed since they were last written.
 */
async function publishSite(input: PublishInput, store: Store, records: RunRecords, queue: OutputQueue, target: PublishTarget): Promise<PublishOutcome> {
  return queue.withSiteLock(async () => {
    const summaries = outputSummaries(input.outputs, await queue.summaries());
    const fingerprint = sha256Hex(`${await fingerprintOf(input, store)}\n${JSON.stringify(summaries.map(({ output, ...shown }) => [output.id, shown]))}`);
    const previous = await records.read('lastPublish');
    if (previous?.fingerprint === fingerprint && (await target.exists('index.html'))) {
      return { written: [], unchanged: previous.files, changedFeeds: [], skipped: true };
    }
    const { publishOutputs } = await import('../publish/publish-outputs.js');
    const plan = { target, selections: new Map(), seedArticles: await seedArticles(input, store), manifest: null, readArticles: () => Promise.resolve([]), parts: SITE_ONLY, summaries };
    const { report, failures, heldBack } = await publishOutputs(input, plan);
    if (failures.length > 0) throw publishFailure(target, failures, heldBack, report);
    await records.save('lastPublish', undefined, { fingerprint, files: report.written.length + report.unchanged });
    return { ...report, skipped: false };
  });
}

/**
 * The outputs as the queue knows them. The hash covers everything in the config an output's
 * files are rendered from (the output, the site, its sources in rank order, the folder, the code),
 * and the hour when its filter has maxAgeDays: such an output changes with the clock.
 */
export function queuedOutputs(input: PublishInput): QueuedOutput[] {
  return input.outputs.map((output) => {
    const scope = outputScope(output.sources, input.sources);
    const sources = scope.ranking.map((id) => input.sources.find((s) => s.id === id));
    const hour = output.filter?.maxAgeDays !== undefined ? Math.floor(input.now.getTime() / HOUR_MS) : null;
    const configHash = sha256Hex(JSON.stringify([input.generator, buildId(), input.outputDir, input.site, output, sources, hour]));
    return { id: output.id, sourceIds: output.sources.includes('*') ? ['*'] : scope.sourceIds, configHash };
  });
}

/** What the index shows of each output, in config order; an output not published yet shows as empty. */
function outputSummaries(outputs: PublishOutput[], stored: Map<string, OutputSummaryRecord>): OutputSummary[] {
  return outputs.map((output) => ({ output, ...(stored.get(output.id) ?? { items: 0, archivePages: 0, updated: EMPTY_FEED_UPDATED }) }));
}

function summaryRecord({ items, archivePages, updated }: OutputSummary): OutputSummaryRecord {
  return { items, archivePages, updated };
}

function addReport(total: PublishOutcome, part: PublishReport & { skipped: boolean }): void {
  total.written.push(...part.written);
  total.unchanged += part.unchanged;
  total.changedFeeds.push(...part.changedFeeds);
  total.skipped &&= part.skipped;
}
