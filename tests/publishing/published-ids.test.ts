/**
 * The rules behind published ids and URLs, case by case (the end-to-end cases, through the whole
 * pipeline and the validators, are in tests/hostile/odd-ids.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { toAbsoluteUri } from '../../src/lib/absolute-uri.js';
import { atomEntryId, publishedIds } from '../../src/publish/published-ids.js';
import { mergesSources } from '../../src/publish/feed-targets.js';
import type { PublishSource } from '../../src/publish/publish-types.js';
import { byteLengthOf, emailOf, isRssEnclosureUrl, mediaTypeOf, uriOf } from '../../src/publish/published-values.js';

describe('toAbsoluteUri: what is kept as an Atom id', () => {
  const cases: [string, string | null][] = [
    ['http://example.com/a', 'http://example.com/a'],
    ['HTTP://example.com/a', 'HTTP://example.com/a'], // kept as written: ids compare character by character
    ['https://example.com/?p=1#x', 'https://example.com/?p=1#x'],
    ['http://例え.jp/パス', 'http://%E4%BE%8B%E3%81%88.jp/%E3%83%91%E3%82%B9'],
    ['urn:isbn:0451450523', 'urn:isbn:0451450523'],
    ['URN:ISBN:0451450523', 'URN:ISBN:0451450523'],
    ['urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a'],
    ['tag:example.com,2004:x', 'tag:example.com,2004:x'],
    ['tag:me@example.com,2004-05-06:x#y', 'tag:me@example.com,2004-05-06:x#y'],
    ['mailto:a@example.com', 'mailto:a@example.com'],
    ['file:///etc/hosts', 'file:///etc/hosts'],
    ['1600-2823', null],
    ['', null],
    ['Correct Value', null],
    ['urn:', null],
    ['urn:isbn', null],
    ['urn:isbn:', null],
    ['urn:x:y', null], // a one-letter NID
    ['urn:example:a/b', null],
    ['urn:uuid:123', null],
    ['tag:Example.com,2004:x', null],
    ['tag:example.com:x', null],
    ['http://', null],
    ['http:///x', null],
    ['http:x', null],
    ['http://ex ample.com/', null],
    ['http://example.c[o.test/', null],
    ['http://[::1]/x', null],
    ['http://a/|b', null],
    ['http://a/%zz', null],
    ['x:', null],
    ['//example.com/x', null],
    ['/relative', null],
    [' http://example.com/', null],
    ['http://example.com/\u0000', null],
    ['http://example.com/\uE000', null], // private use
    ['http://example.com/\uD800', null], // lone surrogate
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => expect(toAbsoluteUri(value)).toBe(expected));
  }
});

describe('atomEntryId and publishedIds', () => {
  it('derives a URN from the source id and the escaped guid, one to one', () => {
    expect(atomEntryId('news', '1600-2823')).toBe('urn:feedmirror:guid:news:1600-2823');
    expect(atomEntryId('news', '12:34')).toBe('urn:feedmirror:guid:news:12%3A34');
    expect(atomEntryId('news', '12%3A34')).toBe('urn:feedmirror:guid:news:12%253A34');
    expect(atomEntryId('news', 'a:b'), 'a URI (scheme "a"): kept').toBe('a:b');
    expect(atomEntryId('news', 'a~b')).toBe('urn:feedmirror:guid:news:a%7Eb');
    expect(atomEntryId('news-a', 'b')).not.toBe(atomEntryId('news', 'a-b'));
  });

  it('hashes a guid too long to escape, or one that is not well-formed Unicode, under its own prefix', () => {
    const long = atomEntryId('news', 'x'.repeat(1025));
    expect(long).toMatch(/^urn:feedmirror:guid-sha256:news:[0-9a-f]{64}$/);
    expect(atomEntryId('news', 'x'.repeat(1025))).toBe(long);
    expect(atomEntryId('news', 'x'.repeat(1024))).toBe(`urn:feedmirror:guid:news:${'x'.repeat(1024)}`);
    const lone = atomEntryId('news', 'a\uD800');
    expect(lone).toMatch(/^urn:feedmirror:guid-sha256:news:/);
    expect(atomEntryId('news', 'a\uD801')).not.toBe(lone);
  });

  it('keeps the guid for RSS and JSON Feed, but for a local guid in a merged output; permalink only for the item\'s own http(s) URL', () => {
    expect(publishedIds('news', '42', null, false)).toEqual({ atomId: 'urn:feedmirror:guid:news:42', guid: '42', isPermaLink: false });
    expect(publishedIds('news', '42', null, true)).toEqual({ atomId: 'urn:feedmirror:guid:news:42', guid: 'urn:feedmirror:guid:news:42', isPermaLink: false });
    expect(publishedIds('news', 'http://a.example/1', 'http://a.example/1', true)).toEqual({ atomId: 'http://a.example/1', guid: 'http://a.example/1', isPermaLink: true });
    expect(publishedIds('news', 'http://a.example/1', 'http://b.example/1', false).isPermaLink).toBe(false);
    expect(publishedIds('news', 'tag:a.example,2024:1', 'tag:a.example,2024:1', false).isPermaLink).toBe(false);
    expect(publishedIds('news', 'http://a.example/a b', 'http://a.example/a b', false).isPermaLink).toBe(false);
    expect(publishedIds('news', 'http://例え.jp/', 'http://例え.jp/', false).isPermaLink, 'an IRI is no URI as written').toBe(false);
    expect(publishedIds('news', 'ftp://a.example/1', 'ftp://a.example/1', false).isPermaLink).toBe(false);
  });
});

describe('mergesSources: an output draws on several configured sources', () => {
  const source = (id: string, tags: string[] = []): PublishSource => ({ id, title: id, tags, kind: 'feed', url: `https://${id}.example/feed` });
  const output = (sources: string[]) => ({ id: 'o', title: 'o', sources, limit: 10, formats: ['rss' as const] });
  it.each([
    [['*'], [source('a')], false],
    [['*'], [source('a'), source('b')], true],
    [['a'], [source('a'), source('b')], false],
    [['a', 'b'], [source('a'), source('b')], true],
    [['news'], [source('a', ['news']), source('b')], false],
    [['news'], [source('a', ['news']), source('b', ['news'])], true],
  ])('%j over %j → %s', (sources, configured, merged) => {
    expect(mergesSources(output(sources), configured)).toBe(merged);
  });
});

describe('published values', () => {
  it('uriOf: WHATWG serialization, then RFC 3986 escapes for what it leaves raw', () => {
    expect(uriOf('http://a.example/p|q^r[s]{t}`u`?v={w}|#x#y')).toBe('http://a.example/p%7Cq%5Er%5Bs%5D%7Bt%7D%60u%60?v=%7Bw%7D%7C#x%23y');
    expect(uriOf('http://a.example/100%')).toBe('http://a.example/100%25');
    expect(uriOf('http://a.example/%41')).toBe('http://a.example/%41');
    expect(uriOf('http://user:pw@[::1]:8080/x')).toBe('http://user:pw@[::1]:8080/x');
    expect(uriOf('not a url')).toBeNull();
  });

  it('RSS enclosures need an http(s) URL on a dotted host or an IPv4 address', () => {
    expect(['https://cdn.example.com/a.mp3', 'http://127.0.0.1:8080/a', 'https://cdn/a.mp3', 'ftp://a.example/a', 'http://[::1]/a', 'nope'].map(isRssEnclosureUrl)).toEqual([true, true, false, false, false, false]);
  });

  it('media types, lengths and e-mail addresses: valid ones kept, the rest null', () => {
    expect(['audio/mpeg', ' video/mp4; codecs="avc1" ', 'mp3', 'audio', 'audio/', 'a b/c', null].map(mediaTypeOf)).toEqual(['audio/mpeg', 'video/mp4; codecs="avc1"', null, null, null, null, null]);
    expect([0, 12, -1, 12.5, 1e30, Number.NaN, null].map(byteLengthOf)).toEqual([0, 12, null, null, null, null, null]);
    expect(['me@example.com', ' me@example.com ', 'a@b', 'nobody', 'me@exa mple.com', null].map(emailOf)).toEqual(['me@example.com', 'me@example.com', null, null, null, null]);
  });
});
