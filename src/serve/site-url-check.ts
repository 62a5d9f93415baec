import ipaddr from 'ipaddr.js';

/**
 * Why `site.url` cannot be this server's address, or null when it can be. Feeds name their XSL
 * stylesheet and every page and item link absolutely on site.url, so a browser that opens a feed
 * here loads them from there. A site.url on a name (feeds.example.org) is taken to be a proxy or
 * DNS in front of this server, which cannot be checked from here; an address (127.0.0.1, [::1],
 * localhost, 192.0.2.7) names this machine and must be the one listened on, with its port and
 * plain http.
 */
export function siteUrlMismatch(siteUrl: string, listenHost: string, listenPort: number): string | null {
  const site = new URL(siteUrl);
  const siteHost = bare(site.hostname);
  if (!isAddress(siteHost)) return null;
  if (site.protocol !== 'http:') return `it is ${site.protocol.slice(0, -1)}, and serve speaks plain http`;
  const sitePort = Number(site.port || 80);
  if (sitePort !== listenPort) return `its port is ${sitePort}, and serve listens on port ${listenPort}`;
  const host = bare(listenHost);
  if (isWildcard(host)) return isLoopback(siteHost) ? 'it is a loopback address, and serve listens on every interface: readers on other machines would get links to their own' : null;
  if (!sameMachineAddress(siteHost, host)) return `its host is ${siteHost}, and serve listens on ${host}`;
  return null;
}

function bare(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase();
}

function isAddress(host: string): boolean {
  return host === 'localhost' || ipaddr.isValid(host);
}

function isWildcard(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || (ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback');
}

/** The same address; "localhost" is 127.0.0.1 or ::1 (browsers try both). */
function sameMachineAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const localhost = ['127.0.0.1', '::1'];
  if (a === 'localhost') return localhost.includes(canonical(b));
  if (b === 'localhost') return localhost.includes(canonical(a));
  return ipaddr.isValid(a) && ipaddr.isValid(b) && canonical(a) === canonical(b);
}

function canonical(host: string): string {
  return ipaddr.isValid(host) ? ipaddr.process(host).toString() : host;
}
