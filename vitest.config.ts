import { defineConfig } from 'vitest/config';

// Tests that need PostgreSQL start one throwaway cluster in globalSetup and share it by URL;
// each test file makes its own database inside it, so files stay independent.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/harness/global_setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
