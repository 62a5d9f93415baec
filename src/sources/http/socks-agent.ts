import { isIP, type Socket } from 'node:net';
import { Socks5ProxyAgent } from 'undici';

/** Resolves a target name here, for socks5:// (null for socks5://, where the proxy resolves it). */
export type ResolveHere = (hostname: string) => Promise<string>;

/** What undici's SOCKS5 agent calls for every new tunnel; not in its type declarations. */
interface Socks5Internals {
  createSocks5Connection(host: string, port: number): Promise<Socket>;
}

/**
 * undici's SOCKS5 agent sends the target as a name for the proxy to resolve (socks5h behaviour)
 * whatever the URL's scheme, and passes an IPv6 literal in its URL brackets as a name. This one
 * sends an IPv6 literal as an address, and for socks5:// resolves names here (through the address
 * policy when private networks are off) and sends the address: what socks5:// means to curl and
 * to users. tests/proxy/socks-proxy.test.ts holds both, and the internal method it relies on.
 */
export class ResolvingSocks5Agent extends Socks5ProxyAgent {
  constructor(
    proxyUrl: string,
    options: Socks5ProxyAgent.Options,
    private readonly resolveHere: ResolveHere | null,
  ) {
    super(proxyUrl, options);
  }

  async createSocks5Connection(host: string, port: number): Promise<Socket> {
    const target = host.replace(/^\[|\]$/g, '');
    const address = this.resolveHere && isIP(target) === 0 ? await this.resolveHere(target) : target;
    return (Socks5ProxyAgent.prototype as unknown as Socks5Internals).createSocks5Connection.call(this, address, port);
  }
}
