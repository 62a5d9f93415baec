/**
 * Publish once (issue 18's Done-when, at a scale that runs in seconds; PostgreSQL only): four
 * publishers, each a store of its own (its own connections, as separate processes have), publish
 * 20 outputs into one folder while a writer keeps changing 40 sources. The publish log lines show
 * no two publishes of one output overlapping; the files end byte-identical to a single publish of
 * the same data; a second pass with nothing changed publishes nothing and touches no file.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { publishClaimed } from '../../src/pipeline/publish-claimed.js';
import { publishAll } from '../../src/pipeline/publish-step.js';
import { runRecords } from '../../src/pipeline/run-records.js';
import type { PublishInput, PublishOutput, PublishSource } from '../../src/publish/publish-types.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres-store.js';
import { buildId } from '../../src/version.js';
import { fileTimes, listFiles, parseLogLines, type LogRecord } from '../helpers/workspace.js';
import { createTestDatabase, dropTestDatabase, queryDatabase } from '../helpers/test-store.js';
import { makeItem, makeOutput, NOW, publishInput } from '../publishing/helpers/harness.js';

const SOURCES = 40;
const OUTPUTS = 20;
const PUBLISHERS = 4;
const ROUNDS = 30;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sourceId = (i: number) => `s${String(i).padStart(2, '0')}`;

function sources(): PublishSource[] {
  return Array.from({ length: SOURCES }, (_, i) => ({ id: sourceId(i), title: `Source ${i}`, url: `https://${sourceId(i)}.example/feed.xml`, tags: [], kind: 'feed' as const }));
}

/** Two sources each, and one output of every source; no archives, so any sequence of publishes ends in the same files. */
function outputs(): PublishOutput[] {
  return Array.from({ length: OUTPUTS }, (_, i) =>
    makeOutput({ id: `o${String(i).padStart(2, '0')}`, sources: i === OUTPUTS - 1 ? ['*'] : [sourceId(i), sourceId(i + OUTPUTS)], limit: 10, archive: false }),
  );
}

/** Round r: a new item for one source, and a changed title for the item of the round before. */
function changes(round: number) {
  const at = (r: number) => new Date(NOW.getTime() - (ROUNDS - r) * 60_000).toISOString();
  const source = (r: number) => sourceId((r * 7) % SOURCES);
  const fresh = makeItem(`r${round}`, source(round), at(round));
  return round === 0 ? [fresh] : [fresh, makeItem(`r${round - 1}`, source(round - 1), at(round - 1), { title: `Changed in round ${round}` })];
}

interface Publisher {
  store: PostgresStore;
  /** One publish step: claims and publishes until nothing dirty before it started is left. */
  pass(): Promise<{ written: string[] }>;
}

function logSink(): { lines: LogRecord[]; stream: Writable } {
  const lines: LogRecord[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...parseLogLines(chunk.toString('utf8')));
      done();
    },
  });
  return { lines, stream };
}

async function publisher(url: string, input: PublishInput, workerId: string, stream: Writable, leaseSeconds?: number): Promise<Publisher> {
  const store = await openPostgresStore(url);
  const logger = createLogger({ stream, format: 'json', level: 'info' });
  const records = runRecords(store, { build: buildId(), refresh: false, now: NOW });
  const fleet = { queue: store.outputQueue(), workerId, clock: () => new Date(), logger, debounceSeconds: 0, ...(leaseSeconds ? { leaseSeconds } : {}) };
  return { store, pass: () => publishClaimed(input, store, records, fleet) };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-publish-once-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Publish intervals of one output that overlap: [earlier, later] pairs. */
function overlaps(lines: LogRecord[]): [LogRecord, LogRecord][] {
  const byOutput = new Map<string, LogRecord[]>();
  for (const line of lines) byOutput.set(line.output as string, [...(byOutput.get(line.output as string) ?? []), line]);
  const found: [LogRecord, LogRecord][] = [];
  for (const publishes of byOutput.values()) {
    publishes.sort((a, b) => (a.startedAt as string).localeCompare(b.startedAt as string));
    for (let i = 1; i < publishes.length; i++) if ((publishes[i]!.startedAt as string) < (publishes[i - 1]!.finishedAt as string)) found.push([publishes[i - 1]!, publishes[i]!]);
  }
  return found;
}

async function readTree(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const file of await listFiles(root)) files.set(file, await readFile(path.join(root, file)));
  return files;
}

describe('publish once: several publishers, one folder, changing sources', () => {
  it('never publishes one output twice at once, ends with the files of a single publish, then publishes nothing when nothing changed', async () => {
    const url = await createTestDatabase();
    cleanups.push(() => dropTestDatabase(url));
    const dir = await tempDir();
    const input = publishInput(path.join(dir, 'fleet'), outputs(), { sources: sources() });
    const sink = logSink();
    const publishers = await Promise.all(Array.from({ length: PUBLISHERS }, (_, i) => publisher(url, input, `worker-${i}`, sink.stream)));
    const writer = await openPostgresStore(url);
    cleanups.push(() => Promise.all([writer, ...publishers.map((p) => p.store)].map((store) => store.close())));

    // Paced by the publishers, not the clock: each round waits for another publish, so changes
    // keep landing while outputs are being published, however fast this machine is.
    const publishCount = () => sink.lines.filter((line) => line.event === 'publish').length;
    let writing = true;
    const write = (async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const seen = publishCount();
        await writer.upsertArticles(changes(round), NOW);
        while (publishCount() === seen) await sleep(2);
      }
      writing = false;
    })();
    await Promise.all([
      write,
      ...publishers.map(async (p) => {
        while (writing) {
          await p.pass();
          await sleep(10);
        }
        // Every change is committed: this pass leaves nothing dirty from before it.
        await p.pass();
      }),
    ]);

    const publishes = sink.lines.filter((line) => line.event === 'publish');
    expect(new Set(publishes.map((line) => line.output))).toEqual(new Set(input.outputs.map((o) => o.id)));
    expect(new Set(publishes.map((line) => line.worker)).size).toBeGreaterThan(1);
    expect(publishes.length).toBeGreaterThan(OUTPUTS);
    for (const line of publishes) expect(line).toMatchObject({ claimSeq: expect.any(Number), startedAt: expect.any(String), finishedAt: expect.any(String) });
    expect(overlaps(publishes)).toEqual([]);

    const single = path.join(dir, 'single');
    const reader = await openPostgresStore(url);
    cleanups.push(() => reader.close());
    await publishAll({ ...input, outputDir: single }, reader);
    const fleetFiles = await readTree(input.outputDir);
    const singleFiles = await readTree(single);
    expect([...fleetFiles.keys()]).toEqual([...singleFiles.keys()]);
    for (const [file, bytes] of fleetFiles) expect(bytes.equals(singleFiles.get(file)!), file).toBe(true);

    const before = await fileTimes(input.outputDir);
    const published = sink.lines.length;
    const again = await Promise.all(publishers.map((p) => p.pass()));
    expect(again.flatMap((report) => report.written)).toEqual([]);
    expect(sink.lines.slice(published).filter((line) => line.event === 'publish')).toEqual([]);
    expect(await fileTimes(input.outputDir)).toEqual(before);
  });

  it('a publish that fails gives back its output and the rest of its batch, dirty, at once; the next pass publishes them', async () => {
    const url = await createTestDatabase();
    cleanups.push(() => dropTestDatabase(url));
    const dir = await tempDir();
    // A file where the output folder should be: every write fails.
    const input = publishInput(path.join(dir, 'blocked'), outputs().slice(0, 6), { sources: sources() });
    await writeFile(input.outputDir, 'not a folder');
    const sink = logSink();
    const worker = await publisher(url, input, 'worker-0', sink.stream);
    cleanups.push(() => worker.store.close());
    await worker.store.upsertArticles(changes(0), NOW);
    await expect(worker.pass()).rejects.toMatchObject({ code: 'FM_PUBLISH' });
    const rows = await queryDatabase(url, (sql) => sql<{ dirty: boolean; claimed_by: string | null }[]>`SELECT dirty, claimed_by FROM outputs`);
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.dirty && row.claimed_by === null)).toBe(true);
    await rm(input.outputDir);
    await worker.pass();
    expect(sink.lines.filter((line) => line.event === 'publish').map((line) => line.output).sort()).toEqual(input.outputs.map((o) => o.id));
  });

  it('a publish removes the temp files a killed worker left (older than the lease), never a younger one another worker may be writing', async () => {
    const url = await createTestDatabase();
    cleanups.push(() => dropTestDatabase(url));
    const dir = await tempDir();
    const input = publishInput(path.join(dir, 'shared'), outputs().slice(0, 2), { sources: sources() });
    const leaseSeconds = 60;
    const staged = (name: string) => path.join(input.outputDir, 'o00', `.${name}.0123456789ab.feedmirror-tmp`);
    await mkdir(path.dirname(staged('x')), { recursive: true });
    const killed = [staged('rss.xml'), path.join(input.outputDir, '.index.html.ba9876543210.feedmirror-tmp')];
    const live = staged('atom.xml');
    for (const file of [...killed, live]) await writeFile(file, 'half a file');
    const longAgo = new Date(Date.now() - (leaseSeconds + 30) * 1000);
    for (const file of killed) await utimes(file, longAgo, longAgo);
    const sink = logSink();
    const worker = await publisher(url, input, 'worker-0', sink.stream, leaseSeconds);
    cleanups.push(() => worker.store.close());
    await worker.pass();
    for (const file of killed) expect(existsSync(file), file).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
