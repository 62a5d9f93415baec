import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Compiles src/ → dist/ once, so tests that run bin/feedmirror.js use the current code; with
    // FEEDMIRROR_TEST_STORE=postgres, provides a PostgreSQL server for the stores (npm run test:pg).
    globalSetup: ['tests/global-setup.ts', 'tests/postgres-setup.ts'],
    // Tests spawn the CLI and real servers; they wait on processes, never on wall-clock speed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
