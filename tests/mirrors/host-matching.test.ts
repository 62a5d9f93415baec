/**
 * Which mirror-list entry applies to a host. The rule: a site's alternates apply to its
 * main_domain and to the same host with or without a leading "www."; other subdomains do not
 * inherit (they have their own entries in real lists). Alternates come freshest first.
 */
import { describe, expect, it } from 'vitest';
import { parseMirrorList } from '../../src/ingest/parse-mirror-list.js';
import { MirrorDirectory } from '../../src/lib/mirror-directory.js';
import { articleMirrors } from '../../src/normalize/mirror-urls.js';
import { realListText, v2List } from './helpers/lists.js';

/** The real list's entries used below (tests/fixtures/mirrors/mirrorSites.json). */
const VOA_MIRROR = 'https://d2c72hkaqrcfxm.cloudfront.net/';
const VOA_ONION = 'https://www.voanews5aitmne6gs2btokcacixclgfl43cv27sirgbauyyjylwpdtqd.onion/';
const AMHARIC_MIRROR = 'https://d1r7q8eoq7vpim.cloudfront.net/';
const AMHARIC_ONION = 'https://amharic.voanews5aitmne6gs2btokcacixclgfl43cv27sirgbauyyjylwpdtqd.onion/';

function realDirectory(): MirrorDirectory {
  return new MirrorDirectory(parseMirrorList(realListText(), 'mirrorSites.json').sites);
}

function craftedDirectory(): MirrorDirectory {
  const text = v2List([
    { main_domain: 'www.example.org', available_alternatives: [{ proto: 'https', type: 'mirror', url: 'https://www-entry.example.net', updated_at: '2024-01-01 00:00:00+00:00' }] },
    {
      main_domain: 'ordered.example.com',
      available_alternatives: [
        { proto: 'https', type: 'mirror', url: 'https://undated-1.example.net' },
        { proto: 'https', type: 'mirror', url: 'https://old.example.net', updated_at: '2021-06-01 00:00:00+00:00' },
        { proto: 'tor', type: 'eotk', url: 'http://orderedexampleonionaddressxyzorderedexampleonionaddrxyz.onion', updated_at: '2025-06-01T00:00:00+00:00' },
        { proto: 'https', type: 'mirror', url: 'https://undated-2.example.net' },
        { proto: 'https', type: 'mirror', url: 'https://middle.example.net', created_at: '2023-06-01 00:00:00+00:00', updated_at: null },
      ],
    },
  ]);
  return new MirrorDirectory(parseMirrorList(text, 'crafted.json').sites);
}

const urls = (directory: MirrorDirectory, host: string) => directory.lookup(host).map((a) => a.url);

describe('host matching: the real list', () => {
  const CASES: { host: string; expected: string[]; why: string }[] = [
    { host: 'voanews.com', expected: [VOA_MIRROR, VOA_ONION], why: 'the main_domain itself' },
    { host: 'www.voanews.com', expected: [VOA_MIRROR, VOA_ONION], why: 'the voanews.com entry applies to www.voanews.com' },
    { host: 'WWW.VoaNews.com', expected: [VOA_MIRROR, VOA_ONION], why: 'hosts are case-insensitive' },
    { host: 'voanews.com.', expected: [VOA_MIRROR, VOA_ONION], why: 'a fully qualified name with a trailing dot' },
    { host: 'amharic.voanews.com', expected: [AMHARIC_MIRROR, AMHARIC_ONION], why: "a subdomain with its own entry uses it, not the parent's" },
    { host: 'www.amharic.voanews.com', expected: [AMHARIC_MIRROR, AMHARIC_ONION], why: 'www. of a subdomain entry' },
    { host: 'm.voanews.com', expected: [], why: 'a subdomain without an entry does not inherit the parent' },
    { host: 'www2.voanews.com', expected: [], why: 'only "www." is folded, not other labels' },
    { host: 'voanews.com.evil.example', expected: [], why: 'a host that merely starts with the domain' },
    { host: 'notvoanews.com', expected: [], why: 'a host that merely ends with the domain' },
    { host: 'unknown.example', expected: [], why: 'an unknown host' },
  ];

  for (const c of CASES) {
    it(`${c.host}: ${c.why}`, () => {
      expect(urls(realDirectory(), c.host)).toEqual(c.expected);
    });
  }

  it('RW-M02: a main_domain written in mixed case ("OpenTechFund.github.io") matches the lower-case host', () => {
    const directory = realDirectory();
    expect(directory.lookup('opentechfund.github.io').length).toBeGreaterThan(0);
    expect(directory.lookup('opentechfund.github.io')).toEqual(directory.lookup('OpenTechFund.github.io'));
  });

  it('amharic.voanews.com never gets the parent\'s alternates, nor the parent the subdomain\'s', () => {
    const directory = realDirectory();
    expect(urls(directory, 'amharic.voanews.com')).not.toContain(VOA_MIRROR);
    expect(urls(directory, 'voanews.com')).not.toContain(AMHARIC_MIRROR);
  });
});

describe('host matching: crafted entries', () => {
  it('an entry for www.example.org applies to example.org (and vice versa)', () => {
    const directory = craftedDirectory();
    expect(urls(directory, 'example.org')).toEqual(['https://www-entry.example.net/']);
    expect(urls(directory, 'www.example.org')).toEqual(['https://www-entry.example.net/']);
    expect(urls(directory, 'sub.example.org')).toEqual([]);
  });

  it('freshest first (tor or not), undated alternates last in list order; created_at stands in for a missing updated_at', () => {
    expect(urls(craftedDirectory(), 'ordered.example.com')).toEqual([
      'http://orderedexampleonionaddressxyzorderedexampleonionaddrxyz.onion/',
      'https://middle.example.net/',
      'https://old.example.net/',
      'https://undated-1.example.net/',
      'https://undated-2.example.net/',
    ]);
  });

  it('the real list: voanews.com\'s https mirror (updated 2023) comes before its onion (updated 2022)', () => {
    const alternates = realDirectory().lookup('www.voanews.com');
    expect(alternates.map((a) => [a.kind, a.updatedAt])).toEqual([
      ['https', '2023-05-30T15:38:54.532Z'],
      ['tor', '2022-05-03T12:59:18.843Z'],
    ]);
  });
});

describe('host matching: in the normalize stage (articleMirrors)', () => {
  const inputs = () => ({ publisher: [], directory: realDirectory() });

  it('an article on www.voanews.com gets the voanews.com alternates, same path, with kind and origin', () => {
    const { mirrors, hostMirrors } = articleMirrors('https://www.voanews.com/a/story-7654321.html?x=1', [], inputs());
    expect(mirrors).toEqual([
      { url: `${VOA_MIRROR}a/story-7654321.html?x=1`, kind: 'https', origin: 'mirror-list' },
      { url: `${VOA_ONION}a/story-7654321.html?x=1`, kind: 'tor', origin: 'mirror-list' },
    ]);
    expect(hostMirrors).toEqual([
      { host: 'www.voanews.com', bases: [{ base: VOA_MIRROR, kind: 'https', origin: 'mirror-list' }, { base: VOA_ONION, kind: 'tor', origin: 'mirror-list' }] },
    ]);
  });

  it('an article on amharic.voanews.com gets only the amharic entry', () => {
    const { mirrors } = articleMirrors('https://amharic.voanews.com/a/1.html', [], inputs());
    expect(mirrors.map((m) => m.url)).toEqual([`${AMHARIC_MIRROR}a/1.html`, `${AMHARIC_ONION}a/1.html`]);
  });

  it('an article on an unlisted host gets no mirror; its image on a listed host still gets that host\'s mirrors', () => {
    const { mirrors, hostMirrors } = articleMirrors('https://unlisted.example/a.html', ['https://www.voanews.com/img/a.jpg'], inputs());
    expect(mirrors).toEqual([]);
    expect(hostMirrors.map((h) => [h.host, h.bases.map((b) => b.base)])).toEqual([['www.voanews.com', [VOA_MIRROR, VOA_ONION]]]);
  });
});
