import { defineConfig } from 'vitest/config';

// One root config; each package is a project. Packages resolve to their TypeScript
// sources through the `@edmkit/source` export condition, so tests need no build.
const packages = [
  'core',
  'schedules',
  'precond',
  'solvers',
  'losses',
  'data',
  'metrics',
  'presets',
  'unet',
  'onnx',
  'train',
];
const apps = ['ablate'];

export default defineConfig({
  resolve: { conditions: ['@edmkit/source'] },
  ssr: { resolve: { conditions: ['@edmkit/source'] } },
  test: {
    // Numerical tests on a loaded 2-core CI machine can take several seconds each.
    testTimeout: 60_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, root: `packages/${name}`, include: ['test/**/*.test.ts'] },
      })),
      // Checks of the repository itself (licence files, …).
      { extends: true as const, test: { name: 'repo', root: '.', include: ['test/**/*.test.ts'] } },
      ...apps.map((name) => ({
        extends: true as const,
        test: { name, root: `apps/${name}`, include: ['test/**/*.test.ts'] },
      })),
    ],
  },
});
