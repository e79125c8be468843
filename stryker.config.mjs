import { createRequire } from 'node:module';

// Mutation testing of one package at a time: `pnpm mutate [package…]` (scripts/mutate.mjs)
// sets EDMKIT_MUTATE_PACKAGE and runs Stryker with this configuration.
const name = process.env.EDMKIT_MUTATE_PACKAGE;
if (!name) throw new Error('EDMKIT_MUTATE_PACKAGE is not set; run `pnpm mutate <package>`');
const dir = `packages/${name}`;
const reports = `reports/mutation/${name}`;

// pnpm does not hoist the plugins next to @stryker-mutator/core: name them by path.
const require = createRequire(import.meta.url);
const plugins = ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker'].map(
  (id) => require.resolve(id),
);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  plugins,
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: `${dir}/tsconfig.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [`${dir}/src/**/*.ts`],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `${reports}/incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  ignorePatterns: ['reports', 'results', 'apps/docs/site'],
  tempDirName: `reports/.stryker-tmp/${name}`,
  cleanTempDir: 'always',
  concurrency: Number(process.env.EDMKIT_MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 5000,
  thresholds: { high: 90, low: 80, break: null },
};
