import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default (cores − 1) is one file at a time on a 2-core machine; the browser tests spend most of
    // their time waiting on Chromium and the server, so two files at a time halve the run (8 → 4 minutes here).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
