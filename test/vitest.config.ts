import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  // The client package's sources (its "tenet-source" export), not its build: the tests test the code as it is.
  ssr: { resolve: { conditions: ['tenet-source'] } },
  test: {
    exclude: ['node_modules/**', 'console/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The console's end-to-end tests measure a cold render against a floor: they run first, on their own, so the
    // CPU-heavy suites (route and pack fuzz, the differential test) running beside them on two cores cannot make
    // that figure a measure of the machine's load. Everything else runs after them, in parallel.
    projects: [
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['{engine,controls,evidence,policies,test}/**/*.test.ts'],
          exclude: ['node_modules/**', 'console/**', 'test/e2e/**'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
