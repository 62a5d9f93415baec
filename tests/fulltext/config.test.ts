/**
 * The config keys of full text and media: defaults, the normalized shape the rest of the program
 * sees, and errors that name the key path and what was expected.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { FeedSourceConfig } from '../../src/config/config.js';

function config(source: Record<string, unknown>, output: Record<string, unknown> = {}): string {
  return JSON.stringify({ site: { url: 'https://feeds.example.org/' }, sources: [{ id: 'news', url: 'https://news.example/feed.xml', ...source }], outputs: [{ id: 'all', title: 'All', ...output }] });
}

function source(text: string): FeedSourceConfig {
  return parseConfig(text, '/tmp/feedmirror.config.json').sources[0] as FeedSourceConfig;
}

function problems(text: string): string {
  try {
    parseConfig(text, '/tmp/feedmirror.config.json');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('config: fullText and media', () => {
  it('fullText is off by default, true means the defaults, an object is completed with them', () => {
    expect(source(config({})).fullText).toBeNull();
    expect(source(config({ fullText: false })).fullText).toBeNull();
    expect(source(config({ fullText: true })).fullText).toEqual({ selector: null, minChars: 500, maxPerRun: 50 });
    expect(source(config({ fullText: { selector: 'article .body', maxPerRun: 5 } })).fullText).toEqual({ selector: 'article .body', minChars: 500, maxPerRun: 5 });
  });

  for (const [value, path] of [
    [{ selector: '[[bad' }, 'sources[0].fullText.selector'],
    [{ selector: 'p,' }, 'sources[0].fullText.selector'],
    [{ minChars: -1 }, 'sources[0].fullText.minChars'],
    [{ maxPerRun: 1.5 }, 'sources[0].fullText.maxPerRun'],
    [{ selectr: 'p' }, 'sources[0].fullText'],
  ] as const) {
    it(`fullText ${JSON.stringify(value)} is refused at ${path}`, () => {
      expect(problems(config({ fullText: value }))).toContain(path);
    });
  }

  it('a selector that is not CSS is refused with what was expected', () => {
    expect(problems(config({ fullText: { selector: '[[bad' } }))).toMatch(/sources\[0\]\.fullText\.selector: "\[\[bad": a CSS selector such as "article \.body"/);
  });

  it('media is "mirror" or "proxy", on a source or an output', () => {
    expect(source(config({ media: 'mirror' })).media).toBe('mirror');
    expect(parseConfig(config({}, { media: 'proxy' }), '/tmp/c.json').outputs[0]!.media).toBe('proxy');
    expect(problems(config({ media: 'cdn' }))).toMatch(/sources\[0\]\.media: "cdn": "mirror" .* or "proxy"/);
    expect(problems(config({}, { media: true }))).toContain('outputs[0].media');
  });

  it('mediaProxy has defaults and its cache folder is resolved against the config folder', () => {
    const parsed = parseConfig(config({}), '/srv/feedmirror/feedmirror.config.json');
    expect(parsed.mediaProxy).toEqual({ cacheDir: '/srv/feedmirror/data/media', maxCacheBytes: 500_000_000, maxFileBytes: 20_000_000 });
    expect(parsed.limits.maxPageBytes).toBe(2_000_000);
  });
});
