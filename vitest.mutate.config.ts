import { defineConfig } from 'vitest/config';

// The tests of one package (EDMKIT_MUTATE_PACKAGE), for mutation testing (stryker.config.mjs).
const name = process.env['EDMKIT_MUTATE_PACKAGE'] ?? 'core';

export default defineConfig({
  resolve: { conditions: ['@edmkit/source'] },
  ssr: { resolve: { conditions: ['@edmkit/source'] } },
  test: {
    root: `packages/${name}`,
    include: ['test/**/*.test.ts'],
    // Instrumented code runs several times slower than the plain build.
    testTimeout: 60_000,
  },
});
