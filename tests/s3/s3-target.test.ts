/**
 * outputDir "s3://bucket/prefix": feedmirror run against s3rver on 127.0.0.1. The objects read back
 * pass the validators of folder outputs and equal a folder run byte for byte; PUTs are counted at
 * the server: unchanged bytes are never PUT again, and a failed PUT is tried again by the next run.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { ON_POSTGRES } from '../helpers/test-store.js';
import { createWorkspace, listFiles, SAMPLE_SEED, writeConfig, type Workspace } from '../helpers/workspace.js';
import { expectValidTree } from '../publishing/helpers/validate-tree.js';
import { s3Target } from '../../src/publish/s3-target.js';
import { closedPort, S3_ENV, startFakeS3, type FakeS3 } from './helpers/fake-s3.js';

const SEEDS = [SAMPLE_SEED, 'after-footer.txt', 'chrome.txt', 'credit-forms.txt', 'multiple-dates.txt'];
const TITLES = { all: 'All articles', recent: 'Recent' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeS3(options: { buckets?: string[]; port?: number } = {}): Promise<FakeS3> {
  const s3 = await startFakeS3({ buckets: options.buckets ?? ['feeds'], ...(options.port ? { port: options.port } : {}) });
  cleanups.push(() => s3.close());
  return s3;
}

/** Two outputs of the seed source, one with archive pages, written to the bucket at `endpoint`. */
function s3Config(endpoint: string, overrides: Record<string, unknown> = {}) {
  return {
    site: { url: 'https://feeds.example.org/', title: 'S3 site', mirrors: [] },
    database: 'data/feedmirror.db',
    outputDir: 's3://feeds/site',
    s3: { endpoint, forcePathStyle: true },
    sources: [{ id: 'seeds', title: 'Seed articles', seeds: 'seeds' }],
    outputs: [
      { id: 'all', title: TITLES.all, sources: ['seeds'], limit: 2, archive: { pageSize: 2 } },
      { id: 'recent', title: TITLES.recent, sources: ['seeds'], limit: 3 },
    ],
    ...overrides,
  };
}

async function workspace(config: unknown): Promise<Workspace> {
  const ws = await createWorkspace({ config, seeds: SEEDS });
  cleanups.push(() => ws.cleanup());
  return ws;
}

const run = (ws: Workspace, args: string[] = [], env: NodeJS.ProcessEnv = S3_ENV) => runCliInProcess(['run', '--config', ws.configPath, '--log-level', 'warn', ...args], { cwd: ws.dir, env });

/** The keys PUT since `from`, relative to the prefix, sorted. */
const putSince = (s3: FakeS3, from: number) => s3.puts.slice(from).map((key) => key.replace(/^feeds\/site\//, '')).sort();

describe('outputDir s3://bucket/prefix', () => {
  it('writes every file as an object that passes the validators of folder outputs, with the bytes, types and caching of a folder run', async () => {
    const s3 = await fakeS3();
    const ws = await workspace(s3Config(s3.endpoint));
    expect(await run(ws)).toMatchObject({ code: 0, stderr: '' });
    const bucketTree = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-s3-read-'));
    cleanups.push(() => rm(bucketTree, { recursive: true, force: true }));
    const keys = await s3.download('feeds', 'site', bucketTree);
    expect(keys).toEqual(expect.arrayContaining(['index.html', 'all/rss.xml', 'all/atom.xml', 'all/feed.json', 'all/archive/1/atom.xml', 'recent/feed.json', 'sources.opml']));
    await expectValidTree(bucketTree, TITLES);

    const objects = await s3.objects('feeds', 'site');
    expect(objects.get('all/rss.xml')).toMatchObject({ contentType: 'application/xml; charset=utf-8', cacheControl: 'public, max-age=300' });
    expect(objects.get('all/feed.json')?.contentType).toBe('application/feed+json; charset=utf-8');
    expect(objects.get('index.html')?.contentType).toBe('text/html; charset=utf-8');
    expect(objects.get('all/archive/1/rss.xml')?.cacheControl).toBe('public, max-age=86400, immutable');

    // The same config with a folder: the same files, byte for byte.
    await writeConfig(ws.configPath, { ...s3Config(s3.endpoint), outputDir: 'feeds' });
    expect(await run(ws, ['--refresh'])).toMatchObject({ code: 0, stderr: '' });
    expect(await listFiles(ws.feedsDir)).toEqual(keys);
    for (const key of keys) expect((await readFile(path.join(ws.feedsDir, key))).equals(objects.get(key)!.body), key).toBe(true);
  });

  it('PUTs archive pages first, then the feeds and output pages, then index.html and the other site files', async () => {
    const s3 = await fakeS3();
    const ws = await workspace(s3Config(s3.endpoint));
    expect((await run(ws)).code).toBe(0);
    const rank = (key: string) => (key.includes('/archive/') ? 0 : /^feeds\/site\/(all|recent)\//.test(key) ? 1 : 2);
    const ranks = s3.puts.map(rank);
    expect(ranks).toEqual([...ranks].sort());
    expect(new Set(ranks)).toEqual(new Set([0, 1, 2]));
  });

  it('a second run with nothing changed makes 0 PUTs; a change PUTs exactly the files whose bytes changed', async () => {
    const s3 = await fakeS3();
    const ws = await workspace(s3Config(s3.endpoint));
    expect((await run(ws)).code).toBe(0);
    const first = await s3.objects('feeds', 'site');
    expect(s3.puts.length).toBe(first.size);

    let mark = s3.puts.length;
    expect((await run(ws)).code).toBe(0);
    expect(putSince(s3, mark)).toEqual([]);

    // A new source re-renders every output (the site changed) but changes only the pages that list sources.
    mark = s3.puts.length;
    const config = s3Config(s3.endpoint);
    await writeConfig(ws.configPath, { ...config, sources: [...config.sources, { id: 'more', title: 'More seeds', seeds: 'more-seeds' }] });
    await mkdir(ws.file('more-seeds'));
    expect((await run(ws)).code).toBe(0);
    const second = await s3.objects('feeds', 'site');
    const changed = [...second.keys()].filter((key) => !first.get(key)?.body.equals(second.get(key)!.body)).sort();
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.some((key) => key.startsWith('all/'))).toBe(false);
    expect(putSince(s3, mark)).toEqual(changed);
  });

  it('a file whose bytes hash to what the store recorded is not PUT; other bytes are, and recorded', async () => {
    const s3 = await fakeS3();
    const previous = new Map([['all/rss.xml', '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03']]); // sha256 of "hello\n"
    const target = s3Target({ location: { bucket: 'feeds', prefix: 'site' }, connection: { endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true }, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, previous });
    cleanups.push(async () => target.close());
    expect(await target.stage('all/rss.xml', 'hello\n')).toBeNull();
    const staged = await target.stage('all/rss.xml', ['hello', ' again\n']);
    await staged!.commit();
    expect(s3.puts).toEqual(['feeds/site/all/rss.xml']);
    expect(await target.stage('all/rss.xml', 'hello again\n')).toBeNull();
    expect((await s3.objects('feeds', 'site')).get('all/rss.xml')?.body.toString()).toBe('hello again\n');
  });
});

describe('S3 failures: FM_S3 naming the bucket and key, the rest published, the next run retries', () => {
  it('a bucket that does not exist: exit 2 naming it and NoSuchBucket; once it exists the next run writes everything', async () => {
    const s3 = await fakeS3({ buckets: ['other'] });
    const ws = await workspace(s3Config(s3.endpoint));
    const failed = await run(ws);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/^feedmirror: publish to s3:\/\/feeds\/site: \d+ files? could not be written, \d+ not tried \(0 written\): s3: cannot PUT s3:\/\/feeds\/site\/\S+ at http:\/\/127\.0\.0\.1:\d+: NoSuchBucket \(HTTP 404\): The specified bucket does not exist/);
    expect(failed.stderr).toContain('The files written are kept; the next run writes the others');
    // Archive pages staged at once fail together; after that no other key is tried.
    expect(s3.puts.length).toBeLessThanOrEqual(8);

    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await client.send(new CreateBucketCommand({ Bucket: 'feeds' }));
    client.destroy();
    expect(await run(ws)).toMatchObject({ code: 0, stderr: '' });
    expect((await s3.objects('feeds', 'site')).has('index.html')).toBe(true);
  });

  it('an endpoint that refuses connections: exit 2, "connection refused" naming the object; the articles stay stored and the next run publishes', async () => {
    const port = await closedPort();
    const ws = await workspace(s3Config(`http://127.0.0.1:${port}`));
    const failed = await run(ws);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`connection refused by http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(failed.stderr).toMatch(/s3: cannot PUT s3:\/\/feeds\/site\/\S+: connection refused/);

    const s3 = await fakeS3({ port });
    expect(await run(ws)).toMatchObject({ code: 0, stderr: '' });
    const objects = await s3.objects('feeds', 'site');
    expect(JSON.parse(objects.get('all/feed.json')!.body.toString()).items.length).toBeGreaterThan(0);
    expect(objects.has('index.html')).toBe(true);
  });

  it('access denied for one key: exit 2 naming it; the other output and the site files go up; the next run PUTs only that key', async () => {
    const s3 = await fakeS3();
    s3.denied.add('feeds/site/all/atom.xml');
    const ws = await workspace(s3Config(s3.endpoint));
    const failed = await run(ws);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`s3: cannot PUT s3://feeds/site/all/atom.xml at ${s3.endpoint}: AccessDenied (HTTP 403): Access Denied`);
    const written = await s3.objects('feeds', 'site');
    expect(written.has('all/atom.xml')).toBe(false);
    const others = ['recent/rss.xml', 'recent/atom.xml', 'index.html', 'all/archive/1/atom.xml'];
    expect(others.filter((key) => !written.has(key))).toEqual([]);
    // On PostgreSQL each output is claimed and published alone: the error names the one that failed.
    if (ON_POSTGRES) expect(failed.stderr).toContain('output all: publish to s3://feeds/site: 1 file could not be written');

    s3.denied.clear();
    const mark = s3.puts.length;
    expect(await run(ws)).toMatchObject({ code: 0, stderr: '' });
    // On PostgreSQL the index shows only outputs whose publish completed, so it changes when "all" does.
    expect(putSince(s3, mark)).toEqual(ON_POSTGRES ? ['all/atom.xml', 'index.html'] : ['all/atom.xml']);
  });

  it('access denied for a key of each output: exit 2 naming both keys (on PostgreSQL both outputs); the site files go up; the next run writes both', async () => {
    const s3 = await fakeS3();
    s3.denied.add('feeds/site/all/rss.xml');
    s3.denied.add('feeds/site/recent/feed.json');
    const ws = await workspace(s3Config(s3.endpoint));
    const failed = await run(ws);
    expect(failed.code).toBe(2);
    for (const key of ['all/rss.xml', 'recent/feed.json']) expect(failed.stderr).toContain(`s3: cannot PUT s3://feeds/site/${key} at ${s3.endpoint}: AccessDenied (HTTP 403)`);
    if (ON_POSTGRES) expect(failed.stderr).toMatch(/^feedmirror: 2 outputs could not be published \(the others were\): output all: publish to s3:\/\/feeds\/site: .*; output recent: publish to s3:\/\/feeds\/site: /);
    expect(failed.stderr).not.toContain('S3RVER');
    const written = await s3.objects('feeds', 'site');
    expect(['index.html', 'sources.opml', 'all/archive/1/atom.xml'].filter((key) => !written.has(key))).toEqual([]);

    s3.denied.clear();
    expect(await run(ws)).toMatchObject({ code: 0, stderr: '' });
    const after = await s3.objects('feeds', 'site');
    expect(after.has('all/rss.xml') && after.has('recent/feed.json')).toBe(true);
  });

  it('no AWS credentials in the environment: run, daemon and check stop at once naming the variables; nothing is fetched or stored', async () => {
    const s3 = await fakeS3();
    const ws = await workspace(s3Config(s3.endpoint));
    const env = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined };
    for (const command of ['run', 'daemon', 'check']) {
      const result = await runCliInProcess([command, '--config', ws.configPath], { cwd: ws.dir, env });
      expect(result.code, command).toBe(1);
      expect(result.stderr, command).toContain('outputDir s3://feeds/site: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; an S3 target takes its credentials only from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (for temporary credentials) AWS_SESSION_TOKEN');
    }
    const oneMissing = await run(ws, [], { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: undefined });
    expect(oneMissing.stderr).toContain('AWS_SECRET_ACCESS_KEY is not set');
    expect(s3.puts).toEqual([]);
    await expect(listFiles(ws.file('data'))).rejects.toThrow();
  });
});

describe('what a folder-only feature says about an s3:// outputDir', () => {
  it('serve refuses it: it reads a folder', async () => {
    const ws = await workspace(s3Config('http://127.0.0.1:9'));
    const result = await runCliInProcess(['serve', '--config', ws.configPath, '--port', '0'], { cwd: ws.dir, env: S3_ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('serve: outputDir is s3://feeds/site: serve reads a folder and cannot serve a bucket');
  });

  it('check lists the target, its settings and which credentials are set, without contacting it', async () => {
    const port = await closedPort();
    const ws = await workspace(s3Config(`http://127.0.0.1:${port}`));
    const result = await runCliInProcess(['check', '--config', ws.configPath], { cwd: ws.dir, env: { ...S3_ENV, AWS_SESSION_TOKEN: undefined } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('outputDir: s3://feeds/site (S3: one PUT per changed file; `serve` and the media proxy do not apply)');
    expect(result.stdout).toContain(`s3: endpoint http://127.0.0.1:${port}, region us-east-1, path-style addressing`);
    expect(result.stdout).toContain('s3 credentials from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY');
    expect(result.stdout).not.toContain('S3RVER');
  });

  const BAD: { name: string; config: (c: ReturnType<typeof s3Config>) => unknown; says: string }[] = [
    { name: 'an uppercase bucket', config: (c) => ({ ...c, outputDir: 's3://Feeds/site' }), says: 'outputDir: "s3://Feeds/site": an s3:// URL as "s3://bucket/prefix": the bucket name must be 3 to 63 lowercase letters' },
    { name: 'a ".." folder in the prefix', config: (c) => ({ ...c, outputDir: 's3://feeds/site/../x' }), says: 'the prefix must be folder names' },
    { name: 'an empty folder in the prefix', config: (c) => ({ ...c, outputDir: 's3://feeds/a//b' }), says: 'the prefix must be folder names' },
    { name: 'a control character in the prefix', config: (c) => ({ ...c, outputDir: 's3://feeds/a\nb' }), says: 'the prefix must be folder names' },
    { name: 'an uppercase scheme', config: (c) => ({ ...c, outputDir: 'S3://feeds/site' }), says: 'write the scheme as "s3://" in lowercase' },
    { name: 'a bucket that is an IP address', config: (c) => ({ ...c, outputDir: 's3://192.168.1.1/site' }), says: 'the bucket name must be' },
    { name: 'credentials in the endpoint', config: (c) => ({ ...c, s3: { endpoint: 'http://key:secret@127.0.0.1:9000' } }), says: 's3.endpoint: "http://key:***@127.0.0.1:9000": an http(s) URL without user or password' },
    { name: 'an unknown s3 key', config: (c) => ({ ...c, s3: { ...c.s3, accessKeyId: 'x' } }), says: 's3: unknown key "accessKeyId" (expected one of: endpoint, region, forcePathStyle)' },
    { name: 'media "proxy"', config: (c) => ({ ...c, outputs: [{ ...c.outputs[0], media: 'proxy' }] }), says: 'outputs[0].media: "proxy" needs `feedmirror serve` to answer /media/, and serve reads a folder, not s3://feeds/site' },
  ];
  for (const { name, config, says } of BAD) {
    it(`check refuses ${name}`, async () => {
      const ws = await workspace(config(s3Config('http://127.0.0.1:9')));
      const result = await runCliInProcess(['check', '--config', ws.configPath], { cwd: ws.dir, env: S3_ENV });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(says);
    });
  }
});
