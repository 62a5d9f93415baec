/**
 * SSRF policy, DNS half (issue 8): a public-looking name whose DNS answer is an internal address
 * is refused by guardedLookup (the `connect.lookup` of the Agent feedmirror builds when
 * fetch.allowPrivateNetworks is off) before a socket is opened.
 *
 * No real DNS: address-policy.ts calls node:dns `lookup` directly (it takes no resolver
 * argument), so this file replaces node:dns for the modules under test with a fake that knows
 * only the names below and answers ENOTFOUND for every other name. undici and Node's net module
 * are not affected by the mock; they only ever see what guardedLookup hands them.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { describe, expect, it, vi } from 'vitest';
import { guardedLookup } from '../../src/sources/http/address-policy.js';
import { feed } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { testScope } from '../remote/helpers/scope.js';

const fakeDns = vi.hoisted(() => ({
  /** name → the addresses the fake resolver answers with */
  zone: new Map<string, { address: string; family: number }[]>(),
  calls: [] as { hostname: string; all: boolean }[],
}));

vi.mock('node:dns', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:dns')>();
  const lookup = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[] | string, family?: number) => void) => {
    fakeDns.calls.push({ hostname, all: options.all === true });
    const answers = fakeDns.zone.get(hostname);
    setImmediate(() => {
      if (!answers) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (fake resolver)`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, answers);
      callback(null, answers[0]!.address, answers[0]!.family);
    });
  };
  return { ...actual, lookup, default: { ...actual, lookup } };
});

const scope = testScope();

type Outcome = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

function lookupThroughGuard(hostname: string, options: LookupOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => guardedLookup(hostname, options, (error, address, family) => resolve({ error, address, family })));
}

function answer(hostname: string, ...addresses: string[]): void {
  fakeDns.zone.set(hostname, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
}

describe('guardedLookup (fake resolver)', () => {
  it('passes a public answer through, as one address when options.all is not set', async () => {
    answer('news.example', '93.184.216.34');
    const outcome = await lookupThroughGuard('news.example');
    expect(outcome).toEqual({ error: null, address: '93.184.216.34', family: 4 });
    // it always asks for every address, so one private answer among public ones cannot hide
    expect(fakeDns.calls.at(-1)).toEqual({ hostname: 'news.example', all: true });
  });

  it('passes every public answer through when options.all is set (what net.connect asks for with autoSelectFamily)', async () => {
    answer('dual.example', '93.184.216.34', '2606:4700::1');
    const outcome = await lookupThroughGuard('dual.example', { all: true });
    expect(outcome.error).toBeNull();
    expect(outcome.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
  });

  it('passes a DNS64 answer (NAT64 well-known prefix) that embeds a public IPv4 address', async () => {
    answer('ipv4-only.example', '64:ff9b::5db8:d822');
    const outcome = await lookupThroughGuard('ipv4-only.example');
    expect(outcome).toEqual({ error: null, address: '64:ff9b::5db8:d822', family: 6 });
  });

  for (const [name, addresses] of [
    ['rebind-loopback.example', ['127.0.0.1']],
    ['rebind-private.example', ['10.0.0.5']],
    ['rebind-metadata.example', ['169.254.169.254']],
    ['rebind-cgnat.example', ['100.64.1.1']],
    ['rebind-ula.example', ['fd00::5']],
    ['rebind-linklocal6.example', ['fe80::1']],
    ['rebind-mapped.example', ['::ffff:10.0.0.1']],
    ['rebind-unspecified.example', ['0.0.0.0']],
    ['rebind-compat.example', ['::7f00:1']],
    ['rebind-siit.example', ['::ffff:0:a00:5']],
    ['rebind-nat64.example', ['64:ff9b::a9fe:a9fe']],
    ['rebind-nat64-local.example', ['64:ff9b:1::a00:5']],
    ['rebind-6to4.example', ['2002:a00:5::1']],
    ['rebind-teredo.example', ['2001:0:4136:e378:8000:63bf:3fff:fdd2']],
    ['mixed.example', ['93.184.216.34', '10.0.0.5']],
    ['mixed6.example', ['2606:4700::1', '::1']],
  ] as const) {
    it(`refuses ${name} → ${addresses.join(', ')} with FM_BLOCKED_ADDRESS`, async () => {
      answer(name, ...addresses);
      const outcome = await lookupThroughGuard(name, { all: true });
      expect(outcome.error).toMatchObject({ code: 'FM_BLOCKED_ADDRESS' });
      expect(outcome.error?.message).toContain(`${name} resolves to`);
      expect(outcome.address).toEqual([]);
    });
  }

  it('passes a resolver failure through unchanged (FM_DNS later, not FM_BLOCKED_ADDRESS)', async () => {
    const outcome = await lookupThroughGuard('nowhere.example');
    expect(outcome.error).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('an empty answer is ENOTFOUND, not a crash', async () => {
    fakeDns.zone.set('empty.example', []);
    const outcome = await lookupThroughGuard('empty.example');
    expect(outcome.error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('a public name that resolves to loopback, through the real Agent (fetch.allowPrivateNetworks off)', () => {
  it('is refused with FM_BLOCKED_ADDRESS before connecting: the 127.0.0.1 server it resolves to sees no request', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(rssFeed(numberedItems(1))));
    const port = new URL(server.origin).port;
    answer('feeds.rebinding.example', '127.0.0.1');
    // no dispatcher injected: runOnce builds its own Agent with guardedLookup as connect.lookup
    const h = await scope.harness({ sources: [{ id: 'rebinding', url: `http://feeds.rebinding.example:${port}/feed.xml` }], fetch: { allowPrivateNetworks: false } });

    const { report } = await h.run();

    expect(report.failedSources).toEqual(['rebinding']);
    expect(await h.state('rebinding')).toMatchObject({ lastErrorCode: 'FM_BLOCKED_ADDRESS', lastOutcome: 'error', lastStatus: null });
    expect((await h.state('rebinding')).lastError).toContain('resolves to 127.0.0.1');
    expect(fakeDns.calls.map((c) => c.hostname)).toContain('feeds.rebinding.example');
    expect(server.requests).toEqual([]);
  });
});
