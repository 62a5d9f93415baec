/**
 * Parse fidelity against Python feedparser, on feedparser's own test corpus: every corpus file
 * is republished through the real pipeline (served on 127.0.0.1, one source and one output
 * each), the items of each published feed.json are turned into the dump format of
 * ../shared/tools/feedparser-expect.py, and that tool scores them against the corpus's `Expect:`
 * assertions about entries (title, link, id, author, dates, summary, content, enclosures).
 *
 *   npm run fidelity                          # republish, score, list every failure
 *   npm run fidelity -- --json=FILE           # also the scorer's report as JSON
 *   npm run fidelity -- --dump=FILE           # keep the dump (what we published, per corpus file)
 *   npm run fidelity -- --keep=DIR            # keep each batch's project (config, database, feeds/)
 *
 * Needs ../shared (the corpus and the scorer; FEEDMIRROR_SHARED_CORPUS names another corpus
 * folder) and /usr/bin/python3 (the scorer uses the standard library only). Without ../shared
 * it says so and exits 0: a clean clone has nothing to score. Exit 2: the tooling failed.
 * The figure and every remaining failure are explained in docs/feedparser-comparison.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { republishCorpus, type CorpusDocument } from './fidelity/republish-corpus.js';
import { toDumpResult, type DumpResult } from './fidelity/to-dump.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
/** The score of issue 20: entry-level assertions, no HTML-sanitizing cases, titles and summaries as plain text. */
const SCORE_OPTIONS = ['--entries-only', '--exclude', 'wellformed/sanitize', '--plain', 'title,summary', '--lenient-summary'];
/** The folders feedparser-expect.py reads (its CORPUS_DIRS): every .xml file in them is a feed document. */
const CORPUS_DIRS = ['wellformed', 'illformed', 'encoding', 'entities'];
const BATCH_SIZE = 200;
const NOW = new Date('2024-06-01T00:00:00.000Z');

interface SharedTools {
  tests: string;
  scorer: string;
}

/** The feedparser corpus and its scorer: FEEDMIRROR_SHARED_CORPUS, else ../shared next to the checkout (or a worktree's ../../shared). */
function findShared(): { found: SharedTools | null; looked: string[] } {
  const chosen = process.env.FEEDMIRROR_SHARED_CORPUS;
  const corpora = chosen ? [chosen] : [path.join(ROOT, '..', 'shared', 'corpus'), path.join(ROOT, '..', '..', 'shared', 'corpus')];
  for (const corpus of corpora) {
    const tools = { tests: path.join(corpus, 'feedparser-tests'), scorer: path.join(corpus, '..', 'tools', 'feedparser-expect.py') };
    if (existsSync(tools.tests) && existsSync(tools.scorer)) return { found: tools, looked: corpora };
  }
  return { found: null, looked: corpora };
}

async function listDocuments(tests: string): Promise<CorpusDocument[]> {
  const documents: CorpusDocument[] = [];
  for (const dir of CORPUS_DIRS) {
    if (!existsSync(path.join(tests, dir))) continue;
    const entries = await readdir(path.join(tests, dir), { recursive: true, withFileTypes: true });
    const files = entries.filter((e) => e.isFile() && e.name.endsWith('.xml')).map((e) => path.join(e.parentPath, e.name)).sort();
    for (const file of files) documents.push({ relative: path.relative(tests, file).split(path.sep).join('/'), bytes: await readFile(file) });
  }
  return documents;
}

function score(tools: SharedTools, dumpPath: string, json: string | undefined): number {
  const args = [tools.scorer, 'score', '--tests', tools.tests, '--dump', dumpPath, ...SCORE_OPTIONS, '--show-failures', '10000', ...(json ? ['--json', json] : [])];
  const result = spawnSync(PYTHON, args, { stdio: 'inherit' });
  if (result.error) {
    console.error(`fidelity: cannot run ${PYTHON}: ${result.error.message}`);
    return 2;
  }
  return result.status === 0 ? 0 : 2;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'string' }, dump: { type: 'string' }, keep: { type: 'string' } } });
  const { found, looked } = findShared();
  if (!found) {
    console.error(`fidelity: the feedparser corpus and its scorer are not here (looked for feedparser-tests/ and ../tools/feedparser-expect.py in ${looked.join(', ')}); nothing to score. Set FEEDMIRROR_SHARED_CORPUS to a corpus folder to use another.`);
    return 0;
  }
  if (!existsSync(PYTHON)) {
    console.error(`fidelity: ${PYTHON} not found; the scorer needs it (the standard library is enough)`);
    return 2;
  }
  const documents = await listDocuments(found.tests);
  console.error(`fidelity: republishing ${documents.length} files of ${found.tests}, ${BATCH_SIZE} sources per run`);
  const republished = await republishCorpus(documents, {
    batchSize: BATCH_SIZE, now: NOW, keepDir: values.keep ? path.resolve(values.keep) : null,
    onBatch: (done, total) => console.error(`fidelity: ${done} / ${total}`),
  });
  const results: Record<string, DumpResult> = {};
  for (const [relative, outcome] of republished) results[relative] = toDumpResult(outcome);
  const scratch = values.dump ? null : await mkdtemp(path.join(os.tmpdir(), 'feedmirror-fidelity-dump-'));
  const dumpPath = values.dump ? path.resolve(values.dump) : path.join(scratch!, 'dump.json');
  try {
    await writeFile(dumpPath, `${JSON.stringify({ parser: 'feedmirror (published feed.json)', results }, null, 1)}\n`);
    return score(found, dumpPath, values.json ? path.resolve(values.json) : undefined);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(`fidelity: ${(error as Error).stack ?? String(error)}`);
  return 2;
});
