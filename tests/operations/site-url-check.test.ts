/**
 * When `serve` says site.url is not where it listens (serve's start-up warning), with addresses as
 * data: nothing listens or connects here.
 */
import { describe, expect, it } from 'vitest';
import { siteUrlMismatch } from '../../src/serve/site-url-check.js';

const CASES: { name: string; site: string; host: string; port: number; mismatch: RegExp | null }[] = [
  { name: 'the default: site.url is where serve listens', site: 'http://127.0.0.1:8080/', host: '127.0.0.1', port: 8080, mismatch: null },
  { name: 'another port', site: 'http://127.0.0.1:8080/', host: '127.0.0.1', port: 9000, mismatch: /its port is 8080, and serve listens on port 9000/ },
  { name: 'no port in site.url means 80', site: 'http://127.0.0.1/', host: '127.0.0.1', port: 8080, mismatch: /its port is 80,/ },
  { name: 'port 80, named or not', site: 'http://127.0.0.1/', host: '127.0.0.1', port: 80, mismatch: null },
  { name: 'https on an address (serve has no TLS)', site: 'https://127.0.0.1:8443/', host: '127.0.0.1', port: 8443, mismatch: /it is https, and serve speaks plain http/ },
  { name: 'localhost for 127.0.0.1', site: 'http://localhost:8080/', host: '127.0.0.1', port: 8080, mismatch: null },
  { name: '127.0.0.1 for localhost', site: 'http://127.0.0.1:8080/', host: 'localhost', port: 8080, mismatch: null },
  { name: 'localhost for ::1', site: 'http://localhost:8080/', host: '::1', port: 8080, mismatch: null },
  { name: 'IPv6 loopback in brackets', site: 'http://[::1]:8080/', host: '::1', port: 8080, mismatch: null },
  { name: 'another loopback address', site: 'http://127.0.0.2:8080/', host: '127.0.0.1', port: 8080, mismatch: /its host is 127\.0\.0\.2, and serve listens on 127\.0\.0\.1/ },
  { name: 'a LAN address serve does not listen on', site: 'http://192.0.2.7:8080/', host: '127.0.0.1', port: 8080, mismatch: /its host is 192\.0\.2\.7/ },
  { name: 'a LAN address on every interface', site: 'http://192.0.2.7:8080/', host: '0.0.0.0', port: 8080, mismatch: null },
  { name: 'loopback while serving every interface: other machines get links to themselves', site: 'http://127.0.0.1:8080/', host: '0.0.0.0', port: 8080, mismatch: /loopback address.*every interface/ },
  { name: 'loopback while serving every IPv6 interface', site: 'http://localhost:8080/', host: '::', port: 8080, mismatch: /loopback address/ },
  { name: 'IPv4-mapped IPv6 is the same address', site: 'http://[::ffff:127.0.0.1]:8080/', host: '127.0.0.1', port: 8080, mismatch: null },
  { name: 'a name: a proxy or DNS in front, not checked', site: 'https://feeds.example.org/', host: '127.0.0.1', port: 8080, mismatch: null },
  { name: 'a name with a path', site: 'https://example.org/feeds/', host: '127.0.0.1', port: 9999, mismatch: null },
];

describe('siteUrlMismatch', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.site} vs ${c.host}:${c.port}`, () => {
      const reason = siteUrlMismatch(c.site, c.host, c.port);
      if (c.mismatch === null) expect(reason).toBeNull();
      else expect(reason).toMatch(c.mismatch);
    });
  }
});
