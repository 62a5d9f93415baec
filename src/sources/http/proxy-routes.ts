import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { isOnionHost } from '../../lib/mirror-hosts.js';
import { FetchError } from './fetch-errors.js';

/** Which proxies a fetch may use; the keys of `fetch` (and `sources[].proxy`) of the same names. */
export interface RouteSettings {
  /** Every fetch goes through it but those noProxy names; false or absent: direct. */
  proxy?: string | false | undefined;
  /** Onion hosts go through it; absent: they cannot be fetched. */
  torProxy?: string | undefined;
  noProxy?: string[] | undefined;
}

/** How one host is reached: directly, or through one proxy (`proxy` is its configured URL). */
export type Route = { kind: 'direct' } | { kind: 'proxy'; proxy: string; role: 'proxy' | 'tor' };

const DIRECT: Route = { kind: 'direct' };

/**
 * The route to `hostname`: onion names only through the Tor proxy (no resolver here knows them,
 * and a lookup would leak the name), the noProxy names directly, every other through the proxy.
 */
export function chooseRoute(hostname: string, settings: RouteSettings): Route {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.+$/, '');
  if (isOnionHost(host)) {
    if (!settings.torProxy) throw new FetchError('FM_NEEDS_TOR', `${host} is an onion service, reachable only through Tor, and fetch.torProxy is not set`);
    return { kind: 'proxy', proxy: settings.torProxy, role: 'tor' };
  }
  if (!settings.proxy || isNoProxyHost(host, settings.noProxy ?? [])) return DIRECT;
  return { kind: 'proxy', proxy: settings.proxy, role: 'proxy' };
}

/**
 * NO_PROXY rules as curl reads them: "*" is every host; an IP address or CIDR range matches an
 * address written in the URL (a name is not resolved to compare it); a name matches itself and
 * its subdomains, with or without a leading "." or "*.".
 */
export function isNoProxyHost(host: string, entries: readonly string[]): boolean {
  return entries.some((entry) => {
    const rule = entry.toLowerCase().replace(/\.+$/, '');
    if (rule === '*') return true;
    if (isIP(host)) return matchesAddress(host, rule);
    const suffix = rule.replace(/^\*?\./, '');
    return host === suffix || host.endsWith(`.${suffix}`);
  });
}

function matchesAddress(host: string, rule: string): boolean {
  const address = ipaddr.process(host);
  try {
    if (ipaddr.isValidCIDR(rule)) {
      const [range, bits] = ipaddr.parseCIDR(rule);
      return address.kind() === range.kind() && address.match(range, bits);
    }
    return ipaddr.isValid(rule.replace(/^\[|\]$/g, '')) && ipaddr.process(rule.replace(/^\[|\]$/g, '')).toString() === address.toString();
  } catch {
    return false;
  }
}
