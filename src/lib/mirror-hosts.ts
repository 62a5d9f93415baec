import type { MirrorKind } from '../model/article.js';

/** Turns a configured mirror ("example.net", "https://example.net/", "http://abc.onion") into a base URL. */
export function mirrorBase(spec: string, canonical?: URL): URL | null {
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) return new URL(spec);
    const protocol = isOnion(spec) ? 'http:' : canonical?.protocol ?? 'https:';
    return new URL(`${protocol}//${spec}/`);
  } catch {
    return null;
  }
}

export function mirrorKind(url: URL): MirrorKind {
  const host = url.hostname.toLowerCase();
  if (host.endsWith('.onion')) return 'tor';
  if (host.endsWith('.i2p')) return 'i2p';
  if (url.protocol === 'ipfs:' || url.protocol === 'ipns:') return 'ipfs';
  return url.protocol.replace(/:$/, '');
}

function isOnion(spec: string): boolean {
  return /\.onion(?::\d+)?\/?$/i.test(spec);
}

/**
 * The same path, query and fragment on another host. A base URL with a path prefix
 * ("https://cdn.example.net/mirror/") keeps its prefix in front of the article's path.
 */
export function rehost(canonical: URL, base: URL): URL {
  const url = new URL(canonical.href);
  url.protocol = base.protocol;
  // hostname and port separately: assigning a port-less `host` keeps the old port
  url.hostname = base.hostname;
  url.port = base.port;
  const prefix = base.pathname.replace(/\/+$/, '');
  if (prefix !== '') url.pathname = `${prefix}${canonical.pathname}`;
  return url;
}

/** An onion service's host name ("abc….onion", any case, a trailing dot allowed): only Tor can resolve it. */
export function isOnionHost(hostname: string): boolean {
  return /\.onion\.?$/i.test(hostname);
}
