// `npm run test:reliability`: the reliability suite (soak, chaos, manager SIGKILL, disk trouble,
// bad input, load). Files run one at a time in their own forked worker with --expose-gc (the soak
// compares heap after a full GC); the summary reporter prints the figures and writes RESULTS.md
// just before vitest's own summary. RELIABILITY_QUICK=1 shortens everything for development.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.rel.ts'],
    pool: 'forks',
    execArgv: ['--expose-gc'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 180_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    globalSetup: ['test/reliability/global-setup.ts'],
    reporters: ['./test/reliability/summary-reporter.ts', 'default'],
  },
});
