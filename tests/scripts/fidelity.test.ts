/**
 * `npm run fidelity` as a user runs it (scripts/fidelity.ts in a child process): over a corpus of
 * our own in feedparser's layout (tests/fixtures/fidelity-corpus/) with the scorer (../shared/tools, or its copy in tests/tools), and
 * without the shared corpus at all, where it must say so and succeed.
 */
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REQUIRE_VALIDATORS, runProcess } from '../helpers/tools.js';
import { REPO_ROOT } from '../helpers/workspace.js';
import { sharedCorpusDir } from '../publishing/helpers/corpus.js';

const OWN_CORPUS = path.join(REPO_ROOT, 'tests', 'fixtures', 'fidelity-corpus');
// The scorer of ../shared/tools, vendored so that a clean clone (and CI) scores too; the shared copy wins when present.
const shared = sharedCorpusDir();
const SHARED_SCORER = shared ? path.join(shared, '..', 'tools', 'feedparser-expect.py') : null;
const SCORER = SHARED_SCORER && existsSync(SHARED_SCORER) ? SHARED_SCORER : path.join(REPO_ROOT, 'tests', 'tools', 'feedparser-expect.py');
const canScore = existsSync('/usr/bin/python3');
if (!canScore && REQUIRE_VALIDATORS) throw new Error('the scored fidelity run needs /usr/bin/python3 (FEEDMIRROR_REQUIRE_VALIDATORS=1, so this is a failure)');
if (!canScore) console.warn('[feedmirror tests] SKIPPED the scored fidelity run: /usr/bin/python3 not found');

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-fidelity-test-'));
  temps.push(dir);
  return dir;
}

function fidelity(args: string[], corpus: string) {
  return runProcess(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'fidelity.ts'), ...args], {
    cwd: REPO_ROOT, env: { ...process.env, FEEDMIRROR_SHARED_CORPUS: corpus },
  });
}

describe('npm run fidelity', () => {
  it('without the shared corpus: says where it looked, scores nothing, exits 0', async () => {
    const missing = path.join(await tempDir(), 'no-such-corpus');
    const result = await fidelity([], missing);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`fidelity: the feedparser corpus and its scorer are not here (looked for feedparser-tests/ and ../tools/feedparser-expect.py in ${missing}); nothing to score`);
    expect(result.stdout).not.toContain('SCORE');
  });

  it.skipIf(!canScore)('republishes each file through the pipeline and scores what feed.json says: 4 of 5, the date compared as written fails', { timeout: 120_000 }, async () => {
    const dir = await tempDir();
    await cp(OWN_CORPUS, path.join(dir, 'corpus', 'feedparser-tests'), { recursive: true });
    await mkdir(path.join(dir, 'tools'));
    await copyFile(SCORER, path.join(dir, 'tools', 'feedparser-expect.py'));
    const report = path.join(dir, 'report.json');
    const dump = path.join(dir, 'dump.json');
    const result = await fidelity([`--json=${report}`, `--dump=${dump}`], path.join(dir, 'corpus'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('SCORE: 4 / 5 = 80.0%');
    const scored = JSON.parse(await readFile(report, 'utf8')) as { failures: { file: string; assertion: string }[] };
    expect(scored.failures).toEqual([expect.objectContaining({ file: 'wellformed/rss/raw_date.xml', assertion: "entries[0]['published'] == 'Thu, 01 Jan 2004 19:48:21 GMT'" })]);
    const dumped = JSON.parse(await readFile(dump, 'utf8')) as { results: Record<string, { entries: { title: string; published: string }[] }> };
    expect(dumped.results['wellformed/rss/dc_only.xml']?.entries[0]?.title).toBe('Only Dublin Core');
    expect(dumped.results['wellformed/rss/raw_date.xml']?.entries[0]?.published).toBe('2004-01-01T19:48:21Z');
  });
});
