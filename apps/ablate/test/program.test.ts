import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandTree, type AblationPlan } from '../src/program.js';
import { samplerDefaults, samplerFull } from '../src/sampler-command.js';
import { solverDefaults } from '../src/solver-command.js';
import { trainingDefaults, trainingFullDefaults } from '../src/training-command.js';

/**
 * Parses argv with the real program, capturing commander's error output instead of exiting and
 * the plan a valid command line would run instead of running it.
 */
async function parse(args: string[]): Promise<{ error?: string; plan?: AblationPlan }> {
  let plan: AblationPlan | undefined;
  const program = buildProgram({
    runAblations: (p) => {
      plan = p;
      return Promise.resolve();
    },
  });
  let error: string | undefined;
  for (const cmd of commandTree(program)) {
    cmd.exitOverride();
    cmd.configureOutput({ writeErr: (s) => (error = (error ?? '') + s), writeOut: () => {} });
  }
  try {
    await program.parseAsync(['node', 'edmkit', ...args]);
  } catch (thrown) {
    // commander throws after writing its error; an action's own error is not written yet.
    if (error === undefined) error = thrown instanceof Error ? thrown.message : String(thrown);
  }
  return { ...(error === undefined ? {} : { error }), ...(plan ? { plan } : {}) };
}

function subcommand(name: string): Command {
  const ablate = buildProgram().commands.find((c) => c.name() === 'ablate')!;
  return ablate.commands.find((c) => c.name() === name)!;
}

const flagsOf = (name: string): string[] => subcommand(name).options.map((o) => o.long ?? o.flags);

const samplerOnly = [
  '--families',
  '--no-edm',
  '--nfe',
  '--data',
  '--gmm-samples',
  '--gmm-dim',
  '--gmm-components',
  '--mnist-samples',
  '--mnist-images',
  '--mnist-size',
  '--full',
  '--rtol',
  '--jobs',
  '--shard',
];
const trainingOnly = [
  '--baselines',
  '--mode',
  '--mnist-train-images',
  '--train-data',
  '--train-images',
  '--train-samples',
  '--backend',
  '--workers',
];
const solverOnly = ['--solver-data', '--solver-nfe'];
const shared = ['--seed', '--out', '--no-progress'];

describe('edmkit command line', () => {
  it('accepts the documented flags', async () => {
    const { error, plan } = await parse([
      'ablate',
      'sampler',
      '--families',
      'vp,ve',
      '--nfe',
      '9,35',
      '--data',
      'gmm',
      '--seed',
      '3',
    ]);
    expect(error).toBeUndefined();
    expect(plan?.sampler?.run).toMatchObject({
      families: ['vp', 've'],
      nfe: [9, 35],
      data: ['gmm'],
      seed: 3,
    });
  });

  it('refuses bad values, naming the flag and the allowed values', async () => {
    for (const kind of ['sampler', 'all']) {
      expect((await parse(['ablate', kind, '--nfe', '0,35'])).error).toMatch(
        /--nfe must be a comma-separated list of integers >= 1/,
      );
      expect((await parse(['ablate', kind, '--families', 'vp,ddim'])).error).toMatch(
        /unknown family "ddim"; expected one of: vp, ve, iddpm/,
      );
      expect((await parse(['ablate', kind, '--data', 'cifar'])).error).toMatch(
        /unknown data set "cifar"/,
      );
      expect((await parse(['ablate', kind, '--mnist-size', '7'])).error).toMatch(
        /Allowed choices are 14, 28/,
      );
      expect((await parse(['ablate', kind, '--rtol', '-1'])).error).toMatch(
        /--rtol must be a number in \(0, 1\]/,
      );
      expect((await parse(['ablate', kind, '--rtol', '2'])).error).toMatch(
        /--rtol must be a number in \(0, 1\]/,
      );
      expect((await parse(['ablate', kind, '--seed', '1.5'])).error).toMatch(
        /--seed must be an integer >= 0/,
      );
    }
    // Plain `edmkit ablate` is `all`: the same checks.
    expect((await parse(['ablate', '--nfe', '0,35'])).error).toMatch(
      /--nfe must be a comma-separated list of integers >= 1/,
    );
    expect((await parse(['ablate', 'training', '--mode', 'slow'])).error).toMatch(
      /Allowed choices are quick, full/,
    );
    expect((await parse(['ablate', 'training', '--train-samples', '1'])).error).toMatch(
      /--train-samples must be an integer >= 2/,
    );
    expect((await parse(['ablate', 'training', '--seed', '-1'])).error).toMatch(
      /--seed must be an integer >= 0/,
    );
    expect((await parse(['ablate', 'solvers', '--solver-nfe', '5,x'])).error).toMatch(
      /--solver-nfe must be a comma-separated list of integers >= 1/,
    );
    expect((await parse(['ablate', 'sampler', '--shard', '3/2'])).error).toMatch(
      /--shard must be k\/n/,
    );
  });

  it("refuses another ablation's flag on a subcommand", async () => {
    expect((await parse(['ablate', 'sampler', '--train-images', '64'])).error).toMatch(
      /^edmkit: unknown option '--train-images' \(see --help\)\n$/,
    );
    expect((await parse(['ablate', 'training', '--nfe', '9'])).error).toMatch(
      /unknown option '--nfe'/,
    );
    expect((await parse(['ablate', 'solvers', '--data', 'gmm'])).error).toMatch(
      /unknown option '--data'/,
    );
    expect((await parse(['ablate', 'training', '--progress-json'])).error).toMatch(
      /unknown option '--progress-json'/,
    );
  });

  it('names the ablations when the subcommand is unknown or comes after the flags', async () => {
    expect((await parse(['ablate', 'samplr'])).error).toBe(
      'unknown ablation "samplr"; expected one of: sampler, training, solvers, all',
    );
    expect((await parse(['ablate', '--seed', '1', 'sampler'])).error).toMatch(
      /the ablation goes before its flags: edmkit ablate sampler/,
    );
  });

  it('lists each ablation with its own flags in --help', () => {
    const sampler = subcommand('sampler').helpInformation();
    const training = subcommand('training').helpInformation();
    const solvers = subcommand('solvers').helpInformation();
    const all = subcommand('all').helpInformation();
    for (const flag of [...samplerOnly, ...shared]) expect(sampler).toContain(flag);
    for (const flag of [...trainingOnly, ...shared]) expect(training).toContain(flag);
    for (const flag of [...solverOnly, ...shared]) expect(solvers).toContain(flag);
    for (const flag of [...samplerOnly, ...trainingOnly, ...solverOnly, ...shared])
      expect(all).toContain(flag);
    for (const flag of ['--train-images', '--mode', '--solver-nfe', '--workers'])
      expect(sampler).not.toContain(flag);
    // `--mnist-train-images` contains `--mnist-`, so compare whole flag lists.
    for (const flag of [...samplerOnly, ...solverOnly]) {
      expect(flagsOf('training')).not.toContain(flag);
      expect(training).not.toMatch(new RegExp(`(^|\\s)${flag}[ ,]`, 'm'));
    }
    for (const flag of [...samplerOnly, ...trainingOnly])
      expect(flagsOf('solvers')).not.toContain(flag);
    for (const help of [sampler, training, solvers, all])
      expect(help).not.toContain('--progress-json');
    expect(flagsOf('sampler')).toContain('--progress-json');
    expect(flagsOf('all')).toContain('--progress-json');

    const ablate = buildProgram()
      .commands.find((c) => c.name() === 'ablate')!
      .helpInformation();
    for (const name of ['sampler', 'training', 'solvers', 'all']) expect(ablate).toContain(name);
  });
});

describe('edmkit ablate: the typed options of a parsed command line', () => {
  const jobs = Math.min(2, availableParallelism());
  const samplerDefaultOptions = {
    run: {
      families: ['vp', 've', 'iddpm'],
      includeEdm: true,
      nfe: [9, 17, 35, 71, 143, 287, 511],
      data: ['gmm', 'mnist-kde'],
      seed: 0,
      referenceRtol: 1e-8,
      sizes: { ...samplerDefaults.sizes },
    },
    out: 'results',
    jobs,
    progress: true,
    progressJson: false,
  };
  const trainingDefaultOptions = {
    baselines: ['vp', 've'],
    mode: 'quick',
    data: 'ring',
    totalImages: trainingDefaults.totalImages,
    samples: trainingDefaults.samples,
    mnistImages: trainingFullDefaults.mnistImages,
    seed: 0,
    out: 'results',
    progress: true,
  };
  const solverDefaultOptions = {
    nfe: solverDefaults.nfe,
    data: solverDefaults.data,
    seed: 0,
    adaptiveTolerances: solverDefaults.adaptiveTolerances,
    out: 'results',
    progress: true,
  };

  it('sampler: defaults, and every flag', async () => {
    expect((await parse(['ablate', 'sampler'])).plan).toEqual({
      out: 'results',
      sampler: samplerDefaultOptions,
    });
    const { plan } = await parse([
      'ablate',
      'sampler',
      '--families',
      'iddpm',
      '--no-edm',
      '--nfe',
      '9',
      '--data',
      'mnist-kde',
      '--full',
      '--gmm-dim',
      '8',
      '--mnist-size',
      '14',
      '--rtol',
      '1e-6',
      '--seed',
      '5',
      '--jobs',
      '3',
      '--out',
      'elsewhere',
      '--no-progress',
    ]);
    expect(plan).toEqual({
      out: 'elsewhere',
      sampler: {
        run: {
          families: ['iddpm'],
          includeEdm: false,
          nfe: [9],
          data: ['mnist-kde'],
          seed: 5,
          referenceRtol: 1e-6,
          sizes: { ...samplerFull.sizes, gmmDim: 8, mnistSize: 14 },
        },
        out: 'elsewhere',
        jobs: 3,
        progress: false,
        progressJson: false,
      },
    });
  });

  it('sampler: the mixture and the blurred digits by default, the empirical set by flag', async () => {
    expect(samplerDefaults.data).toEqual(['gmm', 'mnist-kde']);
    const { plan } = await parse(['ablate', 'sampler', '--data', 'gmm,mnist', '--full']);
    expect(plan?.sampler?.run).toMatchObject({ data: ['gmm', 'mnist'], sizes: samplerFull.sizes });
    const help = subcommand('sampler').helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('(default: gmm,mnist-kde)');
  });

  it('sampler: a shard runs in one process', async () => {
    const { plan } = await parse([
      'ablate',
      'sampler',
      '--shard',
      '2/3',
      '--jobs',
      '4',
      '--progress-json',
    ]);
    expect(plan?.sampler).toMatchObject({
      shard: { index: 1, count: 3 },
      jobs: 1,
      progressJson: true,
    });
  });

  it('training: defaults by mode', async () => {
    expect((await parse(['ablate', 'training'])).plan).toEqual({
      out: 'results',
      training: trainingDefaultOptions,
    });
    const { plan } = await parse([
      'ablate',
      'training',
      '--mode',
      'full',
      '--baselines',
      've',
      '--backend',
      'cpu',
      '--workers',
      '2',
      '--mnist-train-images',
      '100',
      '--seed',
      '4',
    ]);
    expect(plan).toEqual({
      out: 'results',
      training: {
        ...trainingDefaultOptions,
        baselines: ['ve'],
        mode: 'full',
        totalImages: trainingFullDefaults.totalImages,
        samples: trainingFullDefaults.samples,
        mnistImages: 100,
        seed: 4,
        backend: 'cpu',
        workers: 2,
      },
    });
    expect(
      (await parse(['ablate', 'training', '--train-data', 'gmm', '--train-images', '64'])).plan
        ?.training,
    ).toMatchObject({ data: 'gmm', totalImages: 64, samples: trainingDefaults.samples });
  });

  it('solvers: the full sweep with the adaptive solver', async () => {
    expect((await parse(['ablate', 'solvers'])).plan).toEqual({
      out: 'results',
      solvers: solverDefaultOptions,
    });
    expect(
      (await parse(['ablate', 'solvers', '--solver-nfe', '5,7', '--solver-data', 'gmm'])).plan
        ?.solvers,
    ).toMatchObject({ nfe: [5, 7], data: ['gmm'] });
  });

  it('all (and plain `edmkit ablate`): the three, solvers short, shared flags for each', async () => {
    const expected = {
      out: 'results',
      sampler: samplerDefaultOptions,
      training: trainingDefaultOptions,
      solvers: { ...solverDefaultOptions, nfe: solverDefaults.shortNfe, adaptiveTolerances: [] },
    };
    expect((await parse(['ablate'])).plan).toEqual(expected);
    expect((await parse(['ablate', 'all'])).plan).toEqual(expected);
    const { plan } = await parse([
      'ablate',
      '--nfe',
      '9',
      '--train-images',
      '64',
      '--solver-nfe',
      '5',
      '--seed',
      '2',
      '--out',
      'o',
    ]);
    expect(plan?.sampler).toMatchObject({ out: 'o', run: { nfe: [9], seed: 2 } });
    expect(plan?.training).toMatchObject({ out: 'o', totalImages: 64, seed: 2 });
    expect(plan?.solvers).toMatchObject({ out: 'o', nfe: [5], seed: 2 });
  });

  it('all with --shard runs only that part of the sampler ablation', async () => {
    const { plan } = await parse(['ablate', 'all', '--shard', '1/2']);
    expect(Object.keys(plan ?? {}).sort()).toEqual(['out', 'sampler']);
    expect(plan?.sampler?.shard).toEqual({ index: 0, count: 2 });
  });
});
