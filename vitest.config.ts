import os from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer, POSTGRES_ONLY_SYSTEM_TESTS, POSTGRES_ONLY_TESTS, SYSTEM_TESTS } from './tests/suite-layout.js';

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
    // A fresh process per file: the in-process CLI changes the working folder, which worker threads cannot.
    pool: 'forks',
    // vitest's default is one worker less than the cores (1 on a 2-core machine); the tests wait on
    // children, servers and validators much of the time, so one more worker than cores keeps them busy.
    // Each project inherits this number, so `--maxWorkers` on the command line does not change it:
    // set VITEST_MAX_WORKERS instead.
    maxWorkers: os.availableParallelism() + 1,
    sequence: { sequencer: LongestFirstSequencer },
    // FEEDMIRROR_CPU_LOG=file: one line of CPU seconds per test file (see tests/cpu-usage.ts)
    setupFiles: process.env.FEEDMIRROR_CPU_LOG ? ['tests/cpu-usage.ts'] : [],
    projects: [
      { extends: true, test: { name: 'core', include: ['tests/**/*.test.ts'], exclude: [...systemTests, ...notHere] } },
      { extends: true, test: { name: 'system', include: systemTests, exclude: notHere } },
    ],
  },
});
