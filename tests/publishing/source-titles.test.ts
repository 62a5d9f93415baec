import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type CliResult, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { childNamed, childrenNamed, parseXml, type XmlNode } from '../helpers/xml.js';
import { rssDocument, startServer, type TestServer } from './helpers/servers.js';
import { expectValidTree } from './helpers/validate-tree.js';

/**
 * README: a source's `title` "defaults to the feed's own title / the id". A source configured
 * without one is named by its feed's <title> wherever the site names it: each item's source in
 * RSS and Atom, sources.opml and index.html alike.
 */
const OWN_TITLE = 'The Feed\'s Own Title';

let server: TestServer;
let ws: Workspace;
let run: CliResult;
beforeAll(async () => {
  server = await startServer();
  server.routes.set('/feed.xml', { body: rssDocument(OWN_TITLE, server.url, [{ title: 'First story', link: `${server.url}first`, date: '2024-05-01T08:00:00Z' }]) });
  ws = await createWorkspace({
    config: {
      site: { url: 'http://127.0.0.1:8080/', title: 'Source titles' },
      fetch: { allowPrivateNetworks: true },
      sources: [{ id: 'untitled', url: `${server.url}feed.xml` }],
      outputs: [{ id: 'all', title: 'All articles' }],
    },
    seeds: [],
  });
  run = await runCliInProcess(['run'], { cwd: ws.dir });
});
afterAll(async () => {
  await ws?.cleanup();
  await server?.close();
});

const read = (relative: string) => readFile(ws.file('feeds', relative), 'utf8');

/** The first <table> in document order: index.html's sources table. */
function findTable(node: XmlNode): XmlNode | null {
  if (node.name === 'table') return node;
  for (const child of node.children) {
    const found = findTable(child);
    if (found) return found;
  }
  return null;
}

describe('a source without a configured title', () => {
  it('runs cleanly and every generated file is valid', async () => {
    expect(run.code, run.stderr).toBe(0);
    await expectValidTree(ws.feedsDir, { all: 'All articles' });
  });

  it('index.html names it by its feed\'s own title', async () => {
    const rows = childrenNamed(findTable(parseXml(await read('index.html')))!, 'tr').slice(1);
    expect(rows.map((tr) => childNamed(childrenNamed(tr, 'td')[0]!, 'a').text)).toEqual([OWN_TITLE]);
  });

  it('RSS <source> names it by its feed\'s own title, not by its id', async () => {
    const item = childNamed(childNamed(parseXml(await read('all/rss.xml')), 'channel'), 'item');
    expect(childNamed(item, 'source').text).toBe(OWN_TITLE);
  });

  it('Atom <source><title> names it by its feed\'s own title, not by its id', async () => {
    const entry = childNamed(parseXml(await read('all/atom.xml')), 'entry');
    expect(childNamed(childNamed(entry, 'source'), 'title').text).toBe(OWN_TITLE);
  });

  it('sources.opml names it by its feed\'s own title, not by its id', async () => {
    const outline = childrenNamed(childNamed(parseXml(await read('sources.opml')), 'body'), 'outline')[0]!;
    expect({ text: outline.attributes.text, title: outline.attributes.title }).toEqual({ text: OWN_TITLE, title: OWN_TITLE });
  });
});
