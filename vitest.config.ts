import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/fixtures/prepare.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real llama-server processes compete for 2 cores; a few files at a time keeps timings sane.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
