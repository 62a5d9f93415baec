/**
 * Every feed file of the corpora (see helpers/corpus.ts) republished through the real pipeline,
 * then every rss.xml and atom.xml written judged by xmllint, jing (RFC 4287 RELAX NG) and the W3C
 * Feed Validator: zero errors, and no warning but the classes judged harmless (ACCEPTED_WARNINGS);
 * every feed.json by the JSON Feed 1.1 schema. These are the outputs `npm run fidelity` writes too.
 * Each file is served on 127.0.0.1 as a source with an output of its own; a merged output per
 * batch also checks what several sources give in one document. Sources are batched, many per run,
 * so the suite runs one pipeline and one validator process per batch.
 *
 * FEEDMIRROR_CORPUS_REPORT=FILE writes the counts (files, errors and warnings by class) as JSON.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jingAtomFiles, validateJsonFeed, xmllintFiles } from '../helpers/validators.js';
import { unexpectedWarnings, w3cValidate, warningClass, type W3cReport } from '../helpers/w3c-validator.js';
import { listFiles } from '../helpers/workspace.js';
import { createHarness, type Harness } from '../remote/helpers/harness.js';
import { feed, startFixtureServer, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { contentTypeOf, listCorpus, type CorpusFile } from './helpers/corpus.js';

/** Sources per pipeline run: few runs, and a validator batch of a few hundred files. */
const BATCH = 150;
/** A run of one batch and its checks wait on processes, not on the clock: a generous ceiling. */
const BATCH_TIMEOUT_MS = 600_000;
const MERGED = 'all';
/** The run's clock: undated items are stamped with it, and the validator calls a date after its own today implausible. */
const NOW = new Date('2024-06-01T00:00:00.000Z');

const { files: corpus, shared } = await listCorpus();
const batches: CorpusFile[][] = [];
for (let at = 0; at < corpus.length; at += BATCH) batches.push(corpus.slice(at, at + BATCH));

let server: FixtureServer;
const tally = { corpusFiles: corpus.length, feedFiles: 0, errors: new Map<string, number>(), warnings: new Map<string, number>(), examples: new Map<string, string[]>() };

beforeAll(async () => {
  if (!shared) console.warn('[feedmirror tests] corpus: ../shared/corpus not found, republishing the repository\'s corpus only');
  server = await startFixtureServer();
  corpus.forEach((file, n) => server.on(`/corpus/${n}`, feed(file.bytes, contentTypeOf(file.path))));
});
afterAll(async () => {
  await server?.close();
  const report = process.env.FEEDMIRROR_CORPUS_REPORT;
  if (report) await writeFile(report, `${JSON.stringify({ ...tally, errors: Object.fromEntries(tally.errors), warnings: Object.fromEntries(tally.warnings), examples: Object.fromEntries(tally.examples) }, null, 2)}\n`);
});

const sourceId = (n: number) => `c${n}`;

/** One pipeline run over a batch: a source and an output per corpus file, plus one merged output. */
async function republish(batch: CorpusFile[], first: number): Promise<Harness> {
  const ids = batch.map((_, i) => sourceId(first + i));
  const h = await createHarness({
    sources: ids.map((id, i) => ({ id, url: server.url(`/corpus/${first + i}`) })),
    fetch: { perHostConcurrency: 16, concurrency: 16 },
    outputs: [
      ...ids.map((id) => ({ id, title: `Corpus ${id}`, sources: [id], limit: 10_000, formats: ['rss', 'atom', 'json'], archive: false })),
      { id: MERGED, title: 'Corpus batch', sources: ['*'], limit: 10_000, formats: ['rss', 'atom', 'json'], archive: false },
    ],
  });
  await h.run({ now: NOW });
  return h;
}

/** "c12/atom.xml" → the corpus file it came from. */
function origin(relative: string, batch: CorpusFile[], first: number): string {
  const output = relative.split('/')[0]!;
  if (output === MERGED) return `merged batch ${first}–${first + batch.length - 1}`;
  return batch[Number(output.slice(1)) - first]?.label ?? output;
}

/** A validator message without its position, count and quoted values: the class of the problem. */
const problemClass = (message: string) => warningClass(message).replace(/"[^"]*"/g, '"…"');
const occurrences = (message: string) => Number(/\((\d+) occurrences\)$/.exec(message)?.[1] ?? 1);

function count(map: Map<string, number>, messages: string[], where: string): void {
  for (const message of messages) {
    const kind = problemClass(message);
    map.set(kind, (map.get(kind) ?? 0) + occurrences(message));
    const examples = tally.examples.get(kind) ?? [];
    if (examples.length < 3) tally.examples.set(kind, [...examples, `${where}: ${message}`]);
  }
}

async function judge(root: string, batch: CorpusFile[], first: number): Promise<string[]> {
  const all = await listFiles(root);
  const files = all.filter((f) => /(^|\/)(rss|atom)\.xml$/.test(f)).map((f) => path.join(root, f));
  const name = (file: string) => {
    const relative = path.relative(root, file);
    return `${origin(relative, batch, first)} → ${relative}`;
  };
  const problems: string[] = [];
  for (const [file, messages] of await xmllintFiles(files)) if (messages.length > 0) problems.push(`${name(file)}: xmllint: ${messages.join(' | ')}`);
  for (const [file, errors] of await jingAtomFiles(files.filter((f) => f.endsWith('atom.xml')))) if (errors.length > 0) problems.push(`${name(file)}: jing: ${errors.join(' | ')}`);
  const reports: Map<string, W3cReport> = await w3cValidate(files);
  for (const [file, report] of reports) {
    count(tally.errors, report.errors, name(file));
    count(tally.warnings, report.warnings, name(file));
    for (const error of report.errors) problems.push(`${name(file)}: W3C: ${error}`);
    for (const warning of unexpectedWarnings(report)) problems.push(`${name(file)}: W3C warning of a class not judged yet (see ACCEPTED_WARNINGS): ${warning}`);
  }
  for (const file of all.filter((f) => /(^|\/)feed\.json$/.test(f)).map((f) => path.join(root, f))) {
    const { ok, messages } = await validateJsonFeed(file);
    if (!ok) problems.push(`${name(file)}: JSON Feed 1.1 schema: ${messages.join(' | ')}`);
    tally.feedFiles++;
  }
  tally.feedFiles += files.length;
  return problems;
}

describe(`the corpora republished (${corpus.length} files, ${batches.length} runs): every rss.xml and atom.xml passes xmllint, jing and the W3C Feed Validator, every feed.json the JSON Feed schema`, () => {
  batches.forEach((batch, b) => {
    const first = b * BATCH;
    it(`files ${first}–${first + batch.length - 1}`, { timeout: BATCH_TIMEOUT_MS }, async () => {
      const h = await republish(batch, first);
      try {
        // one output per source and the merged one, each in three formats
        const written = await listFiles(h.feedsDir);
        expect(written.filter((f) => /(^|\/)(rss|atom)\.xml$/.test(f))).toHaveLength((batch.length + 1) * 2);
        expect(written.filter((f) => /(^|\/)feed\.json$/.test(f))).toHaveLength(batch.length + 1);
        expect(await judge(h.feedsDir, batch, first)).toEqual([]);
      } finally {
        await h.cleanup();
      }
    });
  });
});
