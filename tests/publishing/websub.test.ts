import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkspace, FIXTURE_SEEDS, LOG_ERROR, type CliResult, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { FILE_OF, linkHref, readFeedDoc } from './helpers/feed-docs.js';
import { closedPortUrl, startFakeHub, type RecordedRequest, type TestServer } from './helpers/servers.js';
import { expectValidTree } from './helpers/validate-tree.js';

const SITE_URL = 'http://127.0.0.1:8080/';
const LOG_WARN = 40;
const FORMATS = ['rss', 'atom', 'json'] as const;

/** Two outputs over two seed folders, so a change to one folder changes one output only. */
function websubConfig(hub: string) {
  return {
    site: { url: SITE_URL, title: 'WebSub tests', websub: { hub } },
    fetch: { allowPrivateNetworks: true },
    sources: [
      { id: 'seeds', title: 'Seed articles', seeds: 'seeds' },
      { id: 'extra', title: 'Extra seeds', seeds: 'extra-seeds' },
    ],
    outputs: [
      { id: 'main', title: 'Main', sources: ['seeds'] },
      { id: 'extra', title: 'Extra', sources: ['extra'] },
    ],
  };
}
const TITLES = { main: 'Main', extra: 'Extra' };

const feedUrls = (outputId: string) => FORMATS.map((f) => `${SITE_URL}${outputId}/${FILE_OF[f]}`);

function form(request: RecordedRequest): { mode: string[]; urls: string[] } {
  const params = new URLSearchParams(request.body);
  return { mode: params.getAll('hub.mode'), urls: params.getAll('hub.url') };
}

let ws: Workspace | undefined;
let hub: TestServer | undefined;
afterEach(async () => {
  await ws?.cleanup();
  await hub?.close();
  ws = undefined;
  hub = undefined;
});

async function project(hubUrl: string): Promise<Workspace> {
  ws = await createWorkspace({ config: websubConfig(hubUrl), seeds: ['000_d7ec912073c84491.txt'] });
  await mkdir(ws.file('extra-seeds'));
  await copyFile(path.join(FIXTURE_SEEDS, 'no-footer.txt'), ws.file('extra-seeds', 'no-footer.txt'));
  return ws;
}

const run = (w: Workspace) => runCliInProcess(['run'], { cwd: w.dir });

function hubWarnings(result: CliResult) {
  return result.logs.filter((l) => l.level === LOG_WARN && /WebSub/.test(l.msg));
}

describe('WebSub', () => {
  it('after the first run the hub gets one form-encoded publish ping naming every changed feed', async () => {
    hub = await startFakeHub();
    const w = await project(hub.url);
    const result = await run(w);
    expect(result.code, result.stderr).toBe(0);
    expect(hub.requests).toHaveLength(1);
    const [ping] = hub.requests;
    expect(ping!.method).toBe('POST');
    expect(ping!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const { mode, urls } = form(ping!);
    expect(mode).toEqual(['publish']);
    expect([...urls].sort()).toEqual([...feedUrls('main'), ...feedUrls('extra')].sort());
    expect(result.logs.filter((l) => l.level >= LOG_WARN)).toEqual([]);
    await expectValidTree(w.feedsDir, TITLES);
  });

  it('no ping when a run changes no feed; a later change pings for the changed output only', async () => {
    hub = await startFakeHub();
    const w = await project(hub.url);
    expect((await run(w)).code).toBe(0);
    expect(hub.requests).toHaveLength(1);

    const quiet = await run(w);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(hub.requests).toHaveLength(1);

    await copyFile(path.join(FIXTURE_SEEDS, 'multiple-dates.txt'), w.file('extra-seeds', 'multiple-dates.txt'));
    expect((await run(w)).code).toBe(0);
    expect(hub.requests).toHaveLength(2);
    const second = form(hub.requests[1]!);
    expect({ mode: second.mode, urls: [...second.urls].sort() }).toEqual({ mode: ['publish'], urls: [...feedUrls('extra')].sort() });
  });

  it('feeds name the hub and themselves: Atom link rel="hub" + rel="self", RSS atom:link rel="hub" + rel="self", JSON Feed hubs', async () => {
    hub = await startFakeHub();
    const w = await project(hub.url);
    expect((await run(w)).code).toBe(0);
    for (const outputId of ['main', 'extra']) {
      for (const format of ['rss', 'atom'] as const) {
        const doc = await readFeedDoc(path.join(w.feedsDir, outputId, FILE_OF[format]), format);
        expect({ hubs: doc.hubs, self: linkHref(doc, 'self') }, `${outputId} ${format}`).toEqual({ hubs: [hub.url], self: `${SITE_URL}${outputId}/${FILE_OF[format]}` });
      }
      const json = await readFeedDoc(path.join(w.feedsDir, outputId, 'feed.json'), 'json');
      expect({ hubs: json.hubs, self: linkHref(json, 'self') }, `${outputId} json`).toEqual({ hubs: [hub.url], self: `${SITE_URL}${outputId}/feed.json` });
      const raw = JSON.parse(await readFile(path.join(w.feedsDir, outputId, 'feed.json'), 'utf8')) as { hubs: unknown };
      expect(raw.hubs).toEqual([{ type: 'WebSub', url: hub.url }]);
    }
  });

  it('a hub answering 500 is logged as a warning; the run still exits 0', async () => {
    hub = await startFakeHub(500);
    const w = await project(hub.url);
    const result = await run(w);
    expect(result.code, result.stderr).toBe(0);
    expect(hub.requests).toHaveLength(1);
    expect(hubWarnings(result)).toHaveLength(1);
    expect(hubWarnings(result)[0]).toMatchObject({ hub: hub.url, status: 500 });
    expect(result.logs.filter((l) => l.level >= LOG_ERROR)).toEqual([]);
    await expectValidTree(w.feedsDir, TITLES);
  });

  it('a hub on a closed port is logged as a warning; the run still exits 0', async () => {
    const closed = await closedPortUrl();
    const w = await project(closed);
    const result = await run(w);
    expect(result.code, result.stderr).toBe(0);
    expect(hubWarnings(result)).toHaveLength(1);
    expect(hubWarnings(result)[0]).toMatchObject({ hub: closed, status: null });
    expect(result.logs.filter((l) => l.level >= LOG_ERROR)).toEqual([]);
  });
});
