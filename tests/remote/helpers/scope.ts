/** Servers and workspaces a test creates, closed and removed after each test whatever the outcome. */
import { afterEach } from 'vitest';
import { startFixtureServer, type FixtureServer, type Handler } from './fixture-server.js';
import { createHarness, type Harness, type HarnessOptions } from './harness.js';

export interface TestScope {
  server(): Promise<FixtureServer>;
  harness(options: HarnessOptions): Promise<Harness>;
  /** The common case: one feed source, "news", served at /feed.xml by `handler`. */
  newsFeed(handler: Handler): Promise<{ server: FixtureServer; h: Harness }>;
  defer(close: () => Promise<void> | void): void;
}

/** Call once per test file (top level); every resource made through it is released after each test. */
export function testScope(): TestScope {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return {
    async server() {
      const server = await startFixtureServer();
      closers.push(() => server.close());
      return server;
    },
    async harness(options) {
      const harness = await createHarness(options);
      closers.push(() => harness.cleanup());
      return harness;
    },
    async newsFeed(handler) {
      const server = await this.server();
      server.on('/feed.xml', handler);
      return { server, h: await this.harness({ sources: [{ id: 'news', url: server.url('/feed.xml') }] }) };
    },
    defer: (close) => void closers.push(close),
  };
}
