import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { xmllint } from '../helpers/validators.js';
import { createWorkspace, writeConfig, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { childNamed, childrenNamed, parseXml } from '../helpers/xml.js';
import { rssDocument, startServer, type TestServer } from './helpers/servers.js';
import { expectValidTree } from './helpers/validate-tree.js';

interface SourceFields {
  id: string;
  url: string;
  title?: string;
  tags?: string[];
  mirrors?: string[];
}

/**
 * Remote sources whose ids are not the slug of their titles, as people name them. Each on its own
 * host: mirrors belong to a host, so sources sharing one would share its mirrors.
 */
function remoteSources(bases: [string, string, string] = ['https://www.voanews.example/', 'https://www.rferl.example/', 'https://notes.example.org/']): SourceFields[] {
  return [
    { id: 'voa', url: `${bases[0]}voa/rss.xml`, title: 'Voice of America', tags: ['news', 'world'], mirrors: ['voa-mirror.example.net'] },
    { id: 'rferl', url: `${bases[1]}rferl/feed`, title: 'Radio Free Europe', tags: ['news'] },
    { id: 'notes', url: `${bases[2]}notes/atom.xml`, title: 'Field notes', tags: [] },
  ];
}

function projectConfig(sources: SourceFields[], site = 'http://127.0.0.1:8080/') {
  return {
    site: { url: site, title: 'OPML tests' },
    fetch: { allowPrivateNetworks: true },
    sources: [{ id: 'seeds', title: 'Seed articles', seeds: 'seeds' }, ...sources],
    outputs: [{ id: 'all', title: 'All articles', sources: ['*'], limit: 20 }],
  };
}

const EMPTY_CONFIG = { site: { url: 'http://127.0.0.1:8080/', title: 'Empty' }, sources: [], outputs: [{ id: 'all', title: 'All articles' }] };

async function readSources(ws: Workspace): Promise<SourceFields[]> {
  return (JSON.parse(await readFile(ws.configPath, 'utf8')) as { sources: SourceFields[] }).sources;
}

/** The fields a round trip must keep; absent title/tags read as the config's defaults. */
function essentials(sources: SourceFields[]) {
  return sources.map((s) => ({ id: s.id, url: s.url, title: s.title ?? null, tags: s.tags ?? [] }));
}

const hostOf = (mirror: string) => new URL(/^[a-z]+:\/\//i.test(mirror) ? mirror : `https://${mirror}/`).hostname;

describe('sources.opml in the output folder', () => {
  let servers: TestServer[] = [];
  let sources: SourceFields[];
  let ws: Workspace;
  beforeAll(async () => {
    // one server per source: a host of its own each (the port is part of the host)
    servers = await Promise.all([startServer(), startServer(), startServer()]);
    sources = remoteSources([servers[0]!.url, servers[1]!.url, servers[2]!.url]);
    sources.forEach((source, i) => {
      const base = servers[i]!.url;
      const body = rssDocument(source.title!, base, [{ title: `${source.title} story`, link: `${base}${source.id}/story`, date: '2024-05-01T10:00:00Z' }]);
      servers[i]!.routes.set(new URL(source.url).pathname, { body });
    });
    ws = await createWorkspace({ config: projectConfig(sources) });
  });
  afterAll(async () => {
    await ws?.cleanup();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('lists one outline per remote source (xmlUrl, title, tags, mirrors) and no seed folder; every file of the run is valid', async () => {
    const run = await runCliInProcess(['run'], { cwd: ws.dir });
    expect(run.code, run.stderr).toBe(0);
    const file = ws.file('feeds', 'sources.opml');
    expect(await xmllint(file)).toMatchObject({ ok: true, code: 0, stderr: '' });
    const opml = parseXml(await readFile(file, 'utf8'));
    expect(opml.attributes.version).toBe('2.0');
    const outlines = childrenNamed(childNamed(opml, 'body'), 'outline');
    expect(
      outlines.map((o) => ({
        xmlUrl: o.attributes.xmlUrl,
        text: o.attributes.text,
        type: o.attributes.type,
        id: o.attributes['feedmirror:id'],
        tags: o.attributes['feedmirror:tags'] ?? null,
        mirrors: o.attributes['feedmirror:mirrors'] ?? null,
      })),
    ).toEqual([
      // a bare mirror host takes the scheme of the source's own URL
      { xmlUrl: sources[0]!.url, text: 'Voice of America', type: 'rss', id: 'voa', tags: 'news world', mirrors: 'http://voa-mirror.example.net/' },
      { xmlUrl: sources[1]!.url, text: 'Radio Free Europe', type: 'rss', id: 'rferl', tags: 'news', mirrors: null },
      { xmlUrl: sources[2]!.url, text: 'Field notes', type: 'rss', id: 'notes', tags: null, mirrors: null },
    ]);
    await expectValidTree(ws.feedsDir, { all: 'All articles' });
  });
});

describe('feedmirror export-opml / import-opml', () => {
  let from: Workspace;
  let into: Workspace;
  beforeEach(async () => {
    from = await createWorkspace({ config: projectConfig(remoteSources()) });
    into = await createWorkspace({ config: EMPTY_CONFIG });
  });
  afterEach(async () => {
    await from.cleanup();
    await into.cleanup();
  });

  async function exportOpml(): Promise<string> {
    const file = into.file('exported.opml');
    const result = await runCliInProcess(['export-opml', '-o', file], { cwd: from.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await xmllint(file)).toMatchObject({ ok: true, code: 0, stderr: '' });
    return file;
  }

  it('export-opml writes the same outlines to stdout as to -o FILE', async () => {
    const file = await exportOpml();
    const stdout = await runCliInProcess(['export-opml'], { cwd: from.dir });
    expect(stdout.code, stdout.stderr).toBe(0);
    expect(stdout.stdout).toBe(await readFile(file, 'utf8'));
  });

  it('round trip: importing the export into an empty config adds the same sources (ids, urls, titles, tags)', async () => {
    const file = await exportOpml();
    const result = await runCliInProcess(['import-opml', file], { cwd: into.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('added 3 sources');
    const imported = await readSources(into);
    expect(essentials(imported)).toEqual(essentials(remoteSources()));
  });

  it('round trip keeps each source\'s mirror hosts', async () => {
    const file = await exportOpml();
    expect((await runCliInProcess(['import-opml', file], { cwd: into.dir })).code).toBe(0);
    const byUrl = new Map((await readSources(into)).map((s) => [s.url, (s.mirrors ?? []).map(hostOf)]));
    for (const source of remoteSources()) expect(byUrl.get(source.url), source.id).toEqual((source.mirrors ?? []).map(hostOf));
  });

  it('a second import of the same file adds nothing and leaves the config file as it was', async () => {
    const file = await exportOpml();
    expect((await runCliInProcess(['import-opml', file], { cwd: into.dir })).code).toBe(0);
    const after = await readFile(into.configPath);
    const again = await runCliInProcess(['import-opml', file], { cwd: into.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('added 0 sources');
    expect(await readFile(into.configPath)).toEqual(after);
  });

  it('the rewritten config loads again: export-opml reads back the imported sources', async () => {
    const file = await exportOpml();
    expect((await runCliInProcess(['import-opml', file], { cwd: into.dir })).code).toBe(0);
    const reexport = await runCliInProcess(['export-opml'], { cwd: into.dir });
    expect(reexport.code, reexport.stderr).toBe(0);
    const urls = childrenNamed(childNamed(parseXml(reexport.stdout), 'body'), 'outline').map((o) => o.attributes.xmlUrl);
    expect(urls).toEqual(remoteSources().map((s) => s.url));
  });

  it('--dry-run reports what it would add and changes nothing', async () => {
    const file = await exportOpml();
    const before = await readFile(into.configPath);
    const mtime = (await stat(into.configPath)).mtimeMs;
    const result = await runCliInProcess(['import-opml', '--dry-run', file], { cwd: into.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('would add 3 sources');
    for (const url of remoteSources().map((s) => s.url)) expect(result.stdout).toContain(url);
    expect(await readFile(into.configPath)).toEqual(before);
    expect((await stat(into.configPath)).mtimeMs).toBe(mtime);
  });
});

describe('import-opml: files from feed readers', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await createWorkspace({ config: EMPTY_CONFIG });
  });
  afterEach(async () => {
    await ws.cleanup();
  });

  it('nested folders become tags (outermost first); a feed outside any folder gets none', async () => {
    const file = ws.file('reader.opml');
    await writeFile(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions exported from a reader</title></head>
  <body>
    <outline text="Loose feed" type="rss" xmlUrl="https://loose.example/feed"/>
    <outline text="Tech News" title="Tech News">
      <outline text="Linux">
        <outline text="LWN headlines" type="rss" xmlUrl="https://lwn.example/headlines/rss" htmlUrl="https://lwn.example/"/>
      </outline>
      <outline text="Gadgets Daily" type="rss" xmlUrl="https://gadgets.example/rss"/>
    </outline>
    <outline text="Empty folder"/>
  </body>
</opml>
`,
    );
    const result = await runCliInProcess(['import-opml', file], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    const sources = await readSources(ws);
    expect(sources.map((s) => ({ url: s.url, title: s.title, tags: s.tags ?? [] }))).toEqual([
      { url: 'https://loose.example/feed', title: 'Loose feed', tags: [] },
      { url: 'https://lwn.example/headlines/rss', title: 'LWN headlines', tags: ['tech-news', 'linux'] },
      { url: 'https://gadgets.example/rss', title: 'Gadgets Daily', tags: ['tech-news'] },
    ]);
    expect(new Set(sources.map((s) => s.id)).size).toBe(3);
  });

  it('says what it skipped and why: a javascript: URL, a relative one, one already configured, one listed twice; an untitled outline is titled from its host', async () => {
    await writeConfig(ws.configPath, { ...EMPTY_CONFIG, sources: [{ id: 'known', url: 'https://known.example/feed' }] });
    const file = ws.file('mixed.opml');
    await writeFile(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <body>
    <outline text="Evil" type="rss" xmlUrl="javascript:alert(1)"/>
    <outline text="Relative" type="rss" xmlUrl="/feed.xml"/>
    <outline text="Known again" type="rss" xmlUrl="https://known.example/feed"/>
    <outline type="rss" xmlUrl="https://untitled.example/rss"/>
    <outline text="Fine" type="rss" xmlUrl="https://fine.example/feed" feedmirror:mirrors="mirror.example.net javascript:x"/>
    <outline text="Fine twice" type="rss" xmlUrl="https://fine.example/feed"/>
    <outline text="Broken host" type="rss" xmlUrl="http://[nope/feed"/>
  </body>
</opml>
`,
    );
    const dry = await runCliInProcess(['import-opml', '--dry-run', file], { cwd: ws.dir });
    expect(dry.code, dry.stderr).toBe(0);
    const result = await runCliInProcess(['import-opml', file], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(dry.stdout.replace('would add', 'added'));
    expect(result.stdout).toBe(
      [
        `added 2 sources to ${ws.configPath}; 5 skipped`,
        '  untitled-example  https://untitled.example/rss  (no title in the file: titled "untitled.example")',
        '  fine  https://fine.example/feed  (mirror "javascript:x" left out: not a host name or an http(s) base URL)',
        'skipped:',
        '  javascript:alert(1) ("Evil"): not an absolute http(s) URL',
        '  /feed.xml ("Relative"): not an absolute http(s) URL',
        '  https://known.example/feed ("Known again"): already configured as source "known"',
        '  https://fine.example/feed ("Fine twice"): listed again in the file (the first is added)',
        '  http://[nope/feed ("Broken host"): not an absolute http(s) URL',
        '',
      ].join('\n'),
    );
    const sources = await readSources(ws);
    expect(sources.map((s) => ({ id: s.id, url: s.url, title: s.title, mirrors: s.mirrors }))).toEqual([
      { id: 'known', url: 'https://known.example/feed', title: undefined, mirrors: undefined },
      { id: 'untitled-example', url: 'https://untitled.example/rss', title: 'untitled.example', mirrors: undefined },
      { id: 'fine', url: 'https://fine.example/feed', title: 'Fine', mirrors: ['mirror.example.net'] },
    ]);
  });

  const BAD_FILES = [
    { name: 'malformed.opml', text: '<?xml version="1.0"?>\n<opml version="2.0"><body><outline text="x" xmlUrl="https://a.example/feed">\n</body></opml>\n', says: /not well-formed XML/ },
    { name: 'not-opml.xml', text: '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>\n', says: /not an OPML document/ },
    { name: 'missing.opml', text: null, says: /cannot read it \(ENOENT\)/ },
  ];
  for (const bad of BAD_FILES) {
    it(`${bad.name}: exit 1, one clear line naming the file, config untouched`, async () => {
      const file = ws.file(bad.name);
      if (bad.text !== null) await writeFile(file, bad.text);
      const before = await readFile(ws.configPath);
      const result = await runCliInProcess(['import-opml', file], { cwd: ws.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`feedmirror: import-opml: ${file}: `);
      expect(result.stderr).toMatch(bad.says);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(result.stdout).toBe('');
      expect(await readFile(ws.configPath)).toEqual(before);
    });
  }
});
