/**
 * Item counts (issue 15, point 6): 10 MB bodies holding millions of empty or invalid items, or
 * millions of elements or JSON objects inside one item. Each case runs the real CLI under GNU time
 * and checks that peak memory stays under the bound, that only the first limits.maxItemsPerSource
 * items are read (the rest are cut before any tree or object is built), that stderr stays a few
 * lines (one aggregated line per source, never one per item), and that what was left out is
 * visible in `feedmirror status` (run in the test's process) and counted in the run summary.
 */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import type { LogRecord } from '../helpers/workspace.js';
import { feed } from '../remote/helpers/fixture-server.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectBoundedMemory, expectExit } from './helpers/expectations.js';
import { runFeedmirror, useChildCleanup, type ChildResult } from './helpers/processes.js';

const scope = testScope();
useChildCleanup();

const SLOW = { timeout: 180_000 };
/** fetch.maxBodyBytes default: every body here is just under it. */
const BODY_BYTES = 10_000_000;
const MAX_ITEMS = 500; // limits.maxItemsPerSource default

/** `head` + as many `unit`s as fit in 10 MB with `tail` + `tail`; and how many units that is. */
function fill(head: string, unit: string, tail: string): { body: string; units: number } {
  const units = Math.floor((BODY_BYTES - 1_000 - head.length - tail.length) / unit.length);
  return { body: head + unit.repeat(units) + tail, units };
}

const RSS_HEAD = '<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title><link>http://many.example/</link><description>d</description>';
const RDF_HEAD =
  '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">' +
  '<channel rdf:about="http://many.example/"><title>Many</title><link>http://many.example/</link><description>d</description></channel>';
const ATOM_HEAD = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Many</title><id>urn:many</id><updated>2025-01-01T00:00:00Z</updated>';
const JSON_HEAD = '{"version":"https://jsonfeed.org/version/1.1","title":"Many","items":[';

const rssItem = (name: string) => `<item><title>${name}</title><link>http://many.example/${name.replace(/ /g, '-')}</link></item>`;
const atomEntry = (name: string) => `<entry><title>${name}</title><id>urn:${name.replace(/ /g, '-')}</id><link href="http://many.example/${name.replace(/ /g, '-')}"/><updated>2025-01-01T00:00:00Z</updated></entry>`;
const jsonItem = (name: string) => JSON.stringify({ id: name, url: `http://many.example/${name.replace(/ /g, '-')}`, title: name, content_text: name });

interface CountCase {
  name: string;
  body: () => { body: string; units: number };
  contentType: string;
  /** Titles stored from the source. */
  stored: string[];
  /** The items cut unread, from the number of units the body holds. */
  overLimit?: (units: number) => number;
  invalid?: number;
  /** What lastWarning (status) and the log line must say. */
  says: RegExp;
}

const CASES: CountCase[] = [
  {
    name: 'a JSON Feed of 3.3 million empty items',
    body: () => fill(JSON_HEAD, '{},', '{}]}'),
    contentType: 'application/feed+json',
    stored: ['Untitled'],
    overLimit: (units) => units + 1 - MAX_ITEMS,
    says: /^\d+ items after the first 500 \(limits\.maxItemsPerSource\) not read$/,
  },
  {
    name: 'a JSON Feed of 5 million invalid items',
    body: () => fill(JSON_HEAD, '1,', '1]}'),
    contentType: 'application/feed+json',
    stored: [],
    overLimit: (units) => units + 1 - MAX_ITEMS,
    invalid: MAX_ITEMS,
    says: /^\d+ items after the first 500 .* not read; 500 invalid items skipped \(items\[0\]: .*expected object, received number; items\[1\]: .*; items\[2\]: .*; 497 more\)$/,
  },
  {
    name: 'a JSON Feed of 3.3 million empty items between a valid first and a valid last one',
    body: () => fill(`${JSON_HEAD}${jsonItem('first valid')},`, '{},', `${jsonItem('last valid')}]}`),
    contentType: 'application/feed+json',
    stored: ['Untitled', 'first valid'],
    overLimit: (units) => units + 2 - MAX_ITEMS,
    says: /items after the first 500/,
  },
  {
    name: 'RSS with 1.4 million <item/> between a valid first and a valid last item',
    body: () => fill(RSS_HEAD + rssItem('first valid'), '<item/>', `${rssItem('last valid')}</channel></rss>`),
    contentType: 'application/rss+xml',
    stored: ['Untitled', 'first valid'],
    overLimit: (units) => units + 2 - MAX_ITEMS,
    says: /items after the first 500/,
  },
  {
    name: 'Atom with 1.25 million <entry/> after a valid one',
    body: () => fill(ATOM_HEAD + atomEntry('first valid'), '<entry/>', '</feed>'),
    contentType: 'application/atom+xml',
    stored: ['Untitled', 'first valid'],
    overLimit: (units) => units + 1 - MAX_ITEMS,
    says: /items after the first 500/,
  },
  {
    name: 'RDF with 1.4 million <item/> (siblings of the channel) after a valid one',
    body: () => fill(RDF_HEAD + rssItem('first valid'), '<item/>', '</rdf:RDF>'),
    contentType: 'application/rdf+xml',
    stored: ['Untitled', 'first valid'],
    overLimit: (units) => units + 1 - MAX_ITEMS,
    says: /items after the first 500/,
  },
  {
    name: 'one RSS item with 900,000 <category/>',
    body: () => fill(`${RSS_HEAD}<item><title>first valid</title><link>http://many.example/first-valid</link>`, '<category/>', '</item></channel></rss>'),
    contentType: 'application/rss+xml',
    stored: ['first valid'],
    says: /^XML elements past the budget of 200000 elements and attributes \(1000 on one element\) dropped unread: \d+$/,
  },
  {
    name: 'one JSON Feed item with 3.3 million {} in an extension',
    body: () => fill(`${JSON_HEAD}{"id":"first valid","title":"first valid","content_text":"x","_ext":[`, '{},', '{}]}]}'),
    contentType: 'application/feed+json',
    stored: ['first valid'],
    says: /^JSON objects and arrays past the budget of 100000 dropped unread: \d+$/,
  },
  {
    name: 'one JSON Feed item nested 4.9 million arrays deep',
    body: () => {
      const depth = 4_900_000;
      return { body: `${JSON_HEAD}{"id":"first valid","title":"first valid","content_text":"x","_ext":${'['.repeat(depth)}${']'.repeat(depth)}}]}`, units: depth };
    },
    contentType: 'application/feed+json',
    stored: ['first valid'],
    says: /^JSON objects and arrays past the budget of 100000 dropped unread: \d+$/,
  },
  {
    name: 'one JSON Feed item with 5 million numeric tags',
    body: () => fill(`${JSON_HEAD}{"id":"first","title":"first","tags":[`, '1,', '1]}]}'),
    contentType: 'application/feed+json',
    stored: [],
    invalid: 1,
    says: /^1 invalid item skipped \(items\[0\]: tags\.0: .*expected string.*; tags\.1: .*; tags\.2: .* \(and 97 more\)\)$/,
  },
];

async function runCase(c: CountCase): Promise<{ result: ChildResult; units: number; h: Awaited<ReturnType<typeof scope.harness>> }> {
  const { body, units } = c.body();
  expect(Buffer.byteLength(body)).toBeLessThan(BODY_BYTES);
  const server = await scope.server();
  server.on('/many', feed(body, c.contentType));
  const h = await scope.harness({ sources: [{ id: 'many', url: server.url('/many') }] });
  const result = await runFeedmirror(['run', '--config', h.configPath, '--log-format', 'json'], { cwd: h.dir });
  return { result, units, h };
}

/**
 * Lines every run writes whatever the feed held: a fleet worker's queue sync and its publish line
 * per output (PostgreSQL), the periodic progress line of a run slower than a few seconds.
 */
const RUN_BOOKKEEPING = new Set(['sources-synced', 'publish', 'progress']);

/** The lines this feed made the run write. */
function feedLines(logs: LogRecord[]): LogRecord[] {
  return logs.filter((record) => !RUN_BOOKKEEPING.has(String(record.event)));
}

function skippedLines(logs: LogRecord[]): LogRecord[] {
  return logs.filter((record) => record.code === 'FM_ITEMS_SKIPPED');
}

describe('[slow] millions of items in a 10 MB body', () => {
  for (const c of CASES) {
    it(`[slow] ${c.name}: memory bounded, one aggregated line, the first 500 read, shown in status`, SLOW, async () => {
      const { result, units, h } = await runCase(c);

      expectExit(result, 0);
      expectBoundedMemory(result);
      // stderr stays a few lines: the aggregated line and the run summary
      expect(result.stderr.length, result.stderr.slice(0, 2000)).toBeLessThan(4_000);
      expect(feedLines(result.logs).length, result.stderr).toBeLessThanOrEqual(3);
      const [line, ...others] = skippedLines(result.logs);
      expect(others).toEqual([]);
      expect(line?.msg).toMatch(/^feed http:\/\/127\.0\.0\.1:\d+\/many: /);
      expect(line?.msg.replace(/^feed \S+: /, '')).toMatch(c.says);
      expect(line).toMatchObject({ source: 'many', overLimit: c.overLimit?.(units) ?? 0, invalid: c.invalid ?? 0 });
      expect(result.logs.find((record) => record.event === 'run')).toMatchObject({ problems: 1, failed: 0 });

      expect((await h.articles()).map((a) => a.title).sort()).toEqual(c.stored);
      // status reads what the run stored: in this process (the run itself is the measured child)
      const status = await runCliInProcess(['status', '--json', '--config', h.configPath], { cwd: h.dir });
      expect(status.code, status.stderr).toBe(0);
      const [row] = JSON.parse(status.stdout) as { lastWarning: string | null; lastError: string | null }[];
      expect(row).toMatchObject({ lastError: null });
      expect(row?.lastWarning).toMatch(c.says);
    });
  }

  it('[slow] a million unclosed <b> (nested a million deep): a recorded FM_PARSE error, memory bounded', SLOW, async () => {
    const { result, h } = await runCase({
      name: 'deep',
      body: () => fill(`${RSS_HEAD}<item><title>deep</title><description>`, '<b>', '</description></item></channel></rss>'),
      contentType: 'application/rss+xml',
      stored: [],
      says: /./,
    });
    expectExit(result, 0);
    expectBoundedMemory(result);
    expect(await h.state('many')).toMatchObject({ lastErrorCode: 'FM_PARSE', lastError: 'unable to parse feed: elements nested more than 1000 deep' });
    expect(feedLines(result.logs).length, result.stderr).toBeLessThanOrEqual(3);
  });
});
