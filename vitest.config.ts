// Unit tests run in parallel; integration tests start real servers and get longer time-outs. The global setup
// provisions the servers and tools the tests use (test/provision/), cached outside the repository.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/provision/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
