/**
 * What a config mistake looks like to the operator: each line names the key path, the value found
 * there and what was expected, in the config's words (never zod's), and contradictory options are
 * refused before anything runs.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { type Workspace } from '../helpers/workspace.js';
import { opsConfig } from './helpers/configs.js';
import { opsScope } from './helpers/ops-scope.js';
import { storeExists } from '../helpers/test-store.js';

const scope = opsScope();

const check = (ws: Workspace) => runCliInProcess(['check', '--config', ws.configPath], { cwd: ws.dir });

/** The problem lines of a config error (indented under the "N problems" line, or the one line). */
function problemLines(stderr: string): string[] {
  const lines = stderr.trimEnd().split('\n');
  if (lines.length === 1) return [lines[0]!.replace(/^feedmirror: config: [^:]+: /, '')];
  return lines.slice(1).map((line) => line.trim());
}

async function problemsOf(change: (config: Record<string, any>) => void): Promise<string[]> {
  const config = opsConfig() as Record<string, any>;
  change(config);
  const ws = await scope.workspace({ config });
  const result = await check(ws);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain(ws.configPath);
  return problemLines(result.stderr);
}

/** zod's own phrases, which speak of its types rather than of the config. */
const ZOD_WORDING = /Too small|Too big|Invalid input|Invalid option|Invalid string|Unrecognized key|expected (array|string|number|int|boolean) |received |to have >=|>=\d|<=\d|Required/;

describe('config errors: the value found, what was expected', () => {
  it('a value quoted back never shows a password: user:***@ in URLs with or without a scheme, password=*** in a query', async () => {
    const lines = await problemsOf((c) => {
      c.database = 'mysql://feeds:db-s3cret@127.0.0.1/feeds?password=q-s3cret';
      c.fetch = { ...c.fetch, proxy: 'user:px-s3cret@127.0.0.1:3128' };
    });
    const text = lines.join('\n');
    expect(text).toContain('database: "mysql://feeds:***@127.0.0.1/feeds?password=***"');
    expect(text).not.toMatch(/s3cret/);
  });

  it('a bad URL is quoted as written: sources[1].url: "htp://x": an absolute http(s) URL', async () => {
    const lines = await problemsOf((c) => c.sources.push({ id: 'news', url: 'htp://x' }));
    expect(lines).toEqual(['sources[1].url: "htp://x": an absolute http(s) URL of a feed']);
  });

  const CASES: { name: string; change: (c: Record<string, any>) => void; line: string }[] = [
    { name: 'a number below its minimum', change: (c) => (c.fetch.concurrency = 0), line: 'fetch.concurrency: 0: a number of at least 1' },
    { name: 'a number where a whole one is needed', change: (c) => (c.outputs[0].limit = 2.5), line: 'outputs[0].limit: 2.5: a whole number' },
    { name: 'a text where a number is needed', change: (c) => (c.fetch.maxRedirects = '3'), line: 'fetch.maxRedirects: "3": a number' },
    { name: 'a text where true or false is needed', change: (c) => (c.fetch.allowPrivateNetworks = 'yes'), line: 'fetch.allowPrivateNetworks: "yes": true or false' },
    { name: 'an empty list of sources', change: (c) => (c.outputs[0].sources = []), line: 'outputs[0].sources: []: at least one entry (an empty list is not allowed)' },
    { name: 'an empty title', change: (c) => (c.outputs[0].title = ''), line: 'outputs[0].title: "": a text that is not empty' },
    { name: 'a format that is none', change: (c) => (c.outputs[0].formats = ['rss', 'xml']), line: 'outputs[0].formats[1]: "xml": one of "rss", "atom", "json"' },
    { name: 'an archive that is neither false nor a page size', change: (c) => (c.outputs[0].archive = true), line: 'outputs[0].archive: true: false, or { "pageSize": a whole number from 1 to 10000 }' },
    { name: 'an interval that is no duration', change: (c) => c.sources.push({ id: 'news', url: 'https://example.com/rss', interval: 'hourly' }), line: 'sources[1].interval: "hourly": a duration such as "30m", "6h" or "1d", or a whole number of seconds' },
    { name: 'a publish debounce that is no duration', change: (c) => (c.cluster = { publishDebounce: 'soon' }), line: 'cluster.publishDebounce: "soon": a duration such as "30m", "6h" or "1d", or a whole number of seconds' },
    { name: 'an unknown key in cluster', change: (c) => (c.cluster = { publishDebounse: '5s' }), line: 'cluster: unknown key "publishDebounse" (expected one of: workerId, lease, claimBatch, maxAttempts, publishDebounce, chores)' },
    { name: 'a list where a text is needed', change: (c) => (c.site.title = ['a', 'b']), line: 'site.title: ["a","b"]: a text (in quotes)' },
    { name: 'a missing required key', change: (c) => delete c.site.url, line: 'site.url: missing: an absolute http(s) URL where the output folder is served' },
    { name: 'a chore schedule that is no cron expression', change: (c) => (c.cluster = { chores: { site: 'every minute' } }), line: 'cluster.chores.site: "every minute": a cron expression (expression: expected 5 or 6 fields but got 2)' },
    { name: 'an unknown chore', change: (c) => (c.cluster = { chores: { backup: '0 * * * *' } }), line: 'cluster.chores: unknown key "backup" (expected one of: site, housekeeping)' },
    { name: 'an unknown key', change: (c) => (c.outputs[0].lmit = 5), line: 'outputs[0]: unknown key "lmit" (expected one of: id, title, description, language, icon, logo, author, copyright, filter, archive, sources, limit, formats, variants, media)' },
  ];
  for (const { name, change, line } of CASES) {
    it(`${name}: ${line}`, async () => {
      const lines = await problemsOf(change);
      expect(lines).toEqual([line]);
    });
  }

  it('a long value is cut short in the message, and control characters in it are escaped', async () => {
    const [line] = await problemsOf((c) => c.sources.push({ id: 'news', url: `htp://${'x'.repeat(200)}\n\u001b[31m` }));
    expect(line).toMatch(/^sources\[1\]\.url: "htp:\/\/x{60,}…: an absolute http\(s\) URL of a feed$/);
    expect(line!.length).toBeLessThan(160);
  });

  it('no line carries zod\'s own wording, whatever the mistake', async () => {
    const lines = await problemsOf((c) => {
      c.fetch = { concurrency: 0, maxRedirects: 99, totalTimeoutMs: 'long', userAgent: '' };
      c.limits = { maxItemsPerSource: 0 };
      c.site.mirrors = 'https://mirror.example.org/';
      c.outputs[0] = { ...c.outputs[0], sources: [], formats: [], limit: 0, archive: { pageSize: 0 }, filter: { fields: [], include: [''] }, variants: [{ id: 'onion', kind: 'Tor Network' }] };
      c.sources.push({ id: 'x', url: 5, mirrors: [''], tags: 'news' });
    });
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).not.toMatch(ZOD_WORDING);
  });
});

describe('config errors: sources', () => {
  it('a source with both "seeds" and "url" says "exactly one of", once, at the source', async () => {
    const lines = await problemsOf((c) => c.sources.push({ id: 'both', seeds: 'seeds', url: 'https://example.com/rss' }));
    expect(lines).toEqual(['sources[1]: {"id":"both","seeds":"seeds","url":"https://example.com/rss"}: exactly one of "seeds" (a folder) or "url" (a feed URL), not both']);
  });

  it('the ids an unknown output source could have meant leave out ids that are themselves invalid', async () => {
    const lines = await problemsOf((c) => {
      c.sources.push({ id: 'bad id', url: 'https://example.com/a' }, { id: '-dash', url: 'https://example.com/b', tags: ['world'] }, { id: 'news', url: 'https://example.com/c', tags: ['daily'] });
      c.outputs[0].sources = ['nwes'];
    });
    expect(lines).toContain('outputs[0].sources[0]: "nwes" is not a source id or tag (known: seeds, news, daily; or "*")');
    expect(lines.filter((l) => l.startsWith('sources['))).toEqual([
      'sources[1].id: "bad id": an id of letters, digits, "-" or "_" (at most 64, starting with a letter or digit)',
      'sources[2].id: "-dash": an id of letters, digits, "-" or "_" (at most 64, starting with a letter or digit)',
    ]);
  });
});

describe('run: contradictory options', () => {
  for (const order of [['--wait', '--fail-if-locked'], ['--fail-if-locked', '--wait']]) {
    it(`run ${order.join(' ')} is refused: exit 1, both named, nothing done`, async () => {
      const ws = await scope.workspace({ config: opsConfig() });
      const result = await runCliInProcess(['run', ...order, '--config', ws.configPath], { cwd: ws.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/'--wait' cannot be used with option '--fail-if-locked'|'--fail-if-locked' cannot be used with option '--wait'/);
      expect(existsSync(ws.feedsDir)).toBe(false);
      expect(await storeExists(ws.databasePath)).toBe(false);
    });
  }
});
