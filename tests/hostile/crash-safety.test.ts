/**
 * [slow] Crash safety (issue 8): `feedmirror run` is killed with SIGKILL at pseudo-random moments
 * while it fetches from a slow fixture server, stores and publishes. After every kill:
 *   - every file under the output folder is complete and valid (xmllint for XML, JSON.parse and
 *     the JSON Feed schema for JSON, HTML pages complete); temp files may exist, finished files
 *     are never partial,
 *   - the SQLite store passes PRAGMA integrity_check,
 *   - the next run exits 0, leaves no *.feedmirror-tmp file behind, and still has every article
 *     stored before the kill (compared by id) and publishes them.
 *
 * On PostgreSQL a run claims its sources and outputs with a lease, and a killed run's claims come
 * back when the lease runs out (README, "Scaling out"): there the next run starts once the killed
 * run's lease is over (a short `cluster.lease` keeps that brief), and must then recover the same way.
 *
 * The killed runs are processes of their own (bin/feedmirror.js), and so is the run that measures
 * a typical run; each recovery run is the same command line in this process (runCliInProcess):
 * what it is judged on is what it finds and leaves on disk, and in here it pays no node start-up
 * and runs on warm code.
 *
 * Where the kills land (tests/hostile/helpers/kill-plan.ts). Guaranteed: at least
 * KILLS_PER_PHASE (6) kills in each of the three phases that write, judged from what the kill left
 * (fetch: requests reached the fixture server, nothing stored yet; store: articles stored, no
 * output file changed; publish: a temp file or a changed output file), so at least 18 kills, each
 * of a run still going. A kill is timed from an event of the run it kills, seen by this test: its
 * first request to the fixture server (fetch), its last "source-done" log line (store), its first
 * temp file in the output folder (publish); the delay after it is drawn within that phase's length
 * in a typical run, measured once at the start. Kills in start-up, before any request, interrupt
 * nothing that writes and are not aimed at. A kill that lands outside its phase (other load on the
 * machine) narrows that phase's window for the next one, and is made up for, up to MAX_ATTEMPTS.
 *
 * Reproducible: the kill delays come from a seeded PRNG (mulberry32), stratified within each
 * phase and shuffled. The seed is CRASH_SEED below; set FEEDMIRROR_CRASH_SEED to try another one.
 */
import { watch } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_SEEDS, SAMPLE_SEED, writeConfig } from '../helpers/workspace.js';
import { mulberry32 } from '../helpers/seeded-random.js';
import { rssFeed } from '../remote/helpers/feeds.js';
import { startFixtureServer, type FixtureServer, type Handler } from '../remote/helpers/fixture-server.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { createHarness, remoteConfig, type Harness } from '../remote/helpers/harness.js';
import { checkOutputTree, inspectStore, snapshotTree, tempFiles, TEMP_SUFFIX } from './helpers/outputs.js';
import { killLeftoverChildren, startFeedmirror, type StartedChild } from './helpers/processes.js';
import { AIMED_PHASES, PHASES, narrowWindow, offsetIn, planKills, windowsOf, type AimedPhase, type Anchor, type Phase, type PhaseWindow, type RunTimeline } from './helpers/kill-plan.js';
import { ON_POSTGRES } from '../helpers/test-store.js';
import { durationMs } from '../../src/config/duration.js';
import { deferred } from '../helpers/deferred.js';

/** The documented seed of the kill schedule. */
const CRASH_SEED = Number(process.env.FEEDMIRROR_CRASH_SEED ?? 0x5eed_0008);
/** Kills that must land in each of fetch, store and publish (the run still going when it is killed). */
const KILLS_PER_PHASE = 6;
const MIN_KILLS = 3 * KILLS_PER_PHASE;
/** Upper bound on attempts, when kills land outside the phase they aim at (a loaded machine). */
const MAX_ATTEMPTS = 45;

/** Response delays of the slow sources, ms: the run spends its time in fetch (2 at a time per host), store and publish. */
const DELAYS_MS = [100, 180, 260, 340, 420, 500];
const ITEMS_PER_FEED = 10;

/** Told of every request the fixture server gets: the run being killed times its fetch kills from its first one. */
let onFeedRequest: () => void = () => {};

/**
 * A feed that moves on by one item per request (newest first) and answers after `delayMs`: every
 * run has something new to store and to publish, so kills land in writes, not in no-op runs.
 */
function movingFeed(source: number, delayMs: number): Handler {
  let served = 0;
  return (_request, response) => {
    onFeedRequest();
    const first = ++served;
    const items = Array.from({ length: ITEMS_PER_FEED }, (_, i) => {
      const n = first + ITEMS_PER_FEED - 1 - i;
      return {
        title: `Source ${source} item ${n}`,
        link: `http://slow${source}.example/items/${n}`,
        guid: `http://slow${source}.example/items/${n}`,
        pubDate: new Date(Date.UTC(2025, 0, 1) + n * 3_600_000 + source * 60_000).toUTCString(),
        description: `<p>${`Paragraph ${n} of source ${source}, padded so the files take a moment to write. `.repeat(12)}</p>`,
      };
    });
    const body = rssFeed(items, { title: `Slow source ${source}`, link: `http://slow${source}.example/` });
    const timer = setTimeout(() => response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body), delayMs);
    response.on('close', () => clearTimeout(timer));
  };
}

interface KillRecord {
  aimedAt: AimedPhase;
  /** When the kill was sent, ms after the aimed phase's anchor event. */
  offsetMs: number;
  killed: boolean;
  /** Where the kill landed, judged from what changed: no request yet, requests only, the store, or the store and some files. */
  phase: Phase;
  tempFilesLeft: number;
  storedBefore: number;
  storedAfterRecovery: number;
}

let server: FixtureServer;
let h: Harness;

/** At debug level a run logs a "source-done" line as each source finishes: the kills aimed past fetch are timed from the last one. */
const RUN_ARGS = () => ['run', '--all', '--config', h.configPath, '--log-format', 'json', '--log-level', 'debug'];

/** A `feedmirror run` child, and when the test saw it reach each anchor (ms since the epoch; never, if the run ends before). */
interface WatchedRun extends StartedChild {
  anchors: Record<Anchor, Promise<number>>;
  requests: () => number;
  /** When each "source-done" line came. */
  doneLineTimes: number[];
}

/** Starts `feedmirror run`; its last source is done at its `sourcesDoneLines`-th "source-done" line. */
function startWatchedRun(sourcesDoneLines: number): WatchedRun {
  const [firstRequest, sourcesDone, publishStart] = [deferred<number>(), deferred<number>(), deferred<number>()];
  let requests = 0;
  onFeedRequest = () => {
    if (requests++ === 0) firstRequest.resolve(Date.now());
  };
  // the publish stages every file it writes as a temp file beside it first
  const watcher = watch(h.feedsDir, { recursive: true }, (_event, name) => {
    if (name?.endsWith(TEMP_SUFFIX)) publishStart.resolve(Date.now());
  });
  const doneLineTimes: number[] = [];
  const started = startFeedmirror(RUN_ARGS(), { cwd: h.dir });
  let pending = '';
  started.child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.includes('"event":"source-done"')) continue;
      doneLineTimes.push(Date.now());
      if (doneLineTimes.length === sourcesDoneLines) sourcesDone.resolve(Date.now());
    }
  });
  const exited = started.exited.finally(() => {
    onFeedRequest = () => {};
    watcher.close();
  });
  const anchors = { 'first-request': firstRequest.promise, 'sources-done': sourcesDone.promise, 'publish-start': publishStart.promise };
  return { ...started, exited, anchors, requests: () => requests, doneLineTimes };
}

/** When a promise that may never settle had settled, or `fallback`. */
const settledAt = (promise: Promise<number>, fallback: number) => Promise.race([promise, Promise.resolve(fallback)]);

/** A run left to finish, with when it reached each phase. */
async function runToEnd(): Promise<{ code: number | null; ms: number; describe: string; timeline: RunTimeline; sourcesDoneLines: number }> {
  const startedAt = Date.now();
  const run = startWatchedRun(Number.POSITIVE_INFINITY);
  const { code, signal, stderr } = await run.exited;
  const endedAt = Date.now();
  const timeline = {
    firstRequestAt: await settledAt(run.anchors['first-request'], endedAt),
    sourcesDoneAt: run.doneLineTimes.at(-1) ?? endedAt,
    publishStartAt: await settledAt(run.anchors['publish-start'], endedAt),
    endedAt,
  };
  return { code, ms: endedAt - startedAt, describe: `exit ${code}${signal ? `, signal ${signal}` : ''}\n${stderr}`, timeline, sourcesDoneLines: run.doneLineTimes.length };
}

/**
 * On PostgreSQL: a lease as short as the check allows (it must exceed fetch.totalTimeoutMs + 10 s)
 * and no publish debounce, so that waiting out a killed run's claims stays short.
 */
const FLEET = ON_POSTGRES ? { cluster: { lease: '13s', publishDebounce: '0s' }, totalTimeoutMs: 2_000 } : null;

/** A run in this process (see the top of the file): after a kill, on PostgreSQL, once the killed run's leases are over. */
async function recover(killedAt: number | null): Promise<{ code: number | null; describe: string }> {
  if (FLEET && killedAt !== null) await sleep(Math.max(0, killedAt + durationMs(FLEET.cluster.lease) + 1000 - Date.now()));
  const { code, stderr } = await runCliInProcess(RUN_ARGS(), { cwd: h.dir });
  return { code, describe: `exit ${code}\n${stderr}` };
}

const DB = () => h.databasePath;

/** One run killed `offsetMs` after the anchor event of `window`, checked, then a recovery run, checked. */
async function killAndRecover(aimedAt: AimedPhase, window: PhaseWindow, offsetMs: number, sourcesDoneLines: number): Promise<KillRecord> {
  const filesBefore = await snapshotTree(h.feedsDir);
  const idsBefore = (await inspectStore(DB())).ids.length;
  const run = startWatchedRun(sourcesDoneLines);
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  void run.anchors[window.anchor].then(() => {
    if (!ended) timer = setTimeout(() => run.child.kill('SIGKILL'), offsetMs);
  });
  const outcome = await run.exited;
  ended = true;
  clearTimeout(timer);
  const killed = outcome.signal === 'SIGKILL';
  const killedAt = killed ? Date.now() : null;
  if (!killed) expect(outcome.code, `a run that outlived its kill (${offsetMs} ms into ${aimedAt}) must still succeed:\n${outcome.stderr}`).toBe(0);

  const context = `kill ${offsetMs} ms after the ${window.anchor} (aimed at ${aimedAt}, seed ${CRASH_SEED})`;
  expect(await checkOutputTree(h.feedsDir, { deep: false }), context).toEqual([]);
  const afterKill = await inspectStore(DB());
  expect(afterKill.integrity, context).toBe('ok');
  const left = (await tempFiles(h.feedsDir)).length;
  const filesAfter = await snapshotTree(h.feedsDir);
  const changed = Object.keys(filesAfter).filter((f) => filesBefore[f] !== filesAfter[f]).length;
  const phase = changed > 0 || left > 0 ? 'publish' : afterKill.ids.length > idsBefore ? 'store' : run.requests() > 0 ? 'fetch' : 'startup';

  const recovery = await recover(killedAt);
  expect(recovery.code, `${context}: the next run failed: ${recovery.describe}`).toBe(0);
  expect(await tempFiles(h.feedsDir), context).toEqual([]);
  const afterRecovery = await inspectStore(DB());
  expect(afterRecovery.integrity, context).toBe('ok');
  const kept = new Set(afterRecovery.ids);
  expect(afterKill.ids.filter((id) => !kept.has(id)), `${context}: articles stored before the kill are gone`).toEqual([]);
  // and they are published: the "all" feed lists every stored article
  const published = JSON.parse(await readFile(path.join(h.feedsDir, 'all/feed.json'), 'utf8')) as { items: unknown[] };
  expect(published.items.length, context).toBe(afterRecovery.ids.length);
  return { aimedAt, offsetMs, killed, phase, tempFilesLeft: left, storedBefore: afterKill.ids.length, storedAfterRecovery: afterRecovery.ids.length };
}

describe('[slow] crash safety: SIGKILL at random moments', () => {
  beforeAll(async () => {
    server = await startFixtureServer();
    DELAYS_MS.forEach((delay, i) => server.on(`/slow-${i}.xml`, movingFeed(i, delay)));
    const sources = DELAYS_MS.map((_, i) => ({ id: `slow-${i}`, url: server.url(`/slow-${i}.xml`) }));
    h = await createHarness({ sources });
    await copyFile(path.join(FIXTURE_SEEDS, SAMPLE_SEED), path.join(h.dir, 'seeds', SAMPLE_SEED));
    // watched for the publish's temp files from the first run on
    await mkdir(h.feedsDir, { recursive: true });
    // all six at once (the default allows 2 per host, and they share 127.0.0.1): fetch takes ~0.5 s, not ~1 s
    const config = remoteConfig({ sources, fetch: { perHostConcurrency: 6, ...(FLEET ? { totalTimeoutMs: FLEET.totalTimeoutMs } : {}) } });
    await writeConfig(h.configPath, {
      ...config,
      ...(FLEET ? { cluster: FLEET.cluster } : {}),
      sources: [{ id: 'seeds', seeds: 'seeds' }, ...(config.sources as object[])],
      // "all" and one output per source: a publish of several outputs, renamed into place together
      outputs: [
        { id: 'all', title: 'Everything', sources: ['*'], limit: 1000 },
        ...sources.map((s) => ({ id: s.id, title: `Only ${s.id}`, sources: [s.id], limit: 1000 })),
      ],
    });
  });

  afterAll(async () => {
    killLeftoverChildren();
    await server?.close();
    await h?.cleanup();
  });

  it(`[slow] ${KILLS_PER_PHASE}+ kills in each of fetch, store and publish (seed ${CRASH_SEED}): files complete and valid, store intact, the next run recovers everything`, { timeout: FLEET ? 1_800_000 : 900_000 }, async () => {
    // the first run stores every item of every feed (here: nothing of it is timed)
    const first = await recover(null);
    expect(first.code, first.describe).toBe(0);
    // the typical run, measured once here: new items in every source, on a warm store
    const typical = await runToEnd();
    expect(typical.code, typical.describe).toBe(0);
    expect(typical.sourcesDoneLines, 'a run at debug level logs a "source-done" line per source').toBeGreaterThan(0);
    let windows = windowsOf(typical.timeline);
    const measured = AIMED_PHASES.map((p) => `${p} ${windows[p].fromMs}–${windows[p].toMs} ms after the ${windows[p].anchor}`).join(', ');

    const random = mulberry32(CRASH_SEED);
    const records: KillRecord[] = [];
    const attempt = async (phase: AimedPhase, u: number) => {
      const offsetMs = offsetIn(windows[phase], u);
      const record = await killAndRecover(phase, windows[phase], offsetMs, typical.sourcesDoneLines);
      windows = { ...windows, [phase]: narrowWindow(windows[phase], phase, record.killed ? record.phase : 'finished', offsetMs) };
      records.push(record);
    };
    for (const { phase, u } of planKills(KILLS_PER_PHASE, random)) await attempt(phase, u);
    const killsIn = (phase: Phase) => records.filter((r) => r.killed && r.phase === phase).length;
    // Kills that landed outside their phase (the machine got slower or faster) are made up for, aimed at the phase with the fewest.
    const wanting = () => AIMED_PHASES.filter((p) => killsIn(p) < KILLS_PER_PHASE).sort((a, b) => killsIn(a) - killsIn(b));
    while (wanting().length > 0 && records.length < MAX_ATTEMPTS) await attempt(wanting()[0]!, random());

    const kills = records.filter((r) => r.killed).length;
    console.info(
      `[crash-safety] seed ${CRASH_SEED}, typical run ${Math.round(typical.ms)} ms (${measured}), ${kills}/${records.length} runs killed mid-run, ` +
        `${records.filter((r) => r.tempFilesLeft > 0).length} kills left temp files (removed by the next run), ` +
        `landed in: ${PHASES.map((p) => `${p} ${killsIn(p)}`).join(', ')}; ` +
        `kills (aimed: ms after its anchor → landed) ${records.map((r) => `${r.aimedAt}:${r.offsetMs}→${r.killed ? r.phase : 'finished'}`).join(' ')}`,
    );
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    for (const phase of AIMED_PHASES) expect(killsIn(phase), `kills that landed in ${phase}`).toBeGreaterThanOrEqual(KILLS_PER_PHASE);
    // the final state, judged by every validator once
    expect(await checkOutputTree(h.feedsDir)).toEqual([]);
  });
});
