/**
 * Micro-benchmark of the normalize step on the fixture corpus (tests/fixtures/corpus/): feedmirror's
 * parseFeedBody + normalizeItem per item, next to rss-parser alone (JSON.parse for JSON Feed) on the
 * same bytes and, when /usr/bin/python3 has it, Python feedparser (one python process timing its own
 * loop). Warm-ups, then repetitions; medians.
 *
 *   npm run bench:normalize [-- --reps 10 --warmup 3 --json FILE]
 *   npm run bench:normalize -- --ref HEAD     # the committed src/ instead of the working tree
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Parser from 'rss-parser';
import type { FeedContext } from '../src/normalize/normalize-item.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'tests', 'fixtures', 'corpus');
const PYTHON = '/usr/bin/python3';
const NOW = new Date('2024-01-01T00:00:00Z');

const { values: opts } = parseArgs({
  options: { reps: { type: 'string', default: '10' }, warmup: { type: 'string', default: '3' }, json: { type: 'string' }, ref: { type: 'string' } },
});
const REPS = Number(opts.reps);
const WARMUP = Number(opts.warmup);

if (opts.ref) {
  // This very script, run against `git archive REF` of src/ and the corpus.
  const dir = mkdtempSync(path.join(tmpdir(), 'feedmirror-normalize-'));
  const tar = execFileSync('git', ['archive', '--format=tar', opts.ref, 'src', 'tests/fixtures/corpus', 'package.json'], { cwd: ROOT, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  mkdirSync(path.join(dir, 'bench'));
  cpSync(fileURLToPath(import.meta.url), path.join(dir, 'bench', 'normalize.ts'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const args = ['--reps', String(REPS), '--warmup', String(WARMUP), ...(opts.json ? ['--json', path.resolve(opts.json)] : [])];
  process.stderr.write(`normalize benchmark of ${opts.ref} (${execFileSync('git', ['rev-parse', '--short', opts.ref], { cwd: ROOT, encoding: 'utf8' }).trim()})\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, 'bench', 'normalize.ts'), ...args], { cwd: dir, stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  process.exit(run.status ?? 1);
}

// Imported here, relative to this file, so that a --ref copy measures its own src/.
const { parseFeedBody } = await import('../src/ingest/parse-feed.js');
const { DEFAULT_ITEM_LIMITS, normalizeItem } = await import('../src/normalize/normalize-item.js');

interface Corpus {
  file: string;
  url: string;
  bytes: Buffer;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(xml|json)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

const corpus: Corpus[] = walk(CORPUS).map((file) => ({ file: path.relative(CORPUS, file), url: `https://corpus.example/${path.relative(CORPUS, file)}`, bytes: readFileSync(file) }));
const totalBytes = corpus.reduce((n, c) => n + c.bytes.length, 0);

type PerFile = (c: Corpus) => Promise<number>;

async function feedmirror(c: Corpus): Promise<number> {
  const outcome = await parseFeedBody(c.bytes, null, c.url);
  if (outcome.kind !== 'feed') return 0;
  const context: FeedContext = { sourceId: 'corpus', sourceTitle: null, responseUrl: c.url, mirrors: { publisher: [], directory: null }, hostAliases: {}, now: NOW, limits: DEFAULT_ITEM_LIMITS };
  for (const item of outcome.feed.items) normalizeItem(outcome.feed, item, context);
  return outcome.feed.items.length;
}

async function feedmirrorParseOnly(c: Corpus): Promise<number> {
  const outcome = await parseFeedBody(c.bytes, null, c.url);
  return outcome.kind === 'feed' ? outcome.feed.items.length : 0;
}

async function rssParser(c: Corpus): Promise<number> {
  if (c.file.endsWith('.json')) return ((JSON.parse(c.bytes.toString('utf8')) as { items?: unknown[] }).items ?? []).length;
  return (await new Parser().parseString(c.bytes.toString('utf8'))).items.length;
}

interface Result {
  parser: string;
  items: number;
  failures: number;
  medianMs: number;
  repsMs: number[];
  perFileMs: Map<string, number>;
}

async function bench(parser: string, fn: PerFile): Promise<Result> {
  const perFile = new Map<string, number[]>();
  let items = 0;
  let failures = 0;
  const reps: number[] = [];
  for (let rep = 0; rep < WARMUP + REPS; rep++) {
    let repItems = 0;
    let repFailures = 0;
    const started = performance.now();
    for (const c of corpus) {
      const t0 = performance.now();
      try {
        repItems += await fn(c);
      } catch {
        repFailures++;
      }
      if (rep >= WARMUP) perFile.set(c.file, [...(perFile.get(c.file) ?? []), performance.now() - t0]);
    }
    if (rep >= WARMUP) reps.push(performance.now() - started);
    items = repItems;
    failures = repFailures;
  }
  return { parser, items, failures, medianMs: median(reps), repsMs: reps, perFileMs: new Map([...perFile].map(([f, ms]) => [f, median(ms)])) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const FEEDPARSER_SCRIPT = `
import json, sys, time
import feedparser
files = json.load(sys.stdin)
warmup, reps = int(sys.argv[1]), int(sys.argv[2])
blobs = [(f, open(f, 'rb').read()) for f in files]
times, items, failures = [], 0, 0
per_file = {f: [] for f, _ in blobs}
for rep in range(warmup + reps):
    n = bad = 0
    start = time.perf_counter()
    for f, b in blobs:
        t0 = time.perf_counter()
        try:
            d = feedparser.parse(b)
            n += len(d.entries)
        except Exception:
            bad += 1
        if rep >= warmup: per_file[f].append((time.perf_counter() - t0) * 1000)
    if rep >= warmup: times.append((time.perf_counter() - start) * 1000)
    items, failures = n, bad
med = lambda v: sorted(v)[len(v) // 2] if len(v) % 2 else sum(sorted(v)[len(v) // 2 - 1: len(v) // 2 + 1]) / 2
print(json.dumps({"version": feedparser.__version__, "items": items, "failures": failures, "medianMs": med(times), "repsMs": times, "perFileMs": {f: med(v) for f, v in per_file.items()}}))
`;

function feedparser(): (Result & { version: string }) | { unavailable: string } {
  const files = corpus.map((c) => path.join(CORPUS, c.file));
  const result = spawnSync(PYTHON, ['-c', FEEDPARSER_SCRIPT, String(Math.min(WARMUP, 2)), String(REPS)], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.error || result.status !== 0) return { unavailable: result.error?.message ?? result.stderr.trim().split('\n').at(-1) ?? `exit ${result.status}` };
  const out = JSON.parse(result.stdout) as { version: string; items: number; failures: number; medianMs: number; repsMs: number[]; perFileMs: Record<string, number> };
  return { parser: `feedparser ${out.version} (Python)`, version: out.version, items: out.items, failures: out.failures, medianMs: out.medianMs, repsMs: out.repsMs, perFileMs: new Map(Object.entries(out.perFileMs).map(([f, ms]) => [path.relative(CORPUS, f), ms])) };
}

const results: Result[] = [];
results.push(await bench('feedmirror parseFeedBody + normalizeItem', feedmirror));
results.push(await bench('feedmirror parseFeedBody only', feedmirrorParseOnly));
results.push(await bench('rss-parser 3.13.0 (+ JSON.parse)', rssParser));
const fp = feedparser();
if ('unavailable' in fp) process.stderr.write(`feedparser not measured: ${fp.unavailable}\n`);
else results.push(fp);

const base = results.find((r) => r.parser.startsWith('rss-parser'))!;
const lines = [
  `normalize micro-benchmark: ${corpus.length} files, ${(totalBytes / 1e6).toFixed(2)} MB (tests/fixtures/corpus/), ${WARMUP} warm-ups + ${REPS} reps, medians; Node ${process.version}`,
  '',
  '| parser | items | failed files | median ms | items/s | MB/s | × rss-parser time |',
  '|---|--:|--:|--:|--:|--:|--:|',
  ...results.map((r) => `| ${r.parser} | ${r.items} | ${r.failures} | ${r.medianMs.toFixed(1)} | ${Math.round(r.items / (r.medianMs / 1000)).toLocaleString('en-US')} | ${(totalBytes / 1e6 / (r.medianMs / 1000)).toFixed(2)} | ${(r.medianMs / base.medianMs).toFixed(2)} |`),
  '',
  'slowest files for feedmirror (median ms per file; × rss-parser on the same file):',
  ...[...results[0]!.perFileMs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([file, ms]) => `  ${ms.toFixed(2).padStart(8)} ms  ${(ms / (base.perFileMs.get(file) ?? Number.NaN)).toFixed(1).padStart(5)}×  ${file}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (opts.json) {
  writeFileSync(opts.json, `${JSON.stringify({ date: new Date().toISOString(), files: corpus.length, bytes: totalBytes, warmup: WARMUP, reps: REPS, results: results.map((r) => ({ ...r, perFileMs: Object.fromEntries(r.perFileMs) })) }, null, 2)}\n`);
}
