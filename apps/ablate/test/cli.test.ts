import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The built command line (pnpm test builds before it tests).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'edmkit-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function edmkit(...args: string[]) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return {
    code: r.status,
    stderr: r.stderr,
    stdout: r.stdout,
    seconds: (performance.now() - started) / 1000,
  };
}

/** A small but real sampler run: one family, one data set, two NFE. */
const small = [
  'ablate',
  'sampler',
  '--families',
  'vp',
  '--data',
  'gmm',
  '--nfe',
  '9',
  '--no-edm',
  '--no-progress',
];

describe('edmkit: an unusable --out fails at once, with one line and exit code 2', () => {
  const file = join(scratch, 'a-file');
  writeFileSync(file, 'not a directory');
  for (const [label, out, message] of [
    ['a file', file, /--out must be a writable directory: .*a-file is a file/],
    [
      'under a file',
      join(file, 'sub'),
      /--out must be a writable directory: .*a part of the path is a file/,
    ],
    [
      'on /proc',
      '/proc/edmkit-results',
      /--out must be a directory for results, not on a pseudo file system/,
    ],
  ] as const) {
    it(label, () => {
      const r = edmkit(...small, '--out', out);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^edmkit: ${message.source}`));
      expect(r.seconds).toBeLessThan(10); // before any computation (node start + module load)
      expect(r.stdout).toBe('');
    });
  }

  it('leaves no probe file behind in a good directory, and writes the results there', () => {
    const out = join(scratch, 'good', 'nested');
    const r = edmkit(...small, '--out', out);
    expect(r.code).toBe(0);
    // Hidden: only the current result set's directory (no probe file).
    const hidden = readdirSync(out).filter((f) => f.startsWith('.'));
    expect(hidden).toHaveLength(1);
    expect(hidden[0]).toMatch(/^\.sampler-ablation\./);
    expect(readdirSync(out)).toContain('sampler-ablation.json');
    // The JSON records the command that ran and one that reproduces it, both `edmkit ablate sampler …`.
    const json = JSON.parse(readFileSync(join(out, 'sampler-ablation.json'), 'utf8')) as {
      edmkitCommand: string;
      reproduceCommand: string;
    };
    expect(json.edmkitCommand).toBe(`edmkit ${[...small, '--out', out].join(' ')}`);
    expect(json.reproduceCommand).toMatch(
      /^edmkit ablate sampler --families vp --nfe 9 --data gmm /,
    );
    expect(json.reproduceCommand).toMatch(/ --no-edm$/);
    expect(json.reproduceCommand).not.toContain('--jobs');
  }, 60_000);
});

describe('edmkit: refused command lines', () => {
  // One process each: node start and module load take about a second on 2 busy cores.
  for (const [args, message] of [
    [['ablate', 'sampler', '--rtol', '2'], /--rtol must be a number in \(0, 1\]/],
    [['ablate', '--bogus'], /unknown option '--bogus'/],
    [['ablate', 'sampler', '--bogus'], /unknown option '--bogus'/],
    [['ablate', 'sampler', '--train-images', '64'], /unknown option '--train-images'/],
    [['ablate', 'training', '--nfe', '9'], /unknown option '--nfe'/],
    [
      ['ablate', 'samplr'],
      /unknown ablation "samplr"; expected one of: sampler, training, solvers, all/,
    ],
    [
      ['ablate', 'solvers', '--solver-data', 'cifar'],
      /unknown data set "cifar"; expected one of: gmm, mnist, mnist-kde/,
    ],
  ] as const) {
    it(`${args.join(' ')}: one line naming the flag and its allowed values, no help dump, exit code 2`, () => {
      const r = edmkit(...args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^edmkit: /);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }, 30_000);
  }
});

describe('edmkit: help', () => {
  it('edmkit ablate --help lists the ablations; each one lists its own flags, exit code 0', () => {
    const ablate = edmkit('ablate', '--help');
    expect(ablate.code).toBe(0);
    expect(ablate.stdout).toMatch(/sampler \[options\][\s\S]*training \[options\][\s\S]*solvers/);
    const sampler = edmkit('ablate', 'sampler', '--help');
    const training = edmkit('ablate', 'training', '--help');
    for (const [name, help] of [
      ['sampler', sampler],
      ['training', training],
    ] as const) {
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(new RegExp(`^Usage: edmkit ablate ${name} \\[options\\]`));
    }
    expect(sampler.stdout).toContain('--nfe');
    expect(sampler.stdout).not.toContain('--train-images');
    expect(training.stdout).toContain('--train-images');
    expect(training.stdout).not.toContain('--nfe');
  }, 30_000);
});
