/** Config checks for the proxy keys: fetch.proxy, fetch.torProxy, fetch.noProxy, sources[].proxy, onion URLs. */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { isOnionHost } from '../lib/mirror-hosts.js';
import { proxyUrlProblem } from '../lib/proxy-url.js';

/** A proxy URL; the message never quotes its password. */
export const proxyUrl = z.string().superRefine((value, ctx) => {
  const problem = proxyUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** sources[].proxy: the source's own proxy URL, or false / "direct" for none (read as false). */
export const sourceProxy = z
  .union([z.literal(false), z.string()], { error: 'a proxy URL (http://, socks5:// or socks5h://), or false or "direct" to fetch this source without a proxy' })
  .superRefine((value, ctx) => {
    const problem = typeof value === 'string' && value !== 'direct' ? proxyUrlProblem(value) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => (value === 'direct' ? false : value));

/** Tor resolves onion names itself: a socks5:// proxy would have them looked up here, which cannot work. */
export const torProxyUrl = proxyUrl.refine((value) => !/^socks5:/i.test(value), {
  message: 'a Tor proxy URL with socks5h:// (or http:// for Tor\'s HTTP tunnel port), so that Tor resolves the names: socks5:// resolves them locally, and no resolver here knows .onion names',
});

const HOST_SUFFIX = /^(?:\*?\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i;

/** "*", an IP address, a CIDR range, or a host suffix ("example.org", ".example.org", "*.example.org"). */
export const noProxyEntry = z.string().refine(
  (value) => value === '*' || ipaddr.isValid(value.replace(/^\[|\]$/g, '')) || ipaddr.isValidCIDR(value) || HOST_SUFFIX.test(value),
  'a host suffix such as "example.org" (its subdomains too), an IP address, a CIDR range such as "10.0.0.0/8", or "*"',
);

interface RawConfig {
  fetch?: { torProxy?: unknown } | undefined;
  sources: unknown[];
  mirrorLists: unknown[];
}

/** A source or mirror list on an onion service can only be fetched through fetch.torProxy. */
export function checkOnionUrls(config: RawConfig, ctx: z.RefinementCtx): void {
  if (typeof config.fetch?.torProxy === 'string') return;
  const check = (value: unknown, path: (string | number)[]) => {
    const host = hostOf(value);
    if (host && isOnionHost(host)) {
      ctx.addIssue({ code: 'custom', path, message: `${host} is an onion service, reachable only through Tor: set fetch.torProxy, such as "socks5h://127.0.0.1:9050"` });
    }
  };
  config.sources.forEach((source, i) => check((source as { url?: unknown } | null)?.url, ['sources', i, 'url']));
  config.mirrorLists.forEach((list, i) => check((list as { url?: unknown } | null)?.url, ['mirrorLists', i, 'url']));
}

function hostOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    return new URL(value).hostname;
  } catch {
    return null;
  }
}
