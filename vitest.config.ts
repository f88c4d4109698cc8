import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    // Pages on a loaded 2-core machine can take seconds to settle; a poll's default second is flaky.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    // Two cores: more workers only contend with PostgreSQL for CPU.
    maxWorkers: 2,
    pool: 'forks',
  },
});
