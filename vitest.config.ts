import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: interop tests spawn clients and brokers of their own, so keep the file-level parallelism modest.
    maxWorkers: 2,
  },
});
