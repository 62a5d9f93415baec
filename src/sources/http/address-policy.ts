import { isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { FetchError } from './fetch-errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The range ipaddr.js gives an address that none of its special-purpose ranges (IANA's registries:
 * loopback, private, link-local, CGNAT, multicast, reserved, documentation, benchmarking, 6to4,
 * Teredo, NAT64 local use, SIIT, discard, ...) claims.
 */
const PUBLIC_RANGE = 'unicast';
/**
 * ipaddr.js also calls "unicast" IPv6 space that IANA never allocated, such as the deprecated
 * IPv4-compatible ::a.b.c.d (::7f00:1 is 127.0.0.1 through a tunnel): only 2000::/3 is routed.
 */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/**
 * The NAT64 well-known prefix: a DNS64 resolver (IPv6-only hosts) answers every IPv4-only name
 * with the IPv4 address in its last 32 bits, and RFC 6052 forbids it for non-global addresses, so
 * the embedded address is judged. The local-use 64:ff9b:1::/48 may embed it anywhere: refused.
 */
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * Whether a feed fetch must not reach this address unless `fetch.allowPrivateNetworks` is on:
 * anything but public unicast, judged through the IPv6 forms that embed an IPv4 address.
 */
export function isBlockedAddress(address: string): boolean {
  if (isIP(address) === 0) return true; // not an address in its standard spelling: refuse rather than guess
  return !isPublicUnicast(ipaddr.parse(address));
}

function isPublicUnicast(address: Address): boolean {
  if (address instanceof ipaddr.IPv4) return address.range() === PUBLIC_RANGE;
  // The kernel sends ::ffff:a.b.c.d to a.b.c.d over IPv4: the same destination, judged as such.
  if (address.isIPv4MappedAddress()) return isPublicUnicast(address.toIPv4Address());
  if (address.match(NAT64_WELL_KNOWN)) return isPublicUnicast(embeddedIPv4(address));
  return address.range() === PUBLIC_RANGE && address.match(GLOBAL_UNICAST_V6);
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const [high, low] = address.parts.slice(6) as [number, number];
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** Host names that never need DNS to know they are local. */
export function isBlockedHostName(hostname: string): boolean {
  // "localhost." is localhost: a trailing dot only makes the name fully qualified.
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.+$/, '');
  if (isIP(host)) return isBlockedAddress(host);
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal');
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect that refuses blocked addresses after DNS resolution, so a public
 * name that resolves to a private address (DNS rebinding, a redirect to an internal host) is
 * stopped before any connection is opened.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const list = addresses as LookupAddress[];
    const blocked = list.find((a) => isBlockedAddress(a.address));
    if (blocked) return callback(new FetchError('FM_BLOCKED_ADDRESS', `${hostname} resolves to ${blocked.address}, a private or local address (fetch.allowPrivateNetworks is off)`), []);
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}
