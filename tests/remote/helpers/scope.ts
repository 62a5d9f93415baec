/** Servers and workspaces a test creates, closed and removed after each test whatever the outcome. */
import { afterEach } from 'vitest';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { createHarness, type Harness, type HarnessOptions } from './harness.js';

export interface TestScope {
  server(): Promise<FixtureServer>;
  harness(options: HarnessOptions): Promise<Harness>;
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
    defer: (close) => void closers.push(close),
  };
}
