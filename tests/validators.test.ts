import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedparser, feedparserFiles, jingAtom, jingAtomFiles, validateJsonFeed, xmllint, xmllintFiles } from './helpers/validators.js';
import { unexpectedWarnings, w3cValidate } from './helpers/w3c-validator.js';

/** The validators must be able to say no, or every validity test would pass vacuously. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-validators-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

const VALID_ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:x:feed</id><title>t</title><updated>2020-01-01T00:00:00Z</updated><author><name>a</name></author>
  <entry><id>urn:x:1</id><title>e</title><updated>2020-01-01T00:00:00Z</updated><link href="http://127.0.0.1/1"/></entry>
</feed>
`;

describe('validators reject what they should', () => {
  it('xmllint: accepts a well-formed file, rejects a malformed one', async () => {
    expect(await xmllint(await fixture('ok.xml', VALID_ATOM))).toMatchObject({ ok: true, code: 0, stderr: '' });
    expect((await xmllint(await fixture('bad.xml', '<a><b></a>'))).ok).toBe(false);
  });

  it('xmllint: an undeclared namespace prefix fails even though xmllint exits 0', async () => {
    const result = await xmllint(await fixture('ns.xml', '<a><x:b/></a>'));
    expect(result.stderr).toMatch(/[Nn]amespace/);
    expect(result.ok).toBe(false);
  });

  it('jing: accepts a minimal Atom feed, rejects an entry without an id', async () => {
    expect(await jingAtom(await fixture('ok.atom', VALID_ATOM))).toMatchObject({ ok: true, errors: [] });
    const bad = await jingAtom(await fixture('bad.atom', VALID_ATOM.replace('<id>urn:x:1</id>', '')));
    expect(bad.ok).toBe(false);
    expect(bad.errors.join('\n')).toMatch(/id/);
  });

  it('feedparser: bozo is false for a good feed and true for a broken one', async () => {
    const good = await feedparser(await fixture('ok-fp.atom', VALID_ATOM));
    expect(good).toMatchObject({ bozo: false, version: 'atom10', feed: { title: 't' } });
    expect(good.entries[0]).toMatchObject({ id: 'urn:x:1', link: 'http://127.0.0.1/1', updated: '2020-01-01T00:00:00Z' });
    expect((await feedparser(await fixture('bad-fp.xml', '<rss version="2.0"><channel><title>x &nbsp; y</title></channel>'))).bozo).toBe(true);
  });

  it('W3C Feed Validator: accepts a valid Atom feed; flags a non-URI id and an entry with neither link nor content, each in its own file of one batch', async () => {
    const valid = VALID_ATOM.replaceAll('urn:x:', 'urn:example:')
      .replace('<author>', '<link rel="self" href="http://127.0.0.1/feed.atom"/><author>')
      .replace('<title>e</title>', '<title>e</title><summary>s</summary>');
    const good = await fixture('w3c-ok.atom', valid);
    const badId = await fixture('w3c-id.atom', valid.replace('<id>urn:example:1</id>', '<id>1600-2823</id>'));
    const noLink = await fixture('w3c-link.atom', valid.replace('<link href="http://127.0.0.1/1"/>', ''));
    const reports = await w3cValidate([good, badId, noLink]);
    expect(reports.get(good)).toEqual({ errors: [], warnings: [] });
    expect(reports.get(badId)!.errors.join('\n')).toMatch(/id must be a full and valid URL/);
    expect(reports.get(noLink)!.errors.join('\n')).toMatch(/Missing content or alternate link/);
    expect(unexpectedWarnings({ errors: [], warnings: ['line 2, column 0: Use of unknown namespace: https://feedmirror.org/ns/1.0', 'line 9, column 1: Something new'] })).toEqual(['line 9, column 1: Something new']);
  });

  it('batched xmllint and jing pin each message on its own file', async () => {
    const ok = await fixture('batch-ok.atom', VALID_ATOM);
    const bad = await fixture('batch-bad.atom', VALID_ATOM.replace('<id>urn:x:1</id>', ''));
    const broken = await fixture('batch-broken.xml', '<a><b></a>');
    const lint = await xmllintFiles([ok, broken]);
    expect(lint.get(ok)).toEqual([]);
    expect(lint.get(broken)!.length).toBeGreaterThan(0);
    const jing = await jingAtomFiles([ok, bad]);
    expect(jing.get(ok)).toEqual([]);
    expect(jing.get(bad)!.join('\n')).toMatch(/id/);
  });

  it('batched feedparser answers each file its own result, the same as one file alone', async () => {
    const good = await fixture('batch-fp-ok.atom', VALID_ATOM);
    const broken = await fixture('batch-fp-bad.xml', '<rss version="2.0"><channel><title>x &nbsp; y</title></channel>');
    const results = await feedparserFiles([broken, good]);
    expect(results.get(good)).toEqual(await feedparser(good));
    expect(results.get(good)).toMatchObject({ bozo: false, version: 'atom10', feed: { title: 't' } });
    expect(results.get(broken)!.bozo).toBe(true);
    expect((await feedparserFiles([good])).get(good)).toEqual(await feedparser(good));
  });

  it('JSON Feed schema: accepts a minimal 1.1 feed, rejects a missing version and a relative URL', async () => {
    const minimal = { version: 'https://jsonfeed.org/version/1.1', title: 't', items: [{ id: '1', content_text: 'x', url: 'http://127.0.0.1/1' }] };
    expect(await validateJsonFeed(await fixture('ok.json', JSON.stringify(minimal)))).toMatchObject({ ok: true, messages: [] });
    const noVersion = { ...minimal, version: undefined };
    expect((await validateJsonFeed(await fixture('nov.json', JSON.stringify(noVersion)))).ok).toBe(false);
    const relative = { ...minimal, items: [{ id: '1', content_text: 'x', url: '/relative' }] };
    expect((await validateJsonFeed(await fixture('rel.json', JSON.stringify(relative)))).ok).toBe(false);
    const badDate = { ...minimal, items: [{ id: '1', content_text: 'x', date_published: 'yesterday' }] };
    expect((await validateJsonFeed(await fixture('date.json', JSON.stringify(badDate)))).ok).toBe(false);
  });
});
