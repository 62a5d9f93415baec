/**
 * How the suite is laid out for vitest.config.ts. The `system` project holds the tests that drive
 * whole processes and outside programs for long: SIGKILL loops, peak-memory children, lock
 * contenders, the daemon, a browser, nginx. `mocked` holds the files that replace a module with
 * vi.mock, which need a module graph of their own (the others share one per worker, see
 * vitest.config.ts); `core` the rest. `npm test` runs all three, side by side in one pool of workers.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SYSTEM_TESTS = [
  'tests/hostile/crash-safety.test.ts',
  'tests/hostile/xml-attacks.test.ts',
  'tests/hostile/item-counts.test.ts',
  'tests/hostile/remote-sources.test.ts',
  'tests/hostile/feed-shapes.test.ts',
  'tests/hostile/disk-failures.test.ts',
  'tests/operations/run-lock.test.ts',
  'tests/operations/lock.test.ts',
  'tests/operations/daemon.test.ts',
  'tests/operations/nginx-config.test.ts',
  'tests/publishing/browser-view.test.ts',
];

/**
 * Files that replace a module (vi.mock): the replacement only reaches modules loaded after it, so
 * they keep a module graph of their own.
 */
export const MOCKING_TESTS = ['tests/hostile/ssrf-dns.test.ts', 'tests/proxy/fetch-through-proxy.test.ts'];

/**
 * Tests of what exists only on a PostgreSQL store (the fleet: claiming, publishing once, chores):
 * in the suite on the PostgreSQL pass only (FEEDMIRROR_TEST_STORE=postgres), left out of the SQLite
 * pass rather than skipped there.
 */
export const POSTGRES_ONLY_TESTS = ['tests/publish-once/**', 'tests/chores/**/*.test.ts', 'tests/cluster/**/*.test.ts', 'tests/bench/**/*.test.ts'];

/** The system tests among them: they drive several daemons for tens of seconds. */
export const POSTGRES_ONLY_SYSTEM_TESTS = ['tests/chores/fleet-chores.test.ts', 'tests/publish-once/daemon-publishes.test.ts', 'tests/cluster/**/*.test.ts', 'tests/bench/**/*.test.ts'];

/**
 * The files that take longest, longest first (wall seconds of a quiet `npm test`, and CPU seconds,
 * in docs/performance-history.md, "Test suite"). Started first, they run beside the many short
 * files instead of after them, so the last worker is not left alone with a long file at the end.
 */
export const LONGEST_FIRST = [
  'tests/hostile/crash-safety.test.ts',
  'tests/hostile/remote-sources.test.ts',
  'tests/hostile/xml-attacks.test.ts',
  'tests/hostile/item-counts.test.ts',
  'tests/publishing/corpus-validity.test.ts',
  // long in wall time for little CPU (they wait on schedules, locks and a terminal)
  'tests/operations/daemon.test.ts',
  'tests/operations/lock.test.ts',
  'tests/operations/progress-line.test.ts',
  'tests/hostile/feed-shapes.test.ts',
  'tests/publishing/browser-view.test.ts',
  'tests/publishing/archives.test.ts',
  'tests/publishing/filters.test.ts',
  'tests/operations/serve-security-headers.test.ts',
  'tests/operations/unusable-paths.test.ts',
  'tests/publish.test.ts',
];

/** vitest's own order (failed first, then by the durations it remembers, else by size), with LONGEST_FIRST in front. */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
