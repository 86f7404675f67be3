// The browser tests (`npm run test:e2e`): Chromium driven by playwright-core against real
// `quarry serve` processes. Kept out of `npm test` (whose include is *.test.ts) because they take
// about a minute; CI runs both (.ci/run). One file at a time: each file runs a server and a
// browser, and the machines this runs on have two cores.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.spec.ts'],
    globalSetup: ['test/e2e/global_setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
