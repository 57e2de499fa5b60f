import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests live in test/ and share ONE real
// managed QuestDB per run, started by test/support/global-setup.ts on free ports.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{core,storage,ingest,analytics,dashboard,simulators,benchmarks}/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
