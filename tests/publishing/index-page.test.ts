import { access, readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmllint } from '../helpers/validators.js';
import { createWorkspace, listFiles, runCli, SAMPLE_SEED, type CliResult, type Workspace } from '../helpers/workspace.js';
import { childNamed, parseXml, type XmlNode } from '../helpers/xml.js';
import { FILE_OF, readFeedDoc } from './helpers/feed-docs.js';
import { rssDocument, startServer, type TestServer } from './helpers/servers.js';
import { checkHtml, expectValidTree } from './helpers/validate-tree.js';

/**
 * index.html after a real run: seeds, a healthy remote feed, a failing one (HTTP 500), an output
 * with a variant and one with a subset of formats.
 */
const OUTPUTS = [
  { id: 'all', title: 'Everything', description: 'All sources together', sources: ['*'], variants: [{ id: 'onion', kind: 'tor' }] },
  { id: 'remote', title: 'Remote only', sources: ['good', 'broken'], formats: ['atom', 'json'] },
] as const;
const TITLES = { all: 'Everything', remote: 'Remote only' };
const LABEL = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' } as const;

let server: TestServer;
let ws: Workspace;
let first: CliResult;
let firstIndex: Buffer;
let index: XmlNode;

beforeAll(async () => {
  server = await startServer();
  server.routes.set('/good.xml', {
    body: rssDocument('Good Feed', server.url, [
      { title: 'Good news one', link: `${server.url}one`, date: '2024-05-02T08:00:00Z' },
      { title: 'Good news two', link: `${server.url}two`, date: '2024-05-01T08:00:00Z' },
    ]),
  });
  server.routes.set('/broken.xml', { status: 500, type: 'text/plain', body: 'internal error' });
  ws = await createWorkspace({
    config: {
      site: { url: 'http://127.0.0.1:8080/', title: 'Index tests', description: 'A site for the index page tests', language: 'en' },
      fetch: { allowPrivateNetworks: true },
      sources: [
        { id: 'seeds', title: 'Seed articles', seeds: 'seeds' },
        { id: 'good', title: 'Good Feed', url: `${server.url}good.xml` },
        { id: 'broken', title: 'Broken Feed', url: `${server.url}broken.xml` },
      ],
      outputs: OUTPUTS,
    },
    seeds: [SAMPLE_SEED, 'no-footer.txt', 'multiple-dates.txt'],
  });
  first = await runCli(['run'], { cwd: ws.dir });
  firstIndex = await readFile(ws.file('feeds', 'index.html'));
  index = parseXml(firstIndex.toString('utf8'));
});
afterAll(async () => {
  await ws?.cleanup();
  await server?.close();
});

function findAll(node: XmlNode, test: (n: XmlNode) => boolean): XmlNode[] {
  return [...(test(node) ? [node] : []), ...node.children.flatMap((c) => findAll(c, test))];
}

function textOf(node: XmlNode): string {
  return `${node.text}${node.children.map(textOf).join('')}`;
}

/** The block of one output: the div.feed whose heading is its title. */
function outputBlock(title: string): XmlNode {
  const block = findAll(index, (n) => n.name === 'div' && n.attributes.class === 'feed').find((d) => d.children.some((c) => c.name === 'h3' && textOf(c) === title));
  if (!block) throw new Error(`no block for output "${title}"`);
  return block;
}

const hrefs = (node: XmlNode) => findAll(node, (n) => n.name === 'a').map((a) => ({ href: a.attributes.href!, text: textOf(a) }));

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

describe('index.html', () => {
  it('the run succeeds although one source fails', () => {
    expect(first.code, first.stderr).toBe(0);
  });

  it('is well-formed XML (xmllint) and parses as HTML without errors (xmllint --html)', async () => {
    const file = ws.file('feeds', 'index.html');
    expect(await xmllint(file)).toMatchObject({ ok: true, code: 0, stderr: '' });
    expect(await checkHtml(file)).toEqual({ code: 0, errors: [] });
    expect(firstIndex.toString('utf8')).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
  });

  it('is readable on a phone: a viewport meta and a UTF-8 charset', () => {
    const metas = findAll(index, (n) => n.name === 'meta').map((m) => m.attributes);
    expect(metas).toContainEqual({ name: 'viewport', content: 'width=device-width, initial-scale=1' });
    expect(metas).toContainEqual({ charset: 'utf-8' });
  });

  for (const output of OUTPUTS) {
    const formats = 'formats' in output ? output.formats : (['rss', 'atom', 'json'] as const);
    it(`lists "${output.title}" with a subscribe link per format (${formats.join(', ')}) and its web page, each to an existing file`, async () => {
      const links = hrefs(outputBlock(output.title)).filter((l) => !l.href.includes('/onion/'));
      const page = { href: `${output.id}/`, text: 'web page' };
      // the title links the output's page too
      expect(links).toEqual([{ href: `${output.id}/`, text: output.title }, ...formats.map((f) => ({ href: `${output.id}/${FILE_OF[f]}`, text: LABEL[f] })), page]);
      for (const link of links) expect(await exists(ws.file('feeds', link.href.endsWith('/') ? `${link.href}index.html` : link.href)), link.href).toBe(true);
      // and <link rel="alternate"> in the head, for browsers and readers that discover feeds
      const alternates = findAll(index, (n) => n.name === 'link' && n.attributes.rel === 'alternate').map((l) => l.attributes.href);
      for (const f of formats) expect(alternates).toContain(`${output.id}/${FILE_OF[f]}`);
    });

    it(`shows the item count and the newest item's date of "${output.title}" as in its feed`, async () => {
      // every output here has atom.xml: its entries and <updated> are the truth
      const doc = await readFeedDoc(ws.file('feeds', output.id, 'atom.xml'), 'atom');
      const updated = childNamed(parseXml(await readFile(ws.file('feeds', output.id, 'atom.xml'), 'utf8')), 'updated').text;
      const meta = textOf(outputBlock(output.title).children.find((c) => c.attributes.class === 'meta')!);
      // "newest item", not "updated": a feed whose sources are quiet is not stale for it
      expect(meta).toMatch(new RegExp(`^${doc.items.length} items · newest item `));
      const time = findAll(outputBlock(output.title), (n) => n.name === 'time')[0]!;
      expect(new Date(time.attributes.datetime!).toISOString()).toBe(new Date(updated).toISOString());
      const date = new Date(updated);
      const month = date.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
      expect(textOf(time)).toBe(`${date.getUTCDate()} ${month} ${date.getUTCFullYear()}, ${updated.slice(11, 16)} UTC`);
    });
  }

  it('links each variant of an output in every format, to existing files', async () => {
    const links = hrefs(outputBlock('Everything')).filter((l) => l.href.includes('/onion/'));
    expect(links.map((l) => l.href)).toEqual(['all/onion/rss.xml', 'all/onion/atom.xml', 'all/onion/feed.json', 'all/onion/']);
    expect(await exists(ws.file('feeds', 'all/onion/index.html'))).toBe(true);
    for (const link of links) expect(await exists(ws.file('feeds', link.href)), link.href).toBe(true);
    expect(textOf(outputBlock('Everything'))).toContain('tor');
  });

  it('shows each source\'s health and the day it was checked: a failing source says failing, a healthy one OK', () => {
    const rows = findAll(index, (n) => n.name === 'tr').map((tr) => tr.children.map(textOf));
    expect(rows[0]).toEqual(['Source', 'Items', 'Checked', 'Health']);
    const byName = new Map(rows.map((cells) => [cells[0], cells]));
    const human = (d: Date) => `${d.getUTCDate()} ${d.toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${d.getUTCFullYear()}`;
    // a run that crosses midnight UTC may date the fetch the day before the test looks
    const days = [human(new Date()), human(new Date(Date.now() - 86_400_000))];
    expect(byName.get('Broken Feed')?.[3]).toMatch(/^failing \(1 in a row\): .*500/);
    expect(days).toContain(byName.get('Broken Feed')?.[2]);
    expect(byName.get('Good Feed')?.[1]).toBe('2');
    expect(days).toContain(byName.get('Good Feed')?.[2]);
    expect(byName.get('Good Feed')?.[3]).toBe('OK');
    // what a run does with a seeds folder, as the README says: listed every run, read again when a file changed
    expect(byName.get('Seed articles')?.slice(1)).toEqual(['3', 'every run', 'OK: files read again when one is added, changed or removed']);
    const lastRun = findAll(index, (n) => n.name === 'p' && n.text.startsWith('Last run: '));
    expect(lastRun).toHaveLength(1);
    const time = lastRun[0]!.children.find((c) => c.name === 'time')!;
    expect(days).toContain(textOf(time));
    expect(time.attributes.datetime).toMatch(/^\d{4}-\d\d-\d\d$/);
    const bad = findAll(index, (n) => n.attributes.class === 'bad').map(textOf);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain('failing');
  });

  it('links every article page, and every article link leads to a page', async () => {
    const pages = (await listFiles(ws.feedsDir)).filter((f) => f.startsWith('articles/'));
    expect(pages).toHaveLength(3);
    const articleLinks = hrefs(index).filter((l) => l.href.startsWith('articles/')).map((l) => l.href);
    expect([...articleLinks].sort()).toEqual(pages);
  });

  it('links sources.opml and mirrors.json, which exist', async () => {
    const links = hrefs(index).map((l) => l.href);
    for (const file of ['sources.opml', 'mirrors.json']) {
      expect(links).toContain(file);
      expect(await exists(ws.file('feeds', file)), file).toBe(true);
    }
  });

  it('every generated file of the run is valid', async () => {
    await expectValidTree(ws.feedsDir, TITLES);
  });

  it('is byte-identical and not rewritten on a second run', async () => {
    const file = ws.file('feeds', 'index.html');
    const before = (await stat(file)).mtimeMs;
    const second = await runCli(['run'], { cwd: ws.dir });
    expect(second.code, second.stderr).toBe(0);
    expect(await readFile(file)).toEqual(firstIndex);
    expect((await stat(file)).mtimeMs).toBe(before);
  });
});
