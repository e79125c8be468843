#!/usr/bin/env node
// Mutation testing of the maths packages with StrykerJS, one package at a time.
//
//   pnpm mutate                 all of MUTATED_PACKAGES
//   pnpm mutate solvers losses  only these
//
// Each run is incremental (reports/mutation/<package>/incremental.json): after a small
// change only the mutants in changed code, or covered by changed tests, run again.
// Reports: reports/mutation/<package>/index.html and mutation.json. Prints a score per
// package: (killed + timed out) / (killed + timed out + survived + no coverage); mutants
// disabled in the source with a reason (equivalent mutants) are listed, not counted.
// "0 tests" counts survivors under which no test ran (a test file failed to load): these
// are counted as survived, and the tests should build what they test inside each test.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const MUTATED_PACKAGES = [
  'core',
  'schedules',
  'precond',
  'solvers',
  'losses',
  'metrics',
  'presets',
];
const root = new URL('..', import.meta.url).pathname;

const argv = process.argv.slice(2);
// --report: print the table of the last reports without running anything.
const reportOnly = argv.includes('--report');
const args = argv.filter((a) => a !== '--report');
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    `usage: pnpm mutate [--report] [package…]\n--report: the table of the last reports, running nothing\npackages: ${MUTATED_PACKAGES.join(', ')} (default: all)\n`,
  );
  process.exit(0);
}
const unknown = args.filter((a) => !existsSync(join(root, 'packages', a, 'src')));
if (unknown.length > 0) {
  process.stderr.write(
    `mutate: unknown package ${unknown.map((a) => `"${a}"`).join(', ')}; expected one of: ${MUTATED_PACKAGES.join(', ')}\n`,
  );
  process.exit(2);
}
const packages = args.length > 0 ? args : MUTATED_PACKAGES;

/** Counts the mutants of a Stryker JSON report by status. */
function summarise(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const count = {};
  // A mutant that makes a test file fail to load runs no test, and Stryker's vitest runner
  // reports it as survived: counted apart so that a reader can tell.
  let unrun = 0;
  for (const f of Object.values(report.files))
    for (const m of f.mutants) {
      count[m.status] = (count[m.status] ?? 0) + 1;
      if (m.status === 'Survived' && m.testsCompleted === 0) unrun++;
    }
  const n = (s) => count[s] ?? 0;
  const detected = n('Killed') + n('Timeout');
  const valid = detected + n('Survived') + n('NoCoverage');
  return {
    score: valid === 0 ? NaN : (100 * detected) / valid,
    killed: n('Killed'),
    timeout: n('Timeout'),
    survived: n('Survived'),
    noCoverage: n('NoCoverage'),
    ignored: n('Ignored'),
    unrun,
    invalid: n('CompileError') + n('RuntimeError'),
  };
}

const rows = [];
let failed = false;
for (const name of packages) {
  const started = Date.now();
  const report = join(root, 'reports', 'mutation', name, 'mutation.json');
  if (reportOnly) {
    if (existsSync(report)) rows.push({ name, seconds: NaN, ...summarise(report) });
    else rows.push({ name, seconds: NaN, error: 'no report yet' });
    continue;
  }
  process.stdout.write(`\n== mutate ${name} ==\n`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, EDMKIT_MUTATE_PACKAGE: name },
  });
  const seconds = (Date.now() - started) / 1000;
  if (run.status !== 0 || !existsSync(report)) {
    failed = true;
    rows.push({ name, seconds, error: `stryker exited with ${run.status ?? run.signal}` });
    if (run.signal === 'SIGINT' || run.signal === 'SIGTERM') break;
    continue;
  }
  rows.push({ name, seconds, ...summarise(report) });
}

const pad = (s, w) => String(s).padStart(w);
process.stdout.write(
  `\n${'package'.padEnd(10)} ${pad('score', 7)} ${pad('killed', 7)} ${pad('timeout', 7)} ${pad('survived', 8)} ${pad('no cov', 7)} ${pad('ignored', 7)} ${pad('0 tests', 7)} ${pad('time', 7)}\n`,
);
for (const r of rows) {
  const time = Number.isNaN(r.seconds) ? '—' : `${Math.round(r.seconds)}s`;
  if (r.error) {
    process.stdout.write(`${r.name.padEnd(10)} ${r.error} (${time})\n`);
    continue;
  }
  process.stdout.write(
    `${r.name.padEnd(10)} ${pad(`${r.score.toFixed(1)}%`, 7)} ${pad(r.killed, 7)} ${pad(r.timeout, 7)} ${pad(r.survived, 8)} ${pad(r.noCoverage, 7)} ${pad(r.ignored, 7)} ${pad(r.unrun, 7)} ${pad(time, 7)}\n`,
  );
}
process.exitCode = failed ? 1 : 0;
