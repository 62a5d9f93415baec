import os from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer, MOCKING_TESTS, POSTGRES_ONLY_SYSTEM_TESTS, POSTGRES_ONLY_TESTS, SYSTEM_TESTS } from './tests/suite-layout.js';

const ON_POSTGRES = process.env.FEEDMIRROR_TEST_STORE === 'postgres';
// The PostgreSQL-only files are not part of the SQLite pass at all (not skipped in it).
const systemTests = ON_POSTGRES ? [...SYSTEM_TESTS, ...POSTGRES_ONLY_SYSTEM_TESTS] : SYSTEM_TESTS;
const notHere = ON_POSTGRES ? [] : POSTGRES_ONLY_TESTS;

export default defineConfig({
  test: {
    // Compiles src/ → dist/ unless it is current, so tests that run bin/feedmirror.js use the current code; with
    // FEEDMIRROR_TEST_STORE=postgres, provides a PostgreSQL server for the stores (npm run test:pg).
    globalSetup: ['tests/global-setup.ts', 'tests/postgres-setup.ts'],
    // Tests spawn the CLI and real servers; they wait on processes, never on wall-clock speed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Child processes, not worker threads: the in-process CLI changes the working folder, which threads cannot.
    pool: 'forks',
    // One module graph per worker, not per file: loading src/ and the test helpers anew for each of
    // ~100 files cost about 2.6 CPU-seconds a file. Helpers register hooks only when a test file
    // calls them, and the in-process CLI leaves the process as it found it, so files share safely.
    isolate: false,
    // vitest's default is one worker less than the cores (1 on a 2-core machine); the tests wait on
    // children, servers and validators much of the time, so one more worker than cores keeps them busy.
    // Each project inherits this number, so `--maxWorkers` on the command line does not change it:
    // set VITEST_MAX_WORKERS instead.
    maxWorkers: os.availableParallelism() + 1,
    sequence: { sequencer: LongestFirstSequencer },
    // FEEDMIRROR_CPU_LOG=file: one line of CPU seconds per test file (see tests/cpu-usage.ts)
    setupFiles: process.env.FEEDMIRROR_CPU_LOG ? ['tests/cpu-usage.ts'] : [],
    projects: [
      { extends: true, test: { name: 'core', include: ['tests/**/*.test.ts'], exclude: [...systemTests, ...MOCKING_TESTS, ...notHere] } },
      { extends: true, test: { name: 'system', include: systemTests, exclude: notHere } },
      // vi.mock only reaches modules loaded after it: these files need a module graph of their own
      { extends: true, test: { name: 'mocked', include: MOCKING_TESTS, isolate: true } },
    ],
  },
});
