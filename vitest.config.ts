import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 15_000,
    hookTimeout: 15_000,
    restoreMocks: true,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
