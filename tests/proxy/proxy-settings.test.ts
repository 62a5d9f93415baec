/**
 * The proxy settings as data: which host takes which route (onions, fetch.noProxy, a source's own
 * proxy), which proxy URLs are accepted, and how a URL is shown without its password.
 */
import { describe, expect, it } from 'vitest';
import { describeProxy, parseProxyUrl, proxyUrlProblem, redactProxyUrl } from '../../src/lib/proxy-url.js';
import { chooseRoute, isNoProxyHost } from '../../src/sources/http/proxy-routes.js';

const PROXY = 'http://127.0.0.1:3128';
const TOR = 'socks5h://127.0.0.1:9050';

describe('chooseRoute', () => {
  const CASES: [string, Parameters<typeof chooseRoute>[1], string][] = [
    ['news.example', { proxy: PROXY }, PROXY],
    ['news.example', {}, 'direct'],
    ['news.example', { proxy: false, torProxy: TOR }, 'direct'],
    ['abcdefghijklmnop.onion', { proxy: PROXY, torProxy: TOR }, TOR],
    ['WWW.ABCDEFGHIJKLMNOP.ONION.', { torProxy: TOR }, TOR],
    ['abcdefghijklmnop.onion', { proxy: PROXY, torProxy: TOR, noProxy: ['*'] }, TOR],
    ['onion.example', { proxy: PROXY, torProxy: TOR }, PROXY],
    ['news.example', { proxy: PROXY, noProxy: ['news.example'] }, 'direct'],
    ['cdn.news.example', { proxy: PROXY, noProxy: ['.news.example'] }, 'direct'],
    ['cdn.news.example', { proxy: PROXY, noProxy: ['*.news.example'] }, 'direct'],
    ['news.example.', { proxy: PROXY, noProxy: ['NEWS.example'] }, 'direct'],
    ['badnews.example', { proxy: PROXY, noProxy: ['news.example'] }, PROXY],
    ['news.example.evil', { proxy: PROXY, noProxy: ['news.example'] }, PROXY],
    ['10.1.2.3', { proxy: PROXY, noProxy: ['10.0.0.0/8'] }, 'direct'],
    ['11.1.2.3', { proxy: PROXY, noProxy: ['10.0.0.0/8'] }, PROXY],
    ['[::1]', { proxy: PROXY, noProxy: ['::1'] }, 'direct'],
    ['[::ffff:10.0.0.1]', { proxy: PROXY, noProxy: ['10.0.0.0/8'] }, 'direct'],
    ['10.0.0.1', { proxy: PROXY, noProxy: ['10.example'] }, PROXY],
    ['anything.example', { proxy: PROXY, noProxy: ['*'] }, 'direct'],
  ];
  for (const [host, settings, expected] of CASES) {
    it(`${host} with ${JSON.stringify(settings)} → ${expected}`, () => {
      const route = chooseRoute(host, settings);
      expect(route.kind === 'direct' ? 'direct' : route.proxy).toBe(expected);
    });
  }

  it('an onion without a Tor proxy is FM_NEEDS_TOR, whatever fetch.proxy is', () => {
    expect(() => chooseRoute('abcdefghijklmnop.onion', { proxy: PROXY })).toThrow(expect.objectContaining({ code: 'FM_NEEDS_TOR' }));
  });

  it('isNoProxyHost compares names and addresses, never resolving a name', () => {
    expect(isNoProxyHost('localhost', ['127.0.0.1'])).toBe(false);
    expect(isNoProxyHost('127.0.0.1', ['localhost'])).toBe(false);
  });
});

describe('proxy URLs', () => {
  const ACCEPTED = ['http://127.0.0.1:3128', 'HTTP://proxy.example', 'socks5://127.0.0.1:1080', 'socks5h://u:p@127.0.0.1:9050/', 'http://[::1]:3128', 'socks5h://u:p%40ss@proxy.example'];
  for (const value of ACCEPTED) {
    it(`accepts ${value}`, () => expect(proxyUrlProblem(value)).toBeNull());
  }
  const REFUSED = ['https://proxy.example', 'socks4://proxy.example', 'ftp://u:SECRET@proxy.example', 'u:SECRET@proxy.example:3128', 'proxy.example:3128', 'http://u:SECRET@', 'http://u:SECRET@proxy.example/path', 'http://proxy.example?x=1', 'http://u:SECRET@proxy.example#f', '', 'socks5h://u:SECRET/x@host'];
  for (const value of REFUSED) {
    it(`refuses ${JSON.stringify(value)}, without quoting the password`, () => {
      const problem = proxyUrlProblem(value);
      expect(problem).not.toBeNull();
      expect(problem).not.toContain('SECRET');
    });
  }

  it('defaults the port by scheme and decodes credentials', () => {
    expect(parseProxyUrl('http://proxy.example')).toMatchObject({ scheme: 'http', port: 80, username: null, password: null });
    expect(parseProxyUrl('socks5h://u%20x:p%40ss@[::1]')).toMatchObject({ scheme: 'socks5h', port: 1080, host: '[::1]:1080', hostname: '::1', username: 'u x', password: 'p@ss' });
  });

  it('takes credentials from the environment only where the URL has none', () => {
    const env = { FEEDMIRROR_PROXY_USER: 'envuser', FEEDMIRROR_PROXY_PASSWORD: 'envpass' };
    expect(parseProxyUrl('http://proxy.example', env)).toMatchObject({ username: 'envuser', password: 'envpass' });
    expect(parseProxyUrl('http://me@proxy.example', env)).toMatchObject({ username: 'me', password: 'envpass' });
    expect(parseProxyUrl('http://me:mine@proxy.example', env)).toMatchObject({ username: 'me', password: 'mine' });
  });

  const REDACTED: [string, string][] = [
    ['http://u:SECRET@proxy.example:3128', 'http://u:***@proxy.example:3128'],
    ['socks5h://u:SE%40CRET@127.0.0.1:9050', 'socks5h://u:***@127.0.0.1:9050'],
    ['socks5h://u:SE@CRET@127.0.0.1:9050', 'socks5h://u:***@127.0.0.1:9050'],
    ['http://SECRET-TOKEN@proxy.example', 'http://SECRET-TOKEN@proxy.example'],
    ['socks5h://127.0.0.1:9050', 'socks5h://127.0.0.1:9050'],
    ['not a url SECRET', '(not a URL)'],
  ];
  for (const [value, shown] of REDACTED) {
    it(`shows ${JSON.stringify(value)} as ${shown}`, () => expect(redactProxyUrl(value)).toBe(shown));
  }

  it('describeProxy says where the password comes from and never shows it', () => {
    expect(describeProxy('http://u:SECRET@proxy.example')).toBe('http://u:***@proxy.example (password from the URL)');
    expect(describeProxy('http://u@proxy.example', { FEEDMIRROR_PROXY_PASSWORD: 'SECRET' })).toBe('http://u@proxy.example (password from FEEDMIRROR_PROXY_PASSWORD)');
    expect(describeProxy('http://proxy.example')).toBe('http://proxy.example');
  });
});
