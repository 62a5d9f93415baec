import { describe, expect, it } from 'vitest';
import { mirrorUrlsFor } from '../src/normalize/mirror-urls.js';

/** An article's mirror URLs are its path on each mirror base: the base decides scheme, host and port. */
const CASES: { name: string; canonical: string; spec: string; expected: { url: string; kind: string }[] }[] = [
  {
    name: 'https base, canonical on https',
    canonical: 'https://feeds.example.org/articles/a.html?x=1#top',
    spec: 'https://feeds-mirror.example.net/',
    expected: [{ url: 'https://feeds-mirror.example.net/articles/a.html?x=1#top', kind: 'https' }],
  },
  {
    name: 'a base without a port drops the canonical URL\'s port (http://127.0.0.1:8080 → https://mirror/)',
    canonical: 'http://127.0.0.1:8080/articles/a.html',
    spec: 'https://feeds-mirror.example.net/',
    expected: [{ url: 'https://feeds-mirror.example.net/articles/a.html', kind: 'https' }],
  },
  {
    name: 'a base with a port keeps its own port',
    canonical: 'https://feeds.example.org/articles/a.html',
    spec: 'https://feeds-mirror.example.net:8443/',
    expected: [{ url: 'https://feeds-mirror.example.net:8443/articles/a.html', kind: 'https' }],
  },
  {
    name: 'a base with a path prefix keeps the prefix',
    canonical: 'https://feeds.example.org/articles/a.html',
    spec: 'https://cdn.example.com/mirror/',
    expected: [{ url: 'https://cdn.example.com/mirror/articles/a.html', kind: 'https' }],
  },
  {
    name: 'a bare host takes the canonical scheme',
    canonical: 'https://example.org/2024/story.html',
    spec: 'example.net',
    expected: [{ url: 'https://example.net/2024/story.html', kind: 'https' }],
  },
  {
    name: 'a bare onion host is http and kind tor',
    canonical: 'https://example.org/2024/story.html',
    spec: 'exampleonionaddressxyz.onion',
    expected: [{ url: 'http://exampleonionaddressxyz.onion/2024/story.html', kind: 'tor' }],
  },
  {
    name: 'the canonical host itself is not its own mirror',
    canonical: 'https://example.org/2024/story.html',
    spec: 'https://example.org/',
    expected: [],
  },
];

describe('mirror URLs', () => {
  for (const c of CASES) {
    it(c.name, () => {
      expect(mirrorUrlsFor(c.canonical, [{ spec: c.spec, origin: 'site' }])).toEqual(c.expected.map((e) => ({ ...e, origin: 'site' })));
    });
  }
});
